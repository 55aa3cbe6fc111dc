package controller

import (
	"context"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
)

// clusterResourceName is the only name of the CLUSTER resource.
const clusterResourceName = "kafka-cluster"

// CreateACLs stores new ACLs; one identical to an existing ACL is accepted
// without a second copy.
func (c *Controller) CreateACLs(ctx context.Context, req *kmsg.CreateACLsRequest) (*kmsg.CreateACLsResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrCreateACLsResponse()
		resp.Version = req.Version
		var recs []metadata.Record
		var added []*metadata.ACL
		for _, cr := range req.Creations {
			res := kmsg.NewCreateACLsResponseResult()
			pattern := int8(cr.ResourcePatternType)
			if req.Version < 1 {
				pattern = metadata.ACLPatternLiteral
			}
			a := &metadata.ACL{ResourceType: int8(cr.ResourceType), ResourceName: cr.ResourceName, PatternType: pattern,
				Principal: cr.Principal, Host: cr.Host, Operation: int8(cr.Operation), PermissionType: int8(cr.PermissionType)}
			if err := validateNewACL(a); err != nil {
				res.ErrorCode = kerr.InvalidRequest.Code
				res.ErrorMessage = kmsg.StringPtr(err.Error())
				resp.Results = append(resp.Results, res)
				continue
			}
			if !c.hasACL(a, added) {
				id, err := metadata.NewUUID(c.cfg.Rand)
				if err != nil {
					return nil, nil, err
				}
				a.ID = id
				added = append(added, a)
				recs = append(recs, &metadata.AccessControlEntryRecord{ACL: *a})
			}
			resp.Results = append(resp.Results, res)
		}
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.CreateACLsResponse), nil
}

func (c *Controller) hasACL(a *metadata.ACL, added []*metadata.ACL) bool {
	for _, e := range c.spec.ACLs {
		if e.SameBinding(a) {
			return true
		}
	}
	for _, e := range added {
		if e.SameBinding(a) {
			return true
		}
	}
	return false
}

func validateNewACL(a *metadata.ACL) error {
	switch {
	case a.ResourceType <= metadata.ACLResourceAny:
		return fmt.Errorf("Invalid resource type %d", a.ResourceType)
	case a.PatternType != metadata.ACLPatternLiteral && a.PatternType != metadata.ACLPatternPrefixed:
		return fmt.Errorf("Invalid pattern type %d: only LITERAL and PREFIXED ACLs can be created", a.PatternType)
	case a.Operation <= metadata.ACLOperationAny:
		return fmt.Errorf("Invalid operation %d", a.Operation)
	case a.PermissionType <= metadata.ACLPermissionAny:
		return fmt.Errorf("Invalid permission type %d", a.PermissionType)
	case a.ResourceName == "":
		return fmt.Errorf("Resource name should not be empty")
	case a.Host == "":
		return fmt.Errorf("Invalid empty host")
	case a.ResourceType == metadata.ACLResourceCluster && a.ResourceName != clusterResourceName:
		return fmt.Errorf("The only valid name for the CLUSTER resource is %s", clusterResourceName)
	}
	typ, name, ok := strings.Cut(a.Principal, ":")
	if !ok || typ == "" || name == "" {
		return fmt.Errorf("Could not parse principal from `%s` (no colon is present separating the principal type from the principal name)", a.Principal)
	}
	return nil
}

// DeleteACLs removes every ACL matching each filter and reports the matches.
func (c *Controller) DeleteACLs(ctx context.Context, req *kmsg.DeleteACLsRequest) (*kmsg.DeleteACLsResponse, error) {
	r, err := c.exec(ctx, func() ([]metadata.Record, any, error) {
		resp := kmsg.NewPtrDeleteACLsResponse()
		resp.Version = req.Version
		var recs []metadata.Record
		removed := map[metadata.UUID]bool{}
		for _, fr := range req.Filters {
			res := kmsg.NewDeleteACLsResponseResult()
			pattern := int8(fr.ResourcePatternType)
			if req.Version < 1 {
				pattern = metadata.ACLPatternLiteral
			}
			f := metadata.ACLFilter{ResourceType: int8(fr.ResourceType), ResourceName: fr.ResourceName, PatternType: pattern,
				Principal: fr.Principal, Host: fr.Host, Operation: int8(fr.Operation), PermissionType: int8(fr.PermissionType)}
			if metadata.ValidateACLFilter(f) != nil {
				res.ErrorCode = kerr.InvalidRequest.Code
				res.ErrorMessage = kmsg.StringPtr("The filter holds an UNKNOWN resource type, pattern type, operation or permission type.")
				resp.Results = append(resp.Results, res)
				continue
			}
			for _, a := range c.spec.SortedACLs() {
				if !f.Matches(a) {
					continue
				}
				m := kmsg.NewDeleteACLsResponseResultMatchingACL()
				m.ResourceType, m.ResourceName, m.ResourcePatternType = kmsg.ACLResourceType(a.ResourceType), a.ResourceName, kmsg.ACLResourcePatternType(a.PatternType)
				m.Principal, m.Host = a.Principal, a.Host
				m.Operation, m.PermissionType = kmsg.ACLOperation(a.Operation), kmsg.ACLPermissionType(a.PermissionType)
				res.MatchingACLs = append(res.MatchingACLs, m)
				if !removed[a.ID] {
					removed[a.ID] = true
					recs = append(recs, &metadata.RemoveAccessControlEntryRecord{ID: a.ID})
				}
			}
			resp.Results = append(resp.Results, res)
		}
		return recs, resp, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*kmsg.DeleteACLsResponse), nil
}
