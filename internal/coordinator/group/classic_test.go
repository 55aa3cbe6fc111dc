package group

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// rebalanceTwo brings members a and b into a stable generation 1.
func rebalanceTwo(h *harness) (a, b string) {
	h.t.Helper()
	a, ja := h.joinNew("g", "a")
	b, jb := h.joinNew("g", "b")
	if ja() != nil || jb() != nil {
		h.t.Fatal("joins answered during the initial rebalance delay")
	}
	// b arrived during the delay, which therefore runs once more.
	h.clk.Advance(3 * time.Second)
	if ja() != nil {
		h.t.Fatal("initial delay not extended for a member that joined during it")
	}
	h.clk.Advance(3 * time.Second)
	ra, rb := ja(), jb()
	if ra == nil || rb == nil || ra.ErrorCode != 0 || rb.ErrorCode != 0 {
		h.t.Fatalf("joins after the delay: %+v %+v", ra, rb)
	}
	if ra.Generation != 1 || ra.LeaderID != a || len(ra.Members) != 2 || len(rb.Members) != 0 || *ra.Protocol != "range" {
		h.t.Fatalf("join responses: leader %+v follower %+v", ra, rb)
	}
	sb := h.sync("g", b, 1, nil)
	if sb() != nil {
		h.t.Fatal("follower sync answered before the leader's")
	}
	sa := h.sync("g", a, 1, map[string]string{a: "pa", b: "pb"})
	if string(sa().MemberAssignment) != "pa" || string(sb().MemberAssignment) != "pb" {
		h.t.Fatalf("assignments %q %q", sa().MemberAssignment, sb().MemberAssignment)
	}
	if got := h.state("g"); got != "Stable gen members=2" {
		h.t.Fatalf("state %s", got)
	}
	return a, b
}

func TestClassicRebalance(t *testing.T) {
	h := newHarness(t, testConfig())
	a, b := rebalanceTwo(h)
	if code := h.heartbeat("g", a, 1); code != 0 {
		t.Fatalf("heartbeat: %d", code)
	}
	// b rejoins with new metadata: everyone must rejoin.
	jb := h.join(joinReq("g", b, "", "range", "roundrobin"), "b")
	if code := h.heartbeat("g", a, 1); code != kerr.RebalanceInProgress.Code {
		t.Fatalf("heartbeat during rebalance: %d", code)
	}
	ja := h.join(joinReq("g", a, ""), "a")
	if ja() == nil || jb() == nil || ja().Generation != 2 || *ja().Protocol != "range" {
		t.Fatalf("second generation: %+v %+v", ja(), jb())
	}
}

func TestClassicErrors(t *testing.T) {
	h := newHarness(t, testConfig())
	a, _ := rebalanceTwo(h)
	bad := joinReq("g", "", "")
	bad.SessionTimeoutMillis = 1000
	other := joinReq("g", "", "", "roundrobin")
	other.ProtocolType = "consumer"
	connect := joinReq("g", "", "")
	connect.ProtocolType = "connect"
	for _, tc := range []struct {
		name string
		got  func() int16
		want *kerr.Error
	}{
		{"session timeout below the minimum", func() int16 { return h.join(bad, "x")().ErrorCode }, kerr.InvalidSessionTimeout},
		{"no common protocol", func() int16 { return h.join(other, "x")().ErrorCode }, kerr.InconsistentGroupProtocol},
		{"other protocol type", func() int16 { return h.join(connect, "x")().ErrorCode }, kerr.InconsistentGroupProtocol},
		{"empty group id", func() int16 { return h.join(joinReq("", "", ""), "x")().ErrorCode }, kerr.InvalidGroupID},
		{"unknown member joins", func() int16 { return h.join(joinReq("g", "ghost", ""), "x")().ErrorCode }, kerr.UnknownMemberID},
		{"unknown member in a new group", func() int16 { return h.join(joinReq("new", "ghost", ""), "x")().ErrorCode }, kerr.UnknownMemberID},
		{"sync from unknown member", func() int16 { return h.sync("g", "ghost", 1, nil)().ErrorCode }, kerr.UnknownMemberID},
		{"sync with old generation", func() int16 { return h.sync("g", a, 0, nil)().ErrorCode }, kerr.IllegalGeneration},
		{"sync v5 without protocol name", func() int16 {
			req := kmsg.NewPtrSyncGroupRequest()
			req.Version = 5
			req.Group, req.MemberID, req.Generation = "g", a, 1
			req.ProtocolType = kmsg.StringPtr("consumer")
			return h.c.SyncGroup(context.Background(), req).ErrorCode
		}, kerr.InconsistentGroupProtocol},
		{"heartbeat with old generation", func() int16 { return h.heartbeat("g", a, 0) }, kerr.IllegalGeneration},
		{"heartbeat to unknown group", func() int16 { return h.heartbeat("nope", a, 1) }, kerr.UnknownMemberID},
		{"commit with old generation", func() int16 { return h.commit("g", a, 0, "t", 0, 1) }, kerr.IllegalGeneration},
		{"commit from unknown member", func() int16 { return h.commit("g", "ghost", 1, "t", 0, 1) }, kerr.UnknownMemberID},
		{"simple commit to an active group", func() int16 { return h.commit("g", "", -1, "t", 0, 1) }, kerr.UnknownMemberID},
		{"member commit to a group that does not exist", func() int16 { return h.commit("nope", "m", 1, "t", 0, 1) }, kerr.IllegalGeneration},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.got(); got != tc.want.Code {
				t.Fatalf("code %d (%v), want %v", got, kerr.ErrorForCode(got), tc.want)
			}
		})
	}
}

func TestGroupMaxSize(t *testing.T) {
	cfg := testConfig()
	cfg.MaxSize = 1
	h := newHarness(t, cfg)
	h.joinNew("g", "a")
	if r := h.join(joinReq("g", "", ""), "b")(); r.ErrorCode != kerr.GroupMaxSizeReached.Code {
		t.Fatalf("second member: %+v", r)
	}
}

func TestSessionExpiryEmptiesGroup(t *testing.T) {
	h := newHarness(t, testConfig())
	a, b := rebalanceTwo(h)
	// Only a heartbeats; b's 10 s session runs out and a must rejoin.
	for i := 0; i < 3; i++ {
		h.clk.Advance(4 * time.Second)
		h.heartbeat("g", a, 1)
	}
	if got := h.state("g"); got != "PreparingRebalance gen members=1" {
		t.Fatalf("after b expired: %s", got)
	}
	if code := h.heartbeat("g", b, 1); code != kerr.UnknownMemberID.Code {
		t.Fatalf("expired member heartbeat: %d", code)
	}
	ja := h.join(joinReq("g", a, ""), "a")
	if r := ja(); r == nil || r.Generation != 2 || len(r.Members) != 1 {
		t.Fatalf("rejoin: %+v", r)
	}
	h.sync("g", a, 2, map[string]string{a: "all"})
	h.clk.Advance(11 * time.Second)
	if got := h.state("g"); got != "Empty gen members=0" {
		t.Fatalf("after a expired too: %s", got)
	}
}

func TestStaticMemberReplacesAndFences(t *testing.T) {
	h := newHarness(t, testConfig())
	j := h.join(joinReq("g", "", "inst-1"), "c1")
	h.clk.Advance(3 * time.Second)
	old := j()
	if old == nil || old.ErrorCode != 0 || old.Generation != 1 {
		t.Fatalf("static join: %+v", old)
	}
	h.sync("g", old.MemberID, 1, map[string]string{old.MemberID: "p"})
	// The same instance restarts: it gets a new member id at once, with no
	// rebalance, and the old id is fenced.
	r := h.join(joinReq("g", "", "inst-1"), "c1")()
	if r == nil || r.ErrorCode != 0 || r.MemberID == old.MemberID || r.Generation != 1 {
		t.Fatalf("static rejoin: %+v", r)
	}
	if got := h.state("g"); got != "Stable gen members=1" {
		t.Fatalf("state %s", got)
	}
	req := joinReq("g", old.MemberID, "inst-1")
	if code := h.join(req, "c1")().ErrorCode; code != kerr.FencedInstanceID.Code {
		t.Fatalf("old member id: %d", code)
	}
}

func TestLeaveGroup(t *testing.T) {
	h := newHarness(t, testConfig())
	a, b := rebalanceTwo(h)
	leave := func(members ...string) []int16 {
		req := newLeave("g", members...)
		resp := h.c.LeaveGroup(context.Background(), req)
		var codes []int16
		for _, m := range resp.Members {
			codes = append(codes, m.ErrorCode)
		}
		return codes
	}
	if codes := leave(b, "ghost"); codes[0] != 0 || codes[1] != kerr.UnknownMemberID.Code {
		t.Fatalf("leave codes %v", codes)
	}
	// As Kafka, leaving a group that does not exist succeeds, with each
	// member unknown.
	if resp := h.c.LeaveGroup(context.Background(), newLeave("nope", "m")); resp.ErrorCode != 0 || resp.Members[0].ErrorCode != kerr.UnknownMemberID.Code {
		t.Fatalf("leave an unknown group: %+v", resp)
	}
	// a is the only member left, but it has not rejoined yet.
	if got := h.state("g"); got != "PreparingRebalance gen members=1" {
		t.Fatalf("state %s", got)
	}
	leave(a)
	if got := h.state("g"); got != "Empty gen members=0" {
		t.Fatalf("state %s", got)
	}
}
