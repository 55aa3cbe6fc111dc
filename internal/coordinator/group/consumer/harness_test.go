package consumer

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// harness drives one group with a manual clock and checks, after every
// call, that replaying all emitted records into a fresh group reproduces
// the same persistent state, after a trip through the record encoding.
type harness struct {
	t   *testing.T
	clk *clock.Manual
	g   *Group
	log []Record
	md  Metadata
	ids int
}

func newHarness(t *testing.T, cfg Config, topics ...assignor.Topic) *harness {
	t.Helper()
	h := &harness{t: t, clk: clock.NewManual(t0)}
	if cfg.NewMemberID == nil {
		cfg.NewMemberID = func() string { h.ids++; return fmt.Sprintf("gen-%d", h.ids) }
	}
	g, err := New("g", cfg, h.clk)
	if err != nil {
		t.Fatal(err)
	}
	h.g = g
	h.setTopics(topics...)
	return h
}

func topic(b byte, name string, parts int32) assignor.Topic {
	return assignor.Topic{ID: assignor.TopicID{b}, Name: name, Partitions: parts}
}

func (h *harness) setTopics(ts ...assignor.Topic) {
	h.md = Metadata{Version: h.md.Version + 1, Topics: ts}
	h.g.SetMetadata(h.md)
}

func (h *harness) record(recs []Record) {
	h.t.Helper()
	h.log = append(h.log, recs...)
	fresh, err := New("g", h.g.cfg, h.clk)
	if err != nil {
		h.t.Fatal(err)
	}
	fresh.SetMetadata(h.md)
	for _, r := range h.log {
		key, value := EncodeRecord(r)
		decoded, err := DecodeRecord(key, value)
		if err != nil {
			h.t.Fatalf("decode %T: %v", r, err)
		}
		if err := fresh.Replay(decoded); err != nil {
			h.t.Fatalf("replay: %v", err)
		}
	}
	if got, want := snapshot(fresh), snapshot(h.g); got != want {
		h.t.Fatalf("replayed state differs:\n--- replayed\n%s--- live\n%s", got, want)
	}
}

type hbReq struct {
	id       string
	epoch    int32
	instance string
	rack     string
	topics   []string
	regex    *string
	owned    map[byte][]int32 // nil: field omitted
	assignor string
	timeout  int32
}

func (h *harness) hb(r hbReq) *kmsg.ConsumerGroupHeartbeatResponse {
	h.t.Helper()
	req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
	req.Version = 1
	req.Group = "g"
	req.MemberID = r.id
	req.MemberEpoch = r.epoch
	req.RebalanceTimeoutMillis = -1
	if r.epoch == 0 {
		req.RebalanceTimeoutMillis = 30000
	}
	if r.timeout != 0 {
		req.RebalanceTimeoutMillis = r.timeout
	}
	if r.instance != "" {
		req.InstanceID = &r.instance
	}
	if r.rack != "" {
		req.RackID = &r.rack
	}
	if r.topics != nil {
		req.SubscribedTopicNames = r.topics
	}
	req.SubscribedTopicRegex = r.regex
	if r.assignor != "" {
		req.ServerAssignor = &r.assignor
	}
	if r.epoch == 0 {
		req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{} // clients join owning nothing
	}
	if r.owned != nil {
		req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
		for b, ps := range r.owned {
			rt := kmsg.NewConsumerGroupHeartbeatRequestTopic()
			rt.TopicID = assignor.TopicID{b}
			rt.Partitions = ps
			req.Topics = append(req.Topics, rt)
		}
	}
	resp, recs := h.g.Heartbeat(req, Client{ID: "client-" + r.id, Host: "/127.0.0.1"})
	h.record(recs)
	return resp
}

func (h *harness) timer() {
	h.t.Helper()
	h.record(h.g.OnTimer())
}

// assigned renders a member's current assignment compactly: "1:0,1 2:3".
func (h *harness) assigned(id string) string {
	m, ok := h.g.members[id]
	if !ok {
		return "<gone>"
	}
	var tps []tp
	for p := range m.assigned {
		tps = append(tps, p)
	}
	return renderTPs(tps)
}

func renderTPs(tps []tp) string {
	a := assignor.FromPartitions(tps)
	var parts []string
	for _, t := range toTopicPartitions(a) {
		ps := make([]string, len(t.Partitions))
		for i, p := range t.Partitions {
			ps[i] = fmt.Sprint(p)
		}
		parts = append(parts, fmt.Sprintf("%d:%s", t.TopicID[0], strings.Join(ps, ",")))
	}
	return strings.Join(parts, " ")
}

func respAssignment(r *kmsg.ConsumerGroupHeartbeatResponse) string {
	if r.Assignment == nil {
		return "<none>"
	}
	var tps []tp
	for _, t := range r.Assignment.Topics {
		for _, p := range t.Partitions {
			tps = append(tps, tp{Topic: t.TopicID, Partition: p})
		}
	}
	return renderTPs(tps)
}

// snapshot renders the persistent state of a group deterministically.
func snapshot(g *Group) string {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch=%d hash=%d assignmentEpoch=%d assignmentTime=%d\n", g.epoch, g.metadataHash, g.assignmentEpoch, g.assignmentTime)
	for _, id := range g.sortedMemberIDs() {
		m := g.members[id]
		var as []string
		for p, e := range m.assigned {
			as = append(as, fmt.Sprintf("%d-%d@%d", p.Topic[0], p.Partition, e))
		}
		sort.Strings(as)
		var pend []tp
		for p := range m.pending {
			pend = append(pend, p)
		}
		fmt.Fprintf(&b, "member %s meta=%s epoch=%d prev=%d state=%s assigned=%v pending=%s target=%s\n",
			id, fmtMeta(m.meta), m.epoch, m.prevEpoch, m.state, as, renderTPs(pend), renderTPs(g.target[id].Partitions()))
	}
	var tids []string
	for id := range g.target {
		tids = append(tids, id)
	}
	sort.Strings(tids)
	fmt.Fprintf(&b, "targets=%v\n", tids)
	var inst []string
	for i, id := range g.static {
		inst = append(inst, i+"="+id)
	}
	sort.Strings(inst)
	fmt.Fprintf(&b, "static=%v\n", inst)
	var own []string
	for p, id := range g.owner {
		own = append(own, fmt.Sprintf("%d-%d=%s", p.Topic[0], p.Partition, id))
	}
	sort.Strings(own)
	fmt.Fprintf(&b, "owners=%v\n", own)
	var res []string
	for re, r := range g.regexes {
		res = append(res, fmt.Sprintf("%s=%v@%d", re, r.Topics, r.Version))
	}
	sort.Strings(res)
	fmt.Fprintf(&b, "regexes=%v\n", res)
	return b.String()
}

func fmtMeta(m MemberMetadataRecord) string {
	s := func(p *string) string {
		if p == nil {
			return "nil"
		}
		return *p
	}
	classic := ""
	if c := m.Classic; c != nil {
		classic = fmt.Sprintf(" classic=%d", c.SessionTimeoutMs)
		for _, p := range c.SupportedProtocols {
			classic += fmt.Sprintf(",%s:%x", p.Name, p.Metadata)
		}
	}
	return fmt.Sprintf("{inst=%s rack=%s client=%s/%s topics=%v regex=%s timeout=%d assignor=%s%s}",
		s(m.InstanceID), s(m.RackID), m.ClientID, m.ClientHost, m.SubscribedTopicNames, s(m.SubscribedTopicRegex), m.RebalanceTimeoutMs, s(m.ServerAssignor), classic)
}
