package controller

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

func TestAlterClientQuotas(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	entry := func(key string, value float64, remove bool, kv ...*string) kmsg.AlterClientQuotasRequestEntry {
		e := kmsg.NewAlterClientQuotasRequestEntry()
		for i := 0; i+1 < len(kv); i += 2 {
			p := kmsg.NewAlterClientQuotasRequestEntryEntity()
			p.Type, p.Name = *kv[i], kv[i+1]
			e.Entity = append(e.Entity, p)
		}
		op := kmsg.NewAlterClientQuotasRequestEntryOp()
		op.Key, op.Value, op.Remove = key, value, remove
		e.Ops = append(e.Ops, op)
		return e
	}
	s := func(v string) *string { return &v }
	user, client, ip := s("user"), s("client-id"), s("ip")
	for _, tc := range []struct {
		name  string
		entry kmsg.AlterClientQuotasRequestEntry
		code  *kerr.Error
	}{
		{"user", entry("producer_byte_rate", 1024, false, user, s("alice")), nil},
		{"default user", entry("consumer_byte_rate", 2048, false, user, nil), nil},
		{"user+client", entry("request_percentage", 12.5, false, user, s("alice"), client, s("app")), nil},
		{"ip", entry("connection_creation_rate", 10, false, ip, s("10.0.0.1")), nil},
		{"bad ip", entry("connection_creation_rate", 10, false, ip, s("not an ip")), kerr.InvalidRequest},
		{"ip+user", entry("connection_creation_rate", 10, false, ip, nil, user, nil), kerr.InvalidRequest},
		{"unknown type", entry("producer_byte_rate", 1, false, s("group"), s("g")), kerr.InvalidRequest},
		{"unknown key", entry("bogus", 1, false, user, s("alice")), kerr.InvalidRequest},
		{"fraction for long", entry("producer_byte_rate", 1.5, false, user, s("alice")), kerr.InvalidRequest},
		{"empty entity", entry("producer_byte_rate", 1, false), kerr.InvalidRequest},
		{"dup type", entry("producer_byte_rate", 1, false, user, s("a"), user, s("b")), kerr.InvalidRequest},
	} {
		req := kmsg.NewPtrAlterClientQuotasRequest()
		req.Entries = append(req.Entries, tc.entry)
		r, err := n.ctrl.AlterClientQuotas(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		want := int16(0)
		if tc.code != nil {
			want = tc.code.Code
		}
		if r.Entries[0].ErrorCode != want {
			t.Errorf("%s: code %d, want %d (%v)", tc.name, r.Entries[0].ErrorCode, want, r.Entries[0].ErrorMessage)
		}
	}
	im := n.loader.Image()
	if len(im.ClientQuotas) != 4 {
		t.Fatalf("quotas %v", im.ClientQuotas)
	}
	alice := []metadata.QuotaEntityPart{{EntityType: "user", EntityName: s("alice")}}
	if q := im.ClientQuotas[metadata.QuotaEntityKey(alice)]; q == nil || q.Values["producer_byte_rate"] != 1024 {
		t.Fatalf("alice %+v", q)
	}
	req := kmsg.NewPtrAlterClientQuotasRequest()
	req.Entries = append(req.Entries, entry("producer_byte_rate", 0, true, user, s("alice")))
	if r, err := n.ctrl.AlterClientQuotas(ctx, req); err != nil || r.Entries[0].ErrorCode != 0 {
		t.Fatal(err, r)
	}
	if n.loader.Image().ClientQuotas[metadata.QuotaEntityKey(alice)] != nil {
		t.Fatal("alice quota not removed")
	}
}
