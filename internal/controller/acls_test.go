package controller

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestACLs(t *testing.T) {
	n := newNode(t, t.TempDir(), nil)
	mk := func(rt kmsg.ACLResourceType, name string, pt kmsg.ACLResourcePatternType, principal string, op kmsg.ACLOperation) kmsg.CreateACLsRequestCreation {
		c := kmsg.NewCreateACLsRequestCreation()
		c.ResourceType, c.ResourceName, c.ResourcePatternType = rt, name, pt
		c.Principal, c.Host, c.Operation, c.PermissionType = principal, "*", op, kmsg.ACLPermissionTypeAllow
		return c
	}
	topicT, lit, pre := kmsg.ACLResourceTypeTopic, kmsg.ACLResourcePatternTypeLiteral, kmsg.ACLResourcePatternTypePrefixed
	creations := []kmsg.CreateACLsRequestCreation{
		mk(topicT, "orders", lit, "User:alice", kmsg.ACLOperationRead),
		mk(topicT, "ord", pre, "User:bob", kmsg.ACLOperationWrite),
		mk(topicT, "*", lit, "User:carol", kmsg.ACLOperationDescribe),
		mk(topicT, "orders", lit, "User:alice", kmsg.ACLOperationRead), // duplicate: accepted, stored once
		mk(kmsg.ACLResourceTypeCluster, "other", lit, "User:x", kmsg.ACLOperationAlter),
		mk(topicT, "x", kmsg.ACLResourcePatternTypeMatch, "User:x", kmsg.ACLOperationRead),
		mk(topicT, "x", lit, "alice", kmsg.ACLOperationRead),
		mk(topicT, "x", lit, "User:x", kmsg.ACLOperationAny),
	}
	want := []int16{0, 0, 0, 0, kerr.InvalidRequest.Code, kerr.InvalidRequest.Code, kerr.InvalidRequest.Code, kerr.InvalidRequest.Code}
	req := kmsg.NewPtrCreateACLsRequest()
	req.Version, req.Creations = 3, creations
	r, err := n.ctrl.CreateACLs(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if r.Results[i].ErrorCode != w {
			t.Errorf("creation %d: code %d want %d", i, r.Results[i].ErrorCode, w)
		}
	}
	im := n.loader.Image()
	if len(im.ACLs) != 3 {
		t.Fatalf("acls %d", len(im.ACLs))
	}
	describe := func(name *string, pt kmsg.ACLResourcePatternType) int {
		d := kmsg.NewPtrDescribeACLsRequest()
		d.Version, d.ResourceType, d.ResourceName, d.ResourcePatternType = 3, kmsg.ACLResourceTypeAny, name, pt
		d.Operation, d.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
		resp := n.loader.Image().DescribeACLs(d)
		if resp.ErrorCode != 0 {
			t.Fatalf("describe error %d", resp.ErrorCode)
		}
		count := 0
		for _, res := range resp.Resources {
			count += len(res.ACLs)
		}
		return count
	}
	orders := "orders"
	if got := describe(nil, kmsg.ACLResourcePatternTypeAny); got != 3 {
		t.Fatalf("describe all: %d", got)
	}
	if got := describe(&orders, kmsg.ACLResourcePatternTypeMatch); got != 3 {
		t.Fatalf("describe match orders (literal, prefix, wildcard): %d", got)
	}
	if got := describe(&orders, lit); got != 1 {
		t.Fatalf("describe literal orders: %d", got)
	}
	dr := kmsg.NewPtrDeleteACLsRequest()
	dr.Version = 3
	f := kmsg.NewDeleteACLsRequestFilter()
	f.ResourceType, f.ResourceName, f.ResourcePatternType = kmsg.ACLResourceTypeTopic, &orders, kmsg.ACLResourcePatternTypeMatch
	f.Operation, f.PermissionType = kmsg.ACLOperationAny, kmsg.ACLPermissionTypeAny
	bad := f
	bad.Operation = kmsg.ACLOperationUnknown
	dr.Filters = []kmsg.DeleteACLsRequestFilter{f, bad}
	del, err := n.ctrl.DeleteACLs(ctx, dr)
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Results[0].MatchingACLs) != 3 || del.Results[1].ErrorCode != kerr.InvalidRequest.Code {
		t.Fatalf("delete: %+v", del.Results)
	}
	if len(n.loader.Image().ACLs) != 0 {
		t.Fatal("acls remain")
	}
}
