package metadata

import (
	"maps"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Kafka's api keys for SCRAM credential records.
const (
	KeyUserScramCredential       int16 = 11
	KeyRemoveUserScramCredential int16 = 22
)

// SCRAM mechanisms as numbered on the wire.
const (
	ScramSHA256 int8 = 1
	ScramSHA512 int8 = 2
)

// ScramCredential is the server side of one user's SCRAM credential.
type ScramCredential struct {
	Salt       []byte `json:"salt"`
	StoredKey  []byte `json:"storedKey"`
	ServerKey  []byte `json:"serverKey"`
	Iterations int32  `json:"iterations"`
}

// UserScramCredentialRecord sets a user's credential for one mechanism.
type UserScramCredentialRecord struct {
	Name      string `json:"name"`
	Mechanism int8   `json:"mechanism"`
	ScramCredential
}

// RemoveUserScramCredentialRecord deletes a user's credential for one
// mechanism.
type RemoveUserScramCredentialRecord struct {
	Name      string `json:"name"`
	Mechanism int8   `json:"mechanism"`
}

func (*UserScramCredentialRecord) APIKey() int16        { return KeyUserScramCredential }
func (*UserScramCredentialRecord) Version() int16       { return 0 }
func (*RemoveUserScramCredentialRecord) APIKey() int16  { return KeyRemoveUserScramCredential }
func (*RemoveUserScramCredentialRecord) Version() int16 { return 0 }

type scramKey struct {
	user string
	mech int8
}

func (d *Delta) replayScram(r Record) {
	if d.scram == nil {
		d.scram = map[scramKey]*ScramCredential{}
	}
	switch r := r.(type) {
	case *UserScramCredentialRecord:
		c := r.ScramCredential
		d.scram[scramKey{r.Name, r.Mechanism}] = &c
	case *RemoveUserScramCredentialRecord:
		d.scram[scramKey{r.Name, r.Mechanism}] = nil
	}
}

func (d *Delta) applyScram(im *Image) {
	if len(d.scram) == 0 {
		return
	}
	im.ScramCredentials = maps.Clone(d.base.ScramCredentials)
	if im.ScramCredentials == nil {
		im.ScramCredentials = map[string]map[int8]*ScramCredential{}
	}
	for k, c := range d.scram {
		m := maps.Clone(im.ScramCredentials[k.user])
		if m == nil {
			m = map[int8]*ScramCredential{}
		}
		if c == nil {
			delete(m, k.mech)
		} else {
			m[k.mech] = c
		}
		if len(m) == 0 {
			delete(im.ScramCredentials, k.user)
		} else {
			im.ScramCredentials[k.user] = m
		}
	}
}

// ScramChanged reports whether SCRAM credentials changed.
func (d *Delta) ScramChanged() bool { return len(d.scram) > 0 }

func diffScram(d *Delta, from, to *Image) {
	note := func(k scramKey, c *ScramCredential) {
		if d.scram == nil {
			d.scram = map[scramKey]*ScramCredential{}
		}
		d.scram[k] = c
	}
	for u, m := range to.ScramCredentials {
		for mech, c := range m {
			if from.ScramCredentials[u][mech] != c {
				note(scramKey{u, mech}, c)
			}
		}
	}
	for u, m := range from.ScramCredentials {
		for mech := range m {
			if to.ScramCredentials[u][mech] == nil {
				note(scramKey{u, mech}, nil)
			}
		}
	}
}

// ScramUsers returns user names with credentials, sorted.
func (im *Image) ScramUsers() []string {
	out := make([]string, 0, len(im.ScramCredentials))
	for u := range im.ScramCredentials {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

func scramRecords(im *Image) []Record {
	var out []Record
	for _, u := range im.ScramUsers() {
		m := im.ScramCredentials[u]
		mechs := make([]int, 0, len(m))
		for mech := range m {
			mechs = append(mechs, int(mech))
		}
		sort.Ints(mechs)
		for _, mech := range mechs {
			out = append(out, &UserScramCredentialRecord{Name: u, Mechanism: int8(mech), ScramCredential: *m[int8(mech)]})
		}
	}
	return out
}

// DescribeUserScramCredentials answers from the image: all users when
// none are named; named users that are unknown get RESOURCE_NOT_FOUND, names
// given twice DUPLICATE_RESOURCE.
func (im *Image) DescribeUserScramCredentials(req *kmsg.DescribeUserSCRAMCredentialsRequest) *kmsg.DescribeUserSCRAMCredentialsResponse {
	resp := kmsg.NewPtrDescribeUserSCRAMCredentialsResponse()
	resp.Version = req.Version
	var users []string
	count := map[string]int{}
	if len(req.Users) == 0 {
		users = im.ScramUsers()
	} else {
		for _, u := range req.Users {
			if count[u.Name] == 0 {
				users = append(users, u.Name)
			}
			count[u.Name]++
		}
	}
	for _, u := range users {
		r := kmsg.NewDescribeUserSCRAMCredentialsResponseResult()
		r.User = u
		m := im.ScramCredentials[u]
		switch {
		case count[u] > 1:
			r.ErrorCode = kerr.DuplicateResource.Code
			r.ErrorMessage = kmsg.StringPtr("Cannot describe SCRAM credentials for the same user twice in a single request: " + u)
		case len(m) == 0:
			r.ErrorCode = kerr.ResourceNotFound.Code
			r.ErrorMessage = kmsg.StringPtr("Attempt to describe a user credential that does not exist: " + u)
		default:
			mechs := make([]int, 0, len(m))
			for mech := range m {
				mechs = append(mechs, int(mech))
			}
			sort.Ints(mechs)
			for _, mech := range mechs {
				ci := kmsg.NewDescribeUserSCRAMCredentialsResponseResultCredentialInfo()
				ci.Mechanism, ci.Iterations = int8(mech), m[int8(mech)].Iterations
				r.CredentialInfos = append(r.CredentialInfos, ci)
			}
		}
		resp.Results = append(resp.Results, r)
	}
	return resp
}
