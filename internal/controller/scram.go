package controller

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"hash"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// Kafka's SCRAM iteration bounds.
const (
	scramMinIterations = 4096
	scramMaxIterations = 16384
)

// AlterUserScramCredentials upserts and deletes SCRAM credentials. The
// client sends the salted password; only the derived stored and server
// keys are kept, as in Kafka.
func (c *Controller) AlterUserScramCredentials(ctx context.Context, req *kmsg.AlterUserSCRAMCredentialsRequest) (*kmsg.AlterUserSCRAMCredentialsResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) { return c.alterScram(req) })
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.AlterUserSCRAMCredentialsResponse), nil
}

type scramOp struct {
	mech    int8
	del     bool
	upsert  kmsg.AlterUserSCRAMCredentialsRequestUpsertion
	problem *topicErr
}

func (c *Controller) alterScram(req *kmsg.AlterUserSCRAMCredentialsRequest) ([]metadata.Record, any, error) {
	resp := kmsg.NewPtrAlterUserSCRAMCredentialsResponse()
	resp.Version = req.Version
	var order []string
	ops := map[string][]scramOp{}
	add := func(name string, op scramOp) {
		if _, ok := ops[name]; !ok {
			order = append(order, name)
		}
		ops[name] = append(ops[name], op)
	}
	for _, d := range req.Deletions {
		add(d.Name, scramOp{mech: d.Mechanism, del: true})
	}
	for _, u := range req.Upsertions {
		add(u.Name, scramOp{mech: u.Mechanism, upsert: u})
	}
	var recs []metadata.Record
	for _, name := range order {
		res := kmsg.NewAlterUserSCRAMCredentialsResponseResult()
		res.User = name
		urecs, te := c.scramUser(name, ops[name])
		if te != nil {
			res.ErrorCode = te.code.Code
			res.ErrorMessage = kmsg.StringPtr(te.msg)
		} else {
			recs = append(recs, urecs...)
		}
		resp.Results = append(resp.Results, res)
	}
	return recs, resp, nil
}

func (c *Controller) scramUser(name string, ops []scramOp) ([]metadata.Record, *topicErr) {
	if name == "" {
		return nil, terr(kerr.UnacceptableCredential, "Username must not be empty")
	}
	seen := map[int8]bool{}
	for _, op := range ops {
		if seen[op.mech] {
			return nil, terr(kerr.DuplicateResource, "A user credential cannot be altered twice in the same request")
		}
		seen[op.mech] = true
	}
	var recs []metadata.Record
	for _, op := range ops {
		h := scramHash(op.mech)
		if h == nil {
			return nil, terr(kerr.UnsupportedSaslMechanism, "Unknown SCRAM mechanism")
		}
		if op.del {
			if c.spec.ScramCredentials[name][op.mech] == nil {
				return nil, terr(kerr.ResourceNotFound, "Attempt to delete a user credential that does not exist")
			}
			recs = append(recs, &metadata.RemoveUserScramCredentialRecord{Name: name, Mechanism: op.mech})
			continue
		}
		u := op.upsert
		switch {
		case u.Iterations < scramMinIterations:
			return nil, terr(kerr.UnacceptableCredential, "Too few iterations")
		case u.Iterations > scramMaxIterations:
			return nil, terr(kerr.UnacceptableCredential, "Too many iterations")
		case len(u.SaltedPassword) == 0 || len(u.Salt) == 0:
			return nil, terr(kerr.UnacceptableCredential, "Salt and salted password must not be empty")
		}
		clientKey := hmacSum(h, u.SaltedPassword, "Client Key")
		sh := h()
		sh.Write(clientKey)
		recs = append(recs, &metadata.UserScramCredentialRecord{Name: name, Mechanism: op.mech, ScramCredential: metadata.ScramCredential{
			Salt: append([]byte(nil), u.Salt...), StoredKey: sh.Sum(nil), ServerKey: hmacSum(h, u.SaltedPassword, "Server Key"), Iterations: u.Iterations,
		}})
	}
	return recs, nil
}

func scramHash(mech int8) func() hash.Hash {
	switch mech {
	case metadata.ScramSHA256:
		return sha256.New
	case metadata.ScramSHA512:
		return sha512.New
	}
	return nil
}

func hmacSum(h func() hash.Hash, key []byte, msg string) []byte {
	m := hmac.New(h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
