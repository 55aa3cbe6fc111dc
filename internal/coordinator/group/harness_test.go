package group

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness runs a coordinator with one __consumer_offsets partition over an
// in-memory log, driven by a manual clock: no sleeps, no goroutines racing.
type harness struct {
	t   *testing.T
	clk *clock.Manual
	log *runtime.MemLog
	c   *Coordinator
	ids int
}

func testConfig() Config {
	return Config{
		InitialRebalanceDelay:  3 * time.Second,
		MinSessionTimeout:      6 * time.Second,
		MaxSessionTimeout:      30 * time.Minute,
		MaxSize:                1 << 30,
		OffsetsRetention:       7 * 24 * time.Hour,
		RetentionCheckInterval: 10 * time.Minute,
		MaxMetadataSize:        4096,
	}
}

func newHarness(t *testing.T, cfg Config) *harness {
	h := &harness{t: t, clk: clock.NewManual(time.UnixMilli(1_700_000_000_000)), log: &runtime.MemLog{}}
	h.start(cfg)
	return h
}

func (h *harness) start(cfg Config) {
	cfg.NewMemberID = func(clientID string) string {
		h.ids++
		return fmt.Sprintf("%s-%d", clientID, h.ids)
	}
	cfg.Consumer.NewMemberID = func() string {
		h.ids++
		return fmt.Sprintf("m-%d", h.ids)
	}
	h.c = New(Options{Config: cfg, NumPartitions: 1, Clock: h.clk, Logger: slog.New(slog.DiscardHandler)})
	h.t.Cleanup(h.c.Close)
	h.c.rt.Load(0, 0, h.log)
	if err := h.c.rt.WaitLoaded(context.Background(), 0); err != nil {
		h.t.Fatal(err)
	}
}

// restart reloads the coordinator from what it wrote.
func (h *harness) restart(cfg Config) {
	h.c.Close()
	h.start(cfg)
}

// joinReq builds a JoinGroup v9 for the consumer protocol.
func joinReq(group, memberID, instance string, protocols ...string) *kmsg.JoinGroupRequest {
	r := kmsg.NewPtrJoinGroupRequest()
	r.Version = 9
	r.Group, r.MemberID = group, memberID
	r.SessionTimeoutMillis, r.RebalanceTimeoutMillis = 10000, 60000
	r.ProtocolType = "consumer"
	if instance != "" {
		r.InstanceID = kmsg.StringPtr(instance)
	}
	if len(protocols) == 0 {
		protocols = []string{"range"}
	}
	for _, p := range protocols {
		jp := kmsg.NewJoinGroupRequestProtocol()
		jp.Name, jp.Metadata = p, []byte("meta-"+p)
		r.Protocols = append(r.Protocols, jp)
	}
	return r
}

// join sends a JoinGroup and returns a function giving its response, nil
// while the member still waits.
func (h *harness) join(req *kmsg.JoinGroupRequest, clientID string) func() *kmsg.JoinGroupResponse {
	var got *kmsg.JoinGroupResponse
	err := h.c.write(context.Background(), req.Group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		return s.join(t, req, clientID, "/127.0.0.1", func(r *kmsg.JoinGroupResponse) { got = r }), nil
	})
	if err != nil {
		h.t.Fatalf("join: %v", err)
	}
	return func() *kmsg.JoinGroupResponse { return got }
}

// joinNew does the KIP-394 dance and returns the assigned member id and
// the pending second join.
func (h *harness) joinNew(group, clientID string) (string, func() *kmsg.JoinGroupResponse) {
	first := h.join(joinReq(group, "", ""), clientID)()
	if first == nil || first.ErrorCode != kerr.MemberIDRequired.Code {
		h.t.Fatalf("first join: %+v, want MEMBER_ID_REQUIRED", first)
	}
	return first.MemberID, h.join(joinReq(group, first.MemberID, ""), clientID)
}

func (h *harness) sync(group, member string, gen int32, assign map[string]string) func() *kmsg.SyncGroupResponse {
	req := kmsg.NewPtrSyncGroupRequest()
	req.Version = 5
	req.Group, req.MemberID, req.Generation = group, member, gen
	req.ProtocolType, req.Protocol = kmsg.StringPtr("consumer"), kmsg.StringPtr("range")
	for m, a := range assign {
		sa := kmsg.NewSyncGroupRequestGroupAssignment()
		sa.MemberID, sa.MemberAssignment = m, []byte(a)
		req.GroupAssignment = append(req.GroupAssignment, sa)
	}
	var got *kmsg.SyncGroupResponse
	err := h.c.write(context.Background(), group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		return s.sync(t, req, func(r *kmsg.SyncGroupResponse) { got = r }), nil
	})
	if err != nil {
		h.t.Fatalf("sync: %v", err)
	}
	return func() *kmsg.SyncGroupResponse { return got }
}

func (h *harness) heartbeat(group, member string, gen int32) int16 {
	req := kmsg.NewPtrHeartbeatRequest()
	req.Version = 4
	req.Group, req.MemberID, req.Generation = group, member, gen
	return h.c.Heartbeat(context.Background(), req).ErrorCode
}

func (h *harness) state(group string) string {
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Version = 5
	req.Groups = []string{group}
	d := h.c.DescribeGroups(req).Groups[0]
	return fmt.Sprintf("%s gen members=%d", d.State, len(d.Members))
}

func (h *harness) commit(group, member string, gen int32, topic string, partition int32, offset int64) int16 {
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Version = 8
	req.Group, req.MemberID, req.Generation = group, member, gen
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewOffsetCommitRequestTopicPartition()
	rp.Partition, rp.Offset, rp.LeaderEpoch = partition, offset, 3
	rp.Metadata = kmsg.StringPtr("m")
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	return h.c.OffsetCommit(context.Background(), req).Topics[0].Partitions[0].ErrorCode
}

// fetch returns "offset/epoch/metadata" for one partition.
func (h *harness) fetch(group, topic string, partition int32) string {
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Version = 8
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = group
	rt := kmsg.NewOffsetFetchRequestGroupTopic()
	rt.Topic, rt.Partitions = topic, []int32{partition}
	rg.Topics = append(rg.Topics, rt)
	req.Groups = append(req.Groups, rg)
	g := h.c.OffsetFetch(context.Background(), req).Groups[0]
	if g.ErrorCode != 0 {
		return fmt.Sprintf("error %d", g.ErrorCode)
	}
	p := g.Topics[0].Partitions[0]
	return fmt.Sprintf("%d/%d/%s", p.Offset, p.LeaderEpoch, *p.Metadata)
}

func newLeave(group string, members ...string) *kmsg.LeaveGroupRequest {
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Version = 5
	req.Group = group
	for _, m := range members {
		lm := kmsg.NewLeaveGroupRequestMember()
		lm.MemberID = m
		req.Members = append(req.Members, lm)
	}
	return req
}
