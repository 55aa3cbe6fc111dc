package group

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

var wiringTopic = assignor.Topic{ID: assignor.TopicID{1}, Name: "orders", Partitions: 4}

func (h *harness) setTopics(ts ...assignor.Topic) {
	h.c.topics.set(ts)
	if err := h.c.read("x", func(s *shard) error { s.refreshMetadata(); return nil }); err != nil {
		h.t.Fatal(err)
	}
}

// cgHeartbeat sends a v1 heartbeat owning what the last answer assigned.
func (h *harness) cgHeartbeat(group, member string, epoch int32, owned *kmsg.ConsumerGroupHeartbeatResponseAssignment) *kmsg.ConsumerGroupHeartbeatResponse {
	req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	req.Version = 1
	req.Group, req.MemberID, req.MemberEpoch = group, member, epoch
	if epoch == 0 {
		req.RebalanceTimeoutMillis = 60000
		req.SubscribedTopicNames = []string{"orders"}
	}
	req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
	if owned != nil {
		for _, t := range owned.Topics {
			rt := kmsg.NewConsumerGroupHeartbeatRequestTopic()
			rt.TopicID, rt.Partitions = t.TopicID, t.Partitions
			req.Topics = append(req.Topics, rt)
		}
	}
	return h.c.ConsumerGroupHeartbeat(context.Background(), req, "client", "/127.0.0.1")
}

type cgMember struct {
	id    string
	epoch int32
	owned *kmsg.ConsumerGroupHeartbeatResponseAssignment
}

func (h *harness) beat(group string, m *cgMember) {
	r := h.cgHeartbeat(group, m.id, m.epoch, m.owned)
	if r.ErrorCode != 0 {
		h.t.Fatalf("heartbeat of %s: code %d %v", m.id, r.ErrorCode, r.ErrorMessage)
	}
	m.epoch = r.MemberEpoch
	if r.Assignment != nil {
		m.owned = r.Assignment
	}
}

func ownedCount(ms ...*cgMember) int {
	n := 0
	for _, m := range ms {
		if m.owned != nil {
			for _, t := range m.owned.Topics {
				n += len(t.Partitions)
			}
		}
	}
	return n
}

func TestConsumerGroupWiring(t *testing.T) {
	h := newHarness(t, testConfig())
	h.setTopics(wiringTopic)
	a, b := &cgMember{id: "member-a"}, &cgMember{id: "member-b"}
	for i := 0; ; i++ {
		h.beat("cg", a)
		h.beat("cg", b)
		if ownedCount(a, b) == 4 && ownedCount(a) == 2 {
			break
		}
		if i == 20 {
			t.Fatalf("members never shared the 4 partitions: a %d, b %d", ownedCount(a), ownedCount(b))
		}
		h.clk.Advance(time.Second)
	}

	if r := h.cgHeartbeat("nope", "m", 3, nil); r.ErrorCode != kerr.GroupIDNotFound.Code || *r.ErrorMessage != "Consumer group nope not found." {
		t.Fatalf("heartbeat to a missing group: %d %v", r.ErrorCode, r.ErrorMessage)
	}

	commit := func(member string, epoch int32) int16 {
		req := kmsg.NewPtrOffsetCommitRequest()
		req.Version = 9
		req.Group, req.MemberID, req.Generation = "cg", member, epoch
		rt := kmsg.NewOffsetCommitRequestTopic()
		rt.Topic = "orders"
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset = a.owned.Topics[0].Partitions[0], 42
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		return h.c.OffsetCommit(context.Background(), req).Topics[0].Partitions[0].ErrorCode
	}
	for _, tc := range []struct {
		name   string
		member string
		epoch  int32
		want   int16
	}{
		{"future epoch", a.id, a.epoch + 1, kerr.StaleMemberEpoch.Code},
		{"unknown member", "ghost", 1, kerr.UnknownMemberID.Code},
		{"admin commit to a live group", "", -1, kerr.UnknownMemberID.Code},
		{"current epoch", a.id, a.epoch, 0},
	} {
		if got := commit(tc.member, tc.epoch); got != tc.want {
			t.Errorf("%s: code %d, want %d", tc.name, got, tc.want)
		}
	}

	fetch := func(member *string, epoch int32) int16 {
		req := kmsg.NewPtrOffsetFetchRequest()
		req.Version = 9
		rg := kmsg.NewOffsetFetchRequestGroup()
		rg.Group, rg.MemberID, rg.MemberEpoch = "cg", member, epoch
		req.Groups = append(req.Groups, rg)
		return h.c.OffsetFetch(context.Background(), req).Groups[0].ErrorCode
	}
	for _, tc := range []struct {
		name   string
		member *string
		epoch  int32
		want   int16
	}{
		{"admin", nil, -1, 0},
		{"member", kmsg.StringPtr(a.id), a.epoch, 0},
		{"future epoch", kmsg.StringPtr(a.id), a.epoch + 1, kerr.StaleMemberEpoch.Code},
		{"unknown member", kmsg.StringPtr("ghost"), 1, kerr.UnknownMemberID.Code},
	} {
		if got := fetch(tc.member, tc.epoch); got != tc.want {
			t.Errorf("offset fetch by %s: code %d, want %d", tc.name, got, tc.want)
		}
	}

	// Group ids are shared: a classic join to a live consumer group must
	// speak the embedded consumer protocol.
	connect := joinReq("cg", "", "")
	connect.ProtocolType = "connect"
	jr := h.join(connect, "classic")()
	if jr == nil || jr.ErrorCode != kerr.InconsistentGroupProtocol.Code {
		t.Fatalf("classic join to a consumer group: %+v", jr)
	}
	dg := h.c.DescribeGroups(&kmsg.DescribeGroupsRequest{Version: 6, Groups: []string{"cg"}}).Groups[0]
	if dg.ErrorCode != kerr.GroupIDNotFound.Code || dg.State != "Dead" {
		t.Fatalf("classic describe of a consumer group: %+v", dg)
	}

	// A restart replays the group from its records.
	before := h.c.ConsumerGroupDescribe(&kmsg.ConsumerGroupDescribeRequest{Groups: []string{"cg"}}).Groups[0]
	h.restart(testConfig())
	h.setTopics(wiringTopic)
	after := h.c.ConsumerGroupDescribe(&kmsg.ConsumerGroupDescribeRequest{Groups: []string{"cg"}}).Groups[0]
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("after restart:\n%+v\nbefore:\n%+v", after, before)
	}
	lg := h.c.ListGroups(&kmsg.ListGroupsRequest{Version: 5, TypesFilter: []string{"consumer"}})
	if len(lg.Groups) != 1 || lg.Groups[0].Group != "cg" || lg.Groups[0].GroupType != "consumer" {
		t.Fatalf("ListGroups(consumer): %+v", lg.Groups)
	}

	del := func() int16 {
		return h.c.DeleteGroups(context.Background(), &kmsg.DeleteGroupsRequest{Groups: []string{"cg"}}).Groups[0].ErrorCode
	}
	if code := del(); code != kerr.NonEmptyGroup.Code {
		t.Fatalf("delete of a live group: code %d", code)
	}
	// Members that stop heartbeating expire; the empty group can be deleted.
	h.clk.Advance(time.Minute)
	if code := del(); code != 0 {
		t.Fatalf("delete of an empty group: code %d", code)
	}
	h.restart(testConfig())
	if d := h.c.ConsumerGroupDescribe(&kmsg.ConsumerGroupDescribeRequest{Groups: []string{"cg"}}).Groups[0]; d.ErrorCode != kerr.GroupIDNotFound.Code {
		t.Fatalf("deleted group after restart: %+v", d)
	}
	if got := h.c.OffsetFetch(context.Background(), &kmsg.OffsetFetchRequest{Version: 7, Group: "cg"}); len(got.Topics) != 0 {
		t.Fatalf("offsets of a deleted group: %+v", got.Topics)
	}
}
