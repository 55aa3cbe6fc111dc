package metadata

import (
	"maps"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Kafka's api keys for ACL records.
const (
	KeyAccessControlEntry       int16 = 6
	KeyRemoveAccessControlEntry int16 = 16
)

// ACL enum values, as on the wire.
const (
	ACLResourceAny     int8 = 1
	ACLResourceCluster int8 = 4
	ACLPatternAny      int8 = 1
	ACLPatternMatch    int8 = 2
	ACLPatternLiteral  int8 = 3
	ACLPatternPrefixed int8 = 4
	ACLOperationAny    int8 = 1
	ACLPermissionAny   int8 = 1
)

// ACL is one access control entry.
type ACL struct {
	ID             UUID   `json:"id"`
	ResourceType   int8   `json:"resourceType"`
	ResourceName   string `json:"resourceName"`
	PatternType    int8   `json:"patternType"`
	Principal      string `json:"principal"`
	Host           string `json:"host"`
	Operation      int8   `json:"operation"`
	PermissionType int8   `json:"permissionType"`
}

// AccessControlEntryRecord adds an ACL.
type AccessControlEntryRecord struct{ ACL }

// RemoveAccessControlEntryRecord removes the ACL with ID.
type RemoveAccessControlEntryRecord struct {
	ID UUID `json:"id"`
}

func (*AccessControlEntryRecord) APIKey() int16        { return KeyAccessControlEntry }
func (*AccessControlEntryRecord) Version() int16       { return 0 }
func (*RemoveAccessControlEntryRecord) APIKey() int16  { return KeyRemoveAccessControlEntry }
func (*RemoveAccessControlEntryRecord) Version() int16 { return 0 }

// SameBinding reports whether two ACLs grant the same thing (ids aside).
func (a *ACL) SameBinding(b *ACL) bool {
	x, y := *a, *b
	x.ID, y.ID = UUID{}, UUID{}
	return x == y
}

// ACLFilter selects ACLs as Kafka's AclBindingFilter does: nil strings and
// the ANY enums match everything; pattern MATCH selects the ACLs that apply
// to the named resource (the literal name, the wildcard "*", and prefixes).
type ACLFilter struct {
	ResourceType   int8
	ResourceName   *string
	PatternType    int8
	Principal      *string
	Host           *string
	Operation      int8
	PermissionType int8
}

// Matches reports whether a is selected by f.
func (f ACLFilter) Matches(a *ACL) bool {
	if f.ResourceType != ACLResourceAny && f.ResourceType != a.ResourceType {
		return false
	}
	if f.Principal != nil && *f.Principal != a.Principal || f.Host != nil && *f.Host != a.Host {
		return false
	}
	if f.Operation != ACLOperationAny && f.Operation != a.Operation {
		return false
	}
	if f.PermissionType != ACLPermissionAny && f.PermissionType != a.PermissionType {
		return false
	}
	switch f.PatternType {
	case ACLPatternAny:
		return f.ResourceName == nil || *f.ResourceName == a.ResourceName
	case ACLPatternMatch:
		if f.ResourceName == nil {
			return true
		}
		name := *f.ResourceName
		switch a.PatternType {
		case ACLPatternLiteral:
			return a.ResourceName == name || a.ResourceName == "*"
		case ACLPatternPrefixed:
			return strings.HasPrefix(name, a.ResourceName)
		}
		return false
	default:
		return f.PatternType == a.PatternType && (f.ResourceName == nil || *f.ResourceName == a.ResourceName)
	}
}

func (d *Delta) replayACL(r Record) error {
	if d.acls == nil {
		d.acls = map[UUID]*ACL{}
	}
	switch r := r.(type) {
	case *AccessControlEntryRecord:
		a := r.ACL
		d.acls[a.ID] = &a
	case *RemoveAccessControlEntryRecord:
		d.acls[r.ID] = nil
	}
	return nil
}

func (d *Delta) applyACLs(im *Image) {
	if len(d.acls) == 0 {
		return
	}
	im.ACLs = maps.Clone(d.base.ACLs)
	if im.ACLs == nil {
		im.ACLs = map[UUID]*ACL{}
	}
	for id, a := range d.acls {
		if a == nil {
			delete(im.ACLs, id)
		} else {
			im.ACLs[id] = a
		}
	}
}

// ACLsChanged reports whether ACLs were added or removed.
func (d *Delta) ACLsChanged() bool { return len(d.acls) > 0 }

func diffACLs(d *Delta, from, to *Image) {
	for id, a := range to.ACLs {
		if from.ACLs[id] == nil {
			if d.acls == nil {
				d.acls = map[UUID]*ACL{}
			}
			d.acls[id] = a
		}
	}
	for id := range from.ACLs {
		if to.ACLs[id] == nil {
			if d.acls == nil {
				d.acls = map[UUID]*ACL{}
			}
			d.acls[id] = nil
		}
	}
}

// SortedACLs returns the ACLs in a stable order (by resource, then the rest).
func (im *Image) SortedACLs() []*ACL {
	out := make([]*ACL, 0, len(im.ACLs))
	for _, a := range im.ACLs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ResourceType != b.ResourceType {
			return a.ResourceType < b.ResourceType
		}
		if a.ResourceName != b.ResourceName {
			return a.ResourceName < b.ResourceName
		}
		if a.PatternType != b.PatternType {
			return a.PatternType < b.PatternType
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.Operation != b.Operation {
			return a.Operation < b.Operation
		}
		if a.PermissionType != b.PermissionType {
			return a.PermissionType < b.PermissionType
		}
		return a.ID.String() < b.ID.String()
	})
	return out
}

func aclRecords(im *Image) []Record {
	var out []Record
	for _, a := range im.SortedACLs() {
		out = append(out, &AccessControlEntryRecord{ACL: *a})
	}
	return out
}

// ValidateACLFilter checks a filter's enums (UNKNOWN is never valid).
func ValidateACLFilter(f ACLFilter) error {
	if f.ResourceType <= 0 || f.PatternType <= 0 || f.Operation <= 0 || f.PermissionType <= 0 {
		return kerr.InvalidRequest
	}
	return nil
}

// DescribeACLs answers DescribeAcls from the image, grouped by resource.
func (im *Image) DescribeACLs(req *kmsg.DescribeACLsRequest) *kmsg.DescribeACLsResponse {
	resp := kmsg.NewPtrDescribeACLsResponse()
	resp.Version = req.Version
	pattern := int8(req.ResourcePatternType)
	if req.Version < 1 {
		pattern = ACLPatternLiteral
	}
	f := ACLFilter{ResourceType: int8(req.ResourceType), ResourceName: req.ResourceName, PatternType: pattern,
		Principal: req.Principal, Host: req.Host, Operation: int8(req.Operation), PermissionType: int8(req.PermissionType)}
	if ValidateACLFilter(f) != nil {
		resp.ErrorCode = kerr.InvalidRequest.Code
		resp.ErrorMessage = kmsg.StringPtr("The filter holds an UNKNOWN resource type, pattern type, operation or permission type.")
		return resp
	}
	type resKey struct {
		typ     int8
		name    string
		pattern int8
	}
	idx := map[resKey]int{}
	for _, a := range im.SortedACLs() {
		if !f.Matches(a) {
			continue
		}
		k := resKey{a.ResourceType, a.ResourceName, a.PatternType}
		i, ok := idx[k]
		if !ok {
			r := kmsg.NewDescribeACLsResponseResource()
			r.ResourceType, r.ResourceName, r.ResourcePatternType = kmsg.ACLResourceType(a.ResourceType), a.ResourceName, kmsg.ACLResourcePatternType(a.PatternType)
			resp.Resources = append(resp.Resources, r)
			i = len(resp.Resources) - 1
			idx[k] = i
		}
		e := kmsg.NewDescribeACLsResponseResourceACL()
		e.Principal, e.Host, e.Operation, e.PermissionType = a.Principal, a.Host, kmsg.ACLOperation(a.Operation), kmsg.ACLPermissionType(a.PermissionType)
		resp.Resources[i].ACLs = append(resp.Resources[i].ACLs, e)
	}
	return resp
}
