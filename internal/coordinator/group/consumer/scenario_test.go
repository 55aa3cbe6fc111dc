package consumer

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

func noBatching() Config {
	c := DefaultConfig()
	c.AssignmentInterval = 0
	return c
}

func expect(t *testing.T, what string, got, want any) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func expectOK(t *testing.T, r *kmsg.ConsumerGroupHeartbeatResponse) {
	t.Helper()
	if r.ErrorCode != 0 {
		t.Fatalf("error %v: %s", kerr.ErrorForCode(r.ErrorCode), deref(r.ErrorMessage))
	}
}

// Members join one by one; a partition moves only after its previous owner
// acknowledged the revocation, and partitions that stay never stop.
func TestJoinOneByOneRevokeBeforeAssign(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 6))
	foo := []string{"foo"}

	r := h.hb(hbReq{id: "a", topics: foo})
	expectOK(t, r)
	expect(t, "a epoch", r.MemberEpoch, int32(2))
	expect(t, "a assignment", respAssignment(r), "1:0,1,2,3,4,5")
	expect(t, "state", h.g.State(), "Stable")

	r = h.hb(hbReq{id: "b", topics: foo})
	expectOK(t, r)
	expect(t, "b epoch", r.MemberEpoch, int32(3))
	expect(t, "b gets nothing yet", respAssignment(r), "")
	expect(t, "b state", h.g.members["b"].state, MemberUnreleasedPartitions)
	expect(t, "group state", h.g.State(), "Reconciling")

	// a still owns everything at epoch 2; it must revoke 3 but keeps 3 flowing.
	r = h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1, 2, 3, 4, 5}}})
	expectOK(t, r)
	expect(t, "a epoch while revoking", r.MemberEpoch, int32(2))
	expect(t, "a keeps", respAssignment(r), "1:0,1,2")
	expect(t, "a state", h.g.members["a"].state, MemberUnrevokedPartitions)

	// b cannot take the partitions before a acknowledges.
	r = h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{}})
	expectOK(t, r)
	expect(t, "b still waiting, nothing new to send", respAssignment(r), "<none>")

	// a still reports the revoked partitions: nothing moves.
	r = h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1, 2, 3}}})
	expect(t, "a still revoking", h.g.members["a"].state, MemberUnrevokedPartitions)
	expect(t, "a response epoch", r.MemberEpoch, int32(2))

	r = h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1, 2}}})
	expectOK(t, r)
	expect(t, "a epoch after revoke", r.MemberEpoch, int32(3))
	expect(t, "a state", h.g.members["a"].state, MemberStable)

	r = h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{}})
	expectOK(t, r)
	expect(t, "b gets freed partitions", respAssignment(r), "1:3,4,5")
	expect(t, "group state", h.g.State(), "Stable")

	// Third member: each old member gives up one partition.
	r = h.hb(hbReq{id: "c", topics: foo})
	expect(t, "c epoch", r.MemberEpoch, int32(4))
	h.hb(hbReq{id: "a", epoch: 3, owned: map[byte][]int32{1: {0, 1, 2}}})
	h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{1: {3, 4, 5}}})
	expect(t, "a during revoke", h.assigned("a"), "1:0,1")
	expect(t, "b during revoke", h.assigned("b"), "1:3,4")
	h.hb(hbReq{id: "a", epoch: 3, owned: map[byte][]int32{1: {0, 1}}})
	h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{1: {3, 4}}})
	r = h.hb(hbReq{id: "c", epoch: 4, owned: map[byte][]int32{}})
	expect(t, "c assignment", respAssignment(r), "1:2,5")
	expect(t, "group state", h.g.State(), "Stable")
}

// A heartbeat with the previous epoch is accepted when the response that
// carried the new epoch was lost and the member owns a subset of its
// assignment; a future or older epoch is fenced.
func TestMemberEpochFencing(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 2))
	h.hb(hbReq{id: "a", topics: []string{"foo"}})
	h.hb(hbReq{id: "b", topics: []string{"foo"}}) // epoch 3
	h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})
	h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0}}}) // a -> epoch 2
	expect(t, "a epoch", h.g.members["a"].epoch, int32(3))

	r := h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0}}})
	expectOK(t, r)
	expect(t, "lost response retried", r.MemberEpoch, int32(3))

	for _, tc := range []struct {
		name  string
		epoch int32
		owned map[byte][]int32
	}{
		{"future epoch", 4, map[byte][]int32{1: {0}}},
		{"previous epoch without owned partitions", 2, nil},
		{"previous epoch owning more", 2, map[byte][]int32{1: {0, 1}}},
	} {
		r := h.hb(hbReq{id: "a", epoch: tc.epoch, owned: tc.owned})
		expect(t, tc.name, r.ErrorCode, kerr.FencedMemberEpoch.Code)
	}
	r = h.hb(hbReq{id: "zzz", epoch: 3})
	expect(t, "unknown member", r.ErrorCode, kerr.UnknownMemberID.Code)
}

func TestSessionTimeoutEvicts(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 4))
	h.hb(hbReq{id: "a", topics: []string{"foo"}})
	h.clk.Advance(20 * time.Second)
	h.hb(hbReq{id: "b", topics: []string{"foo"}})
	at, ok := h.g.NextDeadline()
	expect(t, "deadline set", ok, true)
	expect(t, "deadline is a's session", at.Equal(t0.Add(45*time.Second)), true)

	h.clk.Advance(25 * time.Second)
	h.timer()
	expect(t, "a evicted", h.assigned("a"), "<gone>")
	expect(t, "epoch bumped", h.g.epoch, int32(4))
	expect(t, "target recomputed", h.g.assignmentEpoch, int32(4))

	r := h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{}})
	expect(t, "b takes all", respAssignment(r), "1:0,1,2,3")
	expect(t, "b epoch", r.MemberEpoch, int32(4))
}

func TestRebalanceTimeoutFencesSlowRevoker(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 2))
	h.hb(hbReq{id: "a", topics: []string{"foo"}, timeout: 5000})
	h.hb(hbReq{id: "b", topics: []string{"foo"}})
	h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})
	expect(t, "a revoking", h.g.members["a"].state, MemberUnrevokedPartitions)
	h.clk.Advance(4 * time.Second)
	h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})
	h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{}})
	h.clk.Advance(time.Second)
	h.timer()
	expect(t, "a fenced", h.assigned("a"), "<gone>")
	r := h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0}}})
	expect(t, "a told", r.ErrorCode, kerr.UnknownMemberID.Code)
	r = h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{}})
	expect(t, "b takes all", respAssignment(r), "1:0,1")
}

func TestStaticMemberRejoinKeepsAssignment(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 4))
	h.hb(hbReq{id: "a", instance: "i-a", topics: []string{"foo"}})
	h.hb(hbReq{id: "b", topics: []string{"foo"}})
	h.hb(hbReq{id: "a", instance: "i-a", epoch: 2, owned: map[byte][]int32{1: {0, 1, 2, 3}}})
	h.hb(hbReq{id: "a", instance: "i-a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})
	h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{}})
	expect(t, "a", h.assigned("a"), "1:0,1")
	expect(t, "b", h.assigned("b"), "1:2,3")
	epoch := h.g.epoch

	r := h.hb(hbReq{id: "x", instance: "i-a", topics: []string{"foo"}})
	expect(t, "instance still in use", r.ErrorCode, kerr.UnreleasedInstanceID.Code)

	r = h.hb(hbReq{id: "a", instance: "i-a", epoch: LeaveGroupStaticEpoch})
	expectOK(t, r)
	expect(t, "leave epoch", r.MemberEpoch, LeaveGroupStaticEpoch)
	expect(t, "no rebalance on static leave", h.g.epoch, epoch)

	r = h.hb(hbReq{id: "a2", instance: "i-a", topics: []string{"foo"}})
	expectOK(t, r)
	expect(t, "rejoined epoch", r.MemberEpoch, int32(3))
	expect(t, "rejoined assignment", respAssignment(r), "1:0,1")
	expect(t, "old id gone", h.assigned("a"), "<gone>")
	expect(t, "no rebalance on static rejoin", h.g.epoch, epoch)
	expect(t, "b untouched", h.assigned("b"), "1:2,3")

	r = h.hb(hbReq{id: "a", instance: "i-a", epoch: 3, owned: map[byte][]int32{1: {0, 1}}})
	expect(t, "old member fenced", r.ErrorCode, kerr.FencedInstanceID.Code)

	r = h.hb(hbReq{id: "a2", instance: "i-a", topics: []string{"foo"}})
	expect(t, "active static member rejoining with epoch 0", r.ErrorCode, kerr.UnreleasedInstanceID.Code)
	r = h.hb(hbReq{id: "a2", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})
	expect(t, "static member found by id without instance id", r.ErrorCode, kerr.FencedMemberEpoch.Code)
}

func TestStaticMemberExpiresAfterLeave(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 2))
	h.hb(hbReq{id: "a", instance: "i-a", topics: []string{"foo"}})
	h.hb(hbReq{id: "a", instance: "i-a", epoch: LeaveGroupStaticEpoch})
	h.clk.Advance(45 * time.Second)
	h.timer()
	expect(t, "expired", h.assigned("a"), "<gone>")
	expect(t, "instance freed", len(h.g.static), 0)
	expect(t, "state", h.g.State(), "Empty")
}

func TestLeaveGroup(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 2))
	h.hb(hbReq{id: "a", topics: []string{"foo"}})
	h.hb(hbReq{id: "b", topics: []string{"foo"}})
	r := h.hb(hbReq{id: "b", epoch: LeaveGroupEpoch})
	expectOK(t, r)
	expect(t, "leave epoch", r.MemberEpoch, LeaveGroupEpoch)
	expect(t, "epoch bumped", h.g.epoch, int32(4))
	r = h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})
	expect(t, "unchanged assignment not resent", respAssignment(r), "<none>")
	expect(t, "a keeps everything", h.assigned("a"), "1:0,1")
	expect(t, "a epoch", r.MemberEpoch, int32(4))
	r = h.hb(hbReq{id: "b", epoch: LeaveGroupEpoch})
	expect(t, "double leave", r.ErrorCode, kerr.UnknownMemberID.Code)
}

func TestRegexPicksUpNewTopic(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo-1", 1), topic(2, "bar", 1))
	re := "foo-.*"
	r := h.hb(hbReq{id: "a", regex: &re})
	expectOK(t, r)
	expect(t, "initial", respAssignment(r), "1:0")

	h.setTopics(topic(1, "foo-1", 1), topic(2, "bar", 1), topic(3, "foo-2", 2))
	r = h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0}}})
	expectOK(t, r)
	expect(t, "new topic assigned", respAssignment(r), "1:0 3:0,1")
	expect(t, "epoch", r.MemberEpoch, int32(3))

	bad := "foo("
	r = h.hb(hbReq{id: "b", regex: &bad})
	expect(t, "bad regex", r.ErrorCode, kerr.InvalidRegularExpression.Code)
}

// A subscription change revokes the unsubscribed topic's partitions.
func TestSubscriptionChange(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 1), topic(2, "bar", 1))
	h.hb(hbReq{id: "a", topics: []string{"foo", "bar"}})
	r := h.hb(hbReq{id: "a", epoch: 2, topics: []string{"bar"}, owned: map[byte][]int32{1: {0}, 2: {0}}})
	expect(t, "revoking foo", respAssignment(r), "2:0")
	expect(t, "state", h.g.members["a"].state, MemberUnrevokedPartitions)
	r = h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{2: {0}}})
	expect(t, "stable", h.g.members["a"].state, MemberStable)
	expect(t, "epoch", r.MemberEpoch, int32(3))
}

// With assignment batching, a join shortly after an assignment waits for
// the interval; the deferred computation runs from OnTimer.
func TestAssignmentBatching(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AssignmentInterval = time.Second
	h := newHarness(t, cfg, topic(1, "foo", 2))
	h.hb(hbReq{id: "a", topics: []string{"foo"}})
	expect(t, "first assignment immediate", h.g.assignmentEpoch, int32(2))
	h.clk.Advance(100 * time.Millisecond)
	r := h.hb(hbReq{id: "b", topics: []string{"foo"}})
	expect(t, "b waits at old epoch", r.MemberEpoch, int32(2))
	expect(t, "group assigning", h.g.State(), "Assigning")
	h.clk.Advance(100 * time.Millisecond)
	h.hb(hbReq{id: "c", topics: []string{"foo"}})
	at, _ := h.g.NextDeadline()
	expect(t, "deferred at", at.Equal(t0.Add(time.Second)), true)
	h.clk.Advance(800 * time.Millisecond)
	h.timer()
	expect(t, "one computation for both joins", h.g.assignmentEpoch, int32(4))
	expect(t, "a revokes", respAssignment(h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})) != "1:0,1", true)
}

func TestGroupMaxSizeAndAssignorChoice(t *testing.T) {
	cfg := noBatching()
	cfg.MaxSize = 1
	h := newHarness(t, cfg, topic(1, "foo", 2))
	h.hb(hbReq{id: "a", topics: []string{"foo"}, assignor: "range"})
	expect(t, "assignor", h.g.Describe().AssignorName, "range")
	r := h.hb(hbReq{id: "b", topics: []string{"foo"}})
	expect(t, "max size", r.ErrorCode, kerr.GroupMaxSizeReached.Code)
	r = h.hb(hbReq{id: "c", topics: []string{"foo"}, assignor: "sticky"})
	expect(t, "unsupported assignor", r.ErrorCode, kerr.UnsupportedAssignor.Code)
}

func TestV0GeneratesMemberID(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 1))
	req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	req.Group, req.RebalanceTimeoutMillis, req.SubscribedTopicNames = "g", 1000, []string{"foo"}
	req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
	resp, recs := h.g.Heartbeat(req, Client{})
	h.record(recs)
	expectOK(t, resp)
	expect(t, "generated id", deref(resp.MemberID), "gen-1")
}

func TestRequestValidation(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 1))
	empty := ""
	for _, tc := range []struct {
		name string
		mod  func(*kmsg.ConsumerGroupHeartbeatRequest)
		code int16
	}{
		{"empty group", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.Group = "" }, kerr.InvalidRequest.Code},
		{"empty member id v1", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.MemberID = "" }, kerr.InvalidRequest.Code},
		{"empty instance id", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.InstanceID = &empty }, kerr.InvalidRequest.Code},
		{"empty rack", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.RackID = &empty }, kerr.InvalidRequest.Code},
		{"bad epoch", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.MemberEpoch = -3 }, kerr.InvalidRequest.Code},
		{"no rebalance timeout on join", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.RebalanceTimeoutMillis = -1 }, kerr.InvalidRequest.Code},
		{"no subscription on join", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.SubscribedTopicNames = nil }, kerr.InvalidRequest.Code},
		{"null owned partitions on join", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.Topics = nil }, kerr.InvalidRequest.Code},
		{"owned partitions on join", func(r *kmsg.ConsumerGroupHeartbeatRequest) {
			r.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{{Partitions: []int32{0}}}
		}, kerr.InvalidRequest.Code},
		{"static leave without instance", func(r *kmsg.ConsumerGroupHeartbeatRequest) { r.MemberEpoch = -2 }, kerr.InvalidRequest.Code},
		{"unknown assignor", func(r *kmsg.ConsumerGroupHeartbeatRequest) { s := "x"; r.ServerAssignor = &s }, kerr.UnsupportedAssignor.Code},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
			req.Version, req.Group, req.MemberID = 1, "g", "m"
			req.RebalanceTimeoutMillis, req.SubscribedTopicNames = 1000, []string{"foo"}
			req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
			tc.mod(req)
			resp, recs := h.g.Heartbeat(req, Client{})
			expect(t, "code", resp.ErrorCode, tc.code)
			expect(t, "no records", len(recs), 0)
			if resp.ErrorMessage == nil || *resp.ErrorMessage == "" {
				t.Fatal("no error message")
			}
		})
	}
}

func TestValidateOffsetCommit(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 2))
	foo := assignor.TopicID{1}
	if v, err := h.g.ValidateOffsetCommit("", -1); err != nil || v(foo, 0) != nil {
		t.Fatal("admin commit to an empty group refused")
	}
	h.hb(hbReq{id: "a", topics: []string{"foo"}})                      // a: epoch 2, 0 and 1 @2
	h.hb(hbReq{id: "b", topics: []string{"foo"}})                      // epoch 3
	h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}}) // a revokes 1
	h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0}}})    // a -> epoch 3, keeps 0 @2
	h.hb(hbReq{id: "b", epoch: 3, owned: map[byte][]int32{}})          // b gets 1 @3

	for _, tc := range []struct {
		name      string
		member    string
		epoch     int32
		partition int32
		err       *kerr.Error
		partErr   *kerr.Error
	}{
		{"current epoch", "a", 3, 0, nil, nil},
		{"older epoch, partition held since", "a", 2, 0, nil, nil},
		{"older epoch, partition moved away", "a", 2, 1, nil, kerr.StaleMemberEpoch},
		{"older epoch than assignment", "b", 2, 1, nil, kerr.StaleMemberEpoch},
		{"future epoch", "a", 4, 0, kerr.StaleMemberEpoch, nil},
		{"unknown member", "zz", 3, 0, kerr.UnknownMemberID, nil},
		{"admin commit on live group", "", -1, 0, kerr.UnknownMemberID, nil},
	} {
		v, err := h.g.ValidateOffsetCommit(tc.member, tc.epoch)
		if err != tc.err {
			t.Fatalf("%s: got %v, want %v", tc.name, err, tc.err)
		}
		if err == nil {
			if got := v(foo, tc.partition); got != tc.partErr {
				t.Fatalf("%s: partition error %v, want %v", tc.name, got, tc.partErr)
			}
		}
	}
}

func TestDescribe(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 2))
	h.hb(hbReq{id: "a", topics: []string{"foo"}, rack: "r1", instance: "i1"})
	d := h.g.Describe()
	expect(t, "state", d.State, "Stable")
	expect(t, "epoch", d.Epoch, int32(2))
	expect(t, "assignor", d.AssignorName, "uniform")
	expect(t, "members", len(d.Members), 1)
	m := d.Members[0]
	expect(t, "client", m.ClientID, "client-a")
	expect(t, "rack", deref(m.RackID), "r1")
	expect(t, "topic", m.Assignment.TopicPartitions[0].Topic, "foo")
	expect(t, "target", len(m.TargetAssignment.TopicPartitions[0].Partitions), 2)
}

func TestNewRejectsUnknownAssignor(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Assignors = []string{"cooperative-sticky"}
	if _, err := New("g", cfg, nil); err == nil {
		t.Fatal("accepted unknown assignor")
	}
}

func TestReplayRejectsForeignRecord(t *testing.T) {
	h := newHarness(t, noBatching())
	if err := h.g.Replay(&GroupMetadataRecord{Group: "other", Epoch: 1}); err == nil {
		t.Fatal("replayed a record of another group")
	}
}

func TestDescribeGroupsUnknown(t *testing.T) {
	h := newHarness(t, noBatching(), topic(1, "foo", 1))
	req := kmsg.NewPtrConsumerGroupDescribeRequest()
	req.Groups = []string{"g", "missing"}
	resp := DescribeGroups(req, func(id string) (*Group, bool) { return h.g, id == "g" })
	expect(t, "groups", len(resp.Groups), 2)
	expect(t, "known", resp.Groups[0].ErrorCode, int16(0))
	expect(t, "known state", resp.Groups[0].State, "Empty")
	expect(t, "missing", resp.Groups[1].ErrorCode, kerr.GroupIDNotFound.Code)
}

// Dropping a topic revokes its partitions at once even while the target
// assignment waits for the assignment interval (KIP-1263); Describe keeps
// reporting them until the member has let go.
func TestUnsubscribeRevokesBeforeNextAssignment(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AssignmentInterval = time.Second
	h := newHarness(t, cfg, topic(1, "foo", 2), topic(2, "bar", 1))
	h.hb(hbReq{id: "a", topics: []string{"foo", "bar"}})
	all := map[byte][]int32{1: {0, 1}, 2: {0}}
	r := h.hb(hbReq{id: "a", epoch: 2, topics: []string{"foo"}, owned: all})
	expect(t, "bar revoked", respAssignment(r), "1:0,1")
	expect(t, "epoch unchanged", r.MemberEpoch, int32(2))
	expect(t, "group waits", h.g.State(), "Assigning")
	expect(t, "describe includes revoking", len(h.g.Describe().Members[0].Assignment.TopicPartitions), 2)
	r = h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})
	expect(t, "revocation done", h.g.members["a"].state, MemberStable)
	h.clk.Advance(time.Second)
	h.timer()
	r = h.hb(hbReq{id: "a", epoch: 2, owned: map[byte][]int32{1: {0, 1}}})
	expect(t, "new epoch", r.MemberEpoch, int32(3))
	expect(t, "nothing to resend", respAssignment(r), "<none>")
}
