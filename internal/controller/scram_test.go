package controller

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

func TestAlterUserScramCredentials(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	up := func(name string, mech int8, iters int32) kmsg.AlterUserSCRAMCredentialsRequestUpsertion {
		u := kmsg.NewAlterUserSCRAMCredentialsRequestUpsertion()
		u.Name, u.Mechanism, u.Iterations, u.Salt, u.SaltedPassword = name, mech, iters, []byte("salt"), []byte("salted")
		return u
	}
	del := func(name string, mech int8) kmsg.AlterUserSCRAMCredentialsRequestDeletion {
		d := kmsg.NewAlterUserSCRAMCredentialsRequestDeletion()
		d.Name, d.Mechanism = name, mech
		return d
	}
	req := kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	req.Upsertions = []kmsg.AlterUserSCRAMCredentialsRequestUpsertion{
		up("alice", 1, 4096), up("bob", 2, 8192), up("few", 1, 100), up("many", 1, 20000), up("mech", 9, 4096), up("", 1, 4096), up("dup", 1, 4096),
	}
	req.Deletions = []kmsg.AlterUserSCRAMCredentialsRequestDeletion{del("ghost", 1), del("dup", 1)}
	r, err := n.ctrl.AlterUserScramCredentials(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int16{"alice": 0, "bob": 0, "few": kerr.UnacceptableCredential.Code, "many": kerr.UnacceptableCredential.Code,
		"mech": kerr.UnsupportedSaslMechanism.Code, "": kerr.UnacceptableCredential.Code, "dup": kerr.DuplicateResource.Code, "ghost": kerr.ResourceNotFound.Code}
	for _, res := range r.Results {
		if res.ErrorCode != want[res.User] {
			t.Errorf("%q: code %d want %d", res.User, res.ErrorCode, want[res.User])
		}
	}
	im := n.loader.Image()
	c := im.ScramCredentials["alice"][metadata.ScramSHA256]
	m := hmac.New(sha256.New, []byte("salted"))
	m.Write([]byte("Server Key"))
	if c == nil || c.Iterations != 4096 || !bytes.Equal(c.ServerKey, m.Sum(nil)) || len(c.StoredKey) != sha256.Size {
		t.Fatalf("alice credential %+v", c)
	}
	d := im.DescribeUserScramCredentials(kmsg.NewPtrDescribeUserSCRAMCredentialsRequest())
	if len(d.Results) != 2 || d.Results[0].User != "alice" || d.Results[1].CredentialInfos[0].Iterations != 8192 {
		t.Fatalf("describe all %+v", d.Results)
	}
	dreq := kmsg.NewPtrDescribeUserSCRAMCredentialsRequest()
	for _, u := range []string{"nobody", "bob", "bob"} {
		x := kmsg.NewDescribeUserSCRAMCredentialsRequestUser()
		x.Name = u
		dreq.Users = append(dreq.Users, x)
	}
	d = im.DescribeUserScramCredentials(dreq)
	if d.Results[0].ErrorCode != kerr.ResourceNotFound.Code || d.Results[1].ErrorCode != kerr.DuplicateResource.Code {
		t.Fatalf("describe named %+v", d.Results)
	}
	req = kmsg.NewPtrAlterUserSCRAMCredentialsRequest()
	req.Deletions = []kmsg.AlterUserSCRAMCredentialsRequestDeletion{del("alice", 1)}
	if r, err := n.ctrl.AlterUserScramCredentials(ctx, req); err != nil || r.Results[0].ErrorCode != 0 {
		t.Fatal(err, r)
	}
	if n.loader.Image().ScramCredentials["alice"] != nil {
		t.Fatal("alice still has credentials")
	}
}
