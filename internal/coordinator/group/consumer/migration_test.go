package consumer

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

func TestParseMigrationPolicy(t *testing.T) {
	for _, tc := range []struct {
		in                string
		want              MigrationPolicy
		upgrade, downgrad bool
		bad               bool
	}{
		{"bidirectional", MigrationBidirectional, true, true, false},
		{"BiDirectional", MigrationBidirectional, true, true, false},
		{"upgrade", MigrationUpgrade, true, false, false},
		{"DOWNGRADE", MigrationDowngrade, false, true, false},
		{"disabled", MigrationDisabled, false, false, false},
		{"both", 0, false, false, true},
		{"", 0, false, false, true},
	} {
		got, err := ParseMigrationPolicy(tc.in)
		if (err != nil) != tc.bad {
			t.Fatalf("%q: error %v", tc.in, err)
		}
		if tc.bad {
			continue
		}
		if got != tc.want || got.UpgradeAllowed() != tc.upgrade || got.DowngradeAllowed() != tc.downgrad || got.String() != policyNames[tc.want] {
			t.Fatalf("%q: %v upgrade=%v downgrade=%v", tc.in, got, got.UpgradeAllowed(), got.DowngradeAllowed())
		}
	}
	if PolicyOf("nonsense") != MigrationBidirectional {
		t.Fatal("PolicyOf of an unknown value is not Kafka's default")
	}
}

func subscriptionBytes(version int16, topics []string, userData []byte) []byte {
	s := kmsg.NewConsumerMemberMetadata()
	s.Version, s.Topics, s.UserData = version, topics, userData
	return s.AppendTo(nil)
}

func assignmentBytes(userData []byte, topic string, parts ...int32) []byte {
	a := kmsg.NewConsumerMemberAssignment()
	a.Version = 1
	if topic != "" {
		at := kmsg.NewConsumerMemberAssignmentTopic()
		at.Topic, at.Partitions = topic, parts
		a.Topics = append(a.Topics, at)
	}
	a.UserData = userData
	return a.AppendTo(nil)
}

func TestFromClassic(t *testing.T) {
	md := Metadata{Version: 1, Topics: []assignor.Topic{topic(1, "orders", 4)}}
	member := func(id string, asg []byte) ClassicMember {
		return ClassicMember{MemberID: id, ClientID: "c", ClientHost: "/h", RebalanceTimeoutMs: 30000, SessionTimeoutMs: 10000,
			Protocols:    []ClassicProtocol{{Name: "range", Metadata: subscriptionBytes(1, []string{"orders"}, nil)}},
			Subscription: subscriptionBytes(1, []string{"orders"}, nil), Assignment: asg}
	}
	for _, tc := range []struct {
		name    string
		members []ClassicMember
		reason  string
	}{
		{"garbage assignment", []ClassicMember{member("a", []byte{0})}, reasonMalformed},
		{"garbage subscription", []ClassicMember{{MemberID: "a", Subscription: []byte{0}, Assignment: assignmentBytes(nil, "orders", 0)}},
			reasonMalformed},
		{"assignor user data", []ClassicMember{member("a", assignmentBytes([]byte{1}, "orders", 0))}, reasonCustom},
	} {
		_, _, err := FromClassic("g", 3, tc.members, Config{}, clock.NewManual(t0), md)
		var ue *UpgradeError
		if !errors.As(err, &ue) || ue.Reason != tc.reason {
			t.Fatalf("%s: error %v, want reason %q", tc.name, err, tc.reason)
		}
	}

	// Members keep their classic assignment at the generation; partitions
	// of unknown topics are dropped, and a member that has no assignment yet
	// starts with none.
	clk := clock.NewManual(t0)
	g, recs, err := FromClassic("g", 3, []ClassicMember{
		member("a", assignmentBytes(nil, "orders", 0, 1)),
		member("b", assignmentBytes(nil, "gone", 7)),
		member("c", nil),
	}, Config{}, clk, md)
	if err != nil {
		t.Fatal(err)
	}
	var types []int16
	for _, r := range recs {
		types = append(types, r.Type())
	}
	if want := []int16{5, 5, 5, 3, 7, 7, 7, 6, 8, 8, 8}; !reflect.DeepEqual(types, want) {
		t.Fatalf("record types %v, want %v", types, want)
	}
	d := g.Describe()
	if d.Epoch != 3 || d.AssignmentEpoch != 3 || d.State != "Stable" || len(d.Members) != 3 {
		t.Fatalf("converted group: %+v", d)
	}
	if m := d.Members[0]; m.MemberType != memberTypeClassic || m.MemberEpoch != 3 || len(m.Assignment.TopicPartitions) != 1 ||
		!reflect.DeepEqual(m.Assignment.TopicPartitions[0].Partitions, []int32{0, 1}) {
		t.Fatalf("member a: %+v", m)
	}
	if m := d.Members[1]; len(m.Assignment.TopicPartitions) != 0 {
		t.Fatalf("member b kept a partition of an unknown topic: %+v", m.Assignment)
	}
	// Classic members expire with their own session timeout (10s).
	clk.Advance(10 * time.Second)
	if out := g.OnTimer(); len(out) == 0 || !g.IsEmpty() {
		t.Fatalf("classic members did not expire after their session timeout: %d records, empty=%v", len(out), g.IsEmpty())
	}
}

func TestClassicMembersInConsumerGroup(t *testing.T) {
	h := newHarness(t, Config{}, topic(1, "orders", 2))
	h.hb(hbReq{id: "m1", topics: []string{"orders"}})
	sub := subscriptionBytes(1, []string{"orders"}, nil)
	join := ClassicJoinRequest{Version: 9, ClientID: "c", ClientHost: "/h", SessionTimeoutMs: 10000, RebalanceTimeoutMs: 30000,
		ProtocolType: ProtocolType, Protocols: []ClassicProtocol{{Name: "range", Metadata: sub}}}

	res, out := h.g.ClassicJoin(join)
	if res.Err != kerr.MemberIDRequired || res.MemberID == "" || len(out) != 0 {
		t.Fatalf("join without member id: %+v, %d records", res, len(out))
	}
	join.MemberID = res.MemberID
	res, out = h.g.ClassicJoin(join)
	h.record(out)
	if res.Err != nil || res.Protocol != "range" || res.Generation <= 0 {
		t.Fatalf("join: %+v", res)
	}
	for _, tc := range []struct {
		name string
		req  ClassicSyncRequest
		want *kerr.Error
	}{
		{"unknown member", ClassicSyncRequest{MemberID: "x", Generation: res.Generation}, kerr.UnknownMemberID},
		{"consumer-protocol member", ClassicSyncRequest{MemberID: "m1", Generation: 2}, kerr.UnknownMemberID},
		{"old generation", ClassicSyncRequest{MemberID: res.MemberID, Generation: res.Generation - 1}, kerr.IllegalGeneration},
		{"other protocol", ClassicSyncRequest{MemberID: res.MemberID, Generation: res.Generation, Protocol: kmsg.StringPtr("roundrobin")}, kerr.InconsistentGroupProtocol},
		{"other protocol type", ClassicSyncRequest{MemberID: res.MemberID, Generation: res.Generation, ProtocolType: kmsg.StringPtr("connect")}, kerr.InconsistentGroupProtocol},
		{"ok", ClassicSyncRequest{MemberID: res.MemberID, Generation: res.Generation, Protocol: kmsg.StringPtr("range")}, nil},
	} {
		if got := h.g.ClassicSync(tc.req); got.Err != tc.want {
			t.Fatalf("sync %s: %v, want %v", tc.name, got.Err, tc.want)
		}
	}
	for _, tc := range []struct {
		name       string
		generation int32
		want       *kerr.Error
	}{
		{"current", res.Generation, nil},
		{"stale", res.Generation - 1, kerr.IllegalGeneration},
	} {
		if v, e := h.g.ValidateOffsetCommit(res.MemberID, tc.generation); e != tc.want || (e == nil && v == nil) {
			t.Fatalf("commit %s: %v, want %v", tc.name, e, tc.want)
		}
	}
	if !h.g.SupportsClassicProtocols(ProtocolType, []ClassicProtocol{{Name: "range"}}) ||
		h.g.SupportsClassicProtocols(ProtocolType, []ClassicProtocol{{Name: "roundrobin"}}) ||
		h.g.SupportsClassicProtocols("connect", []ClassicProtocol{{Name: "range"}}) {
		t.Fatal("protocol support does not follow the classic members' protocols")
	}

	// The consumer-protocol member leaves: only a classic member remains,
	// so the group tombstones itself and hands over a classic group.
	if resp := h.hb(hbReq{id: "m1", epoch: LeaveGroupEpoch}); resp.ErrorCode != 0 {
		t.Fatalf("leave: code %d", resp.ErrorCode)
	}
	d := h.g.TakeDowngrade()
	if d == nil || len(d.Members) != 1 || d.Members[0].MemberID != res.MemberID || d.Members[0].SessionTimeoutMs != 10000 {
		t.Fatalf("downgrade: %+v", d)
	}
	if last := h.log[len(h.log)-1]; last.Type() != TypeGroupMetadata || !last.IsTombstone() || !h.g.IsEmpty() {
		t.Fatalf("downgrade records end with %T tombstone=%v; group empty=%v", last, last.IsTombstone(), h.g.IsEmpty())
	}
	if h.g.TakeDowngrade() != nil {
		t.Fatal("a downgrade is handed over twice")
	}
}
