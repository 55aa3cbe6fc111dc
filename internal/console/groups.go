package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupSummary is one row of the groups page.
type groupSummary struct {
	ID    string `json:"id"`
	State string `json:"state"`
	// Type is the group protocol, "classic" or "consumer" (KIP-848);
	// ProtocolType is the classic protocol type ("consumer", "connect"...).
	Type         string `json:"type"`
	ProtocolType string `json:"protocolType"`
	Members      int    `json:"members"`
	Topics       int    `json:"topics"`
	// Lag is the sum of per-partition lags, null when offsets could not
	// be read.
	Lag *int64 `json:"lag"`
}

// listGroupSummaries lists every group with ListGroups (sent to every
// broker), which tells state and group type.
func (c *Console) listGroupSummaries(ctx context.Context) ([]groupSummary, error) {
	req := kmsg.NewPtrListGroupsRequest()
	shards := c.cl.RequestSharded(ctx, req)
	var out []groupSummary
	var errs []error
	for _, sh := range shards {
		if sh.Err != nil {
			errs = append(errs, sh.Err)
			continue
		}
		resp := sh.Resp.(*kmsg.ListGroupsResponse)
		if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, g := range resp.Groups {
			typ := g.GroupType
			if typ == "" {
				typ = "classic"
			}
			out = append(out, groupSummary{ID: g.Group, State: g.GroupState, Type: typ, ProtocolType: g.ProtocolType})
		}
	}
	if len(out) == 0 && len(errs) > 0 {
		return nil, fmt.Errorf("list groups: %w", errors.Join(errs...))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (c *Console) listGroups(r *http.Request) (any, error) {
	ctx, cancel := c.requestContext(r)
	defer cancel()
	groups, err := c.listGroupSummaries(ctx)
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		return map[string]any{"groups": []groupSummary{}}, nil
	}
	var ids []string
	for _, g := range groups {
		ids = append(ids, g.ID)
	}
	members := c.memberCounts(ctx, groups)
	fetched := c.adm.FetchManyOffsets(ctx, ids...)
	ends, err := c.adm.ListEndOffsets(ctx, fetched.CommittedPartitions().Topics()...)
	if err != nil {
		ends = nil
	}
	for i := range groups {
		g := &groups[i]
		g.Members = members[g.ID]
		f, ok := fetched[g.ID]
		if !ok || f.Err != nil {
			continue
		}
		g.Topics = len(f.Fetched)
		if ends != nil {
			lag := totalLag(f.Fetched, ends)
			g.Lag = &lag
		}
	}
	return map[string]any{"groups": groups}, nil
}

// totalLag sums end minus committed offset over the committed partitions.
func totalLag(committed kadm.OffsetResponses, ends kadm.ListedOffsets) int64 {
	var sum int64
	committed.Each(func(o kadm.OffsetResponse) {
		if o.Err != nil || o.At < 0 {
			return
		}
		if e, ok := ends.Lookup(o.Topic, o.Partition); ok && e.Err == nil && e.Offset > o.At {
			sum += e.Offset - o.At
		}
	})
	return sum
}

// memberCounts describes every group with the API of its protocol.
func (c *Console) memberCounts(ctx context.Context, groups []groupSummary) map[string]int {
	var classic, consumer []string
	for _, g := range groups {
		if g.Type == "consumer" {
			consumer = append(consumer, g.ID)
		} else {
			classic = append(classic, g.ID)
		}
	}
	out := map[string]int{}
	if len(classic) > 0 {
		described, _ := c.adm.DescribeGroups(ctx, classic...)
		for id, d := range described {
			out[id] = len(d.Members)
		}
	}
	if len(consumer) > 0 {
		described, _ := c.adm.DescribeConsumerGroups(ctx, consumer...)
		for id, d := range described {
			out[id] = len(d.Members)
		}
	}
	return out
}

type memberView struct {
	MemberID   string           `json:"memberId"`
	InstanceID string           `json:"instanceId,omitempty"`
	ClientID   string           `json:"clientId"`
	Host       string           `json:"host"`
	Assignment []topicPartsView `json:"assignment"`
}

type topicPartsView struct {
	Topic      string  `json:"topic"`
	Partitions []int32 `json:"partitions"`
}

type groupOffsetView struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Committed is -1 for a partition a member owns without a commit.
	Committed int64  `json:"committed"`
	LogStart  int64  `json:"logStartOffset"`
	End       int64  `json:"endOffset"`
	Lag       *int64 `json:"lag"`
	// LagMs is how old the first unconsumed record is (now minus its
	// timestamp); null when nothing is unconsumed or it cannot be read.
	LagMs    *int64 `json:"lagMs"`
	MemberID string `json:"memberId,omitempty"`
	ClientID string `json:"clientId,omitempty"`
}

type groupView struct {
	groupSummary
	Protocol    string            `json:"protocol"`
	Coordinator int32             `json:"coordinator"`
	MemberList  []memberView      `json:"memberList"`
	Offsets     []groupOffsetView `json:"offsets"`
}

// getGroup answers the group page: members with their assignments, and per
// partition the committed offset and the lag in records and in time.
func (c *Console) getGroup(r *http.Request) (any, error) {
	id := r.PathValue("group")
	ctx, cancel := c.requestContext(r)
	defer cancel()
	sum, err := c.findGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	v := groupView{groupSummary: sum, MemberList: []memberView{}, Offsets: []groupOffsetView{}, Coordinator: -1}
	owners := map[string]map[int32]memberView{}
	own := func(m memberView) {
		for _, tp := range m.Assignment {
			if owners[tp.Topic] == nil {
				owners[tp.Topic] = map[int32]memberView{}
			}
			for _, p := range tp.Partitions {
				owners[tp.Topic][p] = m
			}
		}
	}
	if sum.Type == "consumer" {
		described, err := c.adm.DescribeConsumerGroups(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("describe consumer group %s: %w", id, err)
		}
		d := described[id]
		if d.Err != nil {
			return nil, kafkaError(d.Err, "", "")
		}
		v.Protocol, v.Coordinator = d.AssignorName, d.Coordinator.NodeID
		for _, m := range d.Members {
			mv := memberView{MemberID: m.MemberID, InstanceID: deref(m.InstanceID), ClientID: m.ClientID, Host: m.ClientHost, Assignment: topicsSetView(m.Assignment)}
			v.MemberList = append(v.MemberList, mv)
			own(mv)
		}
	} else {
		described, err := c.adm.DescribeGroups(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("describe group %s: %w", id, err)
		}
		d := described[id]
		if d.Err != nil {
			return nil, kafkaError(d.Err, d.ErrMessage, "")
		}
		v.Protocol, v.Coordinator = d.Protocol, d.Coordinator.NodeID
		for _, m := range d.Members {
			mv := memberView{MemberID: m.MemberID, InstanceID: deref(m.InstanceID), ClientID: m.ClientID, Host: m.ClientHost, Assignment: []topicPartsView{}}
			if ca, ok := m.Assigned.AsConsumer(); ok {
				for _, t := range ca.Topics {
					mv.Assignment = append(mv.Assignment, topicPartsView{Topic: t.Topic, Partitions: t.Partitions})
				}
			}
			v.MemberList = append(v.MemberList, mv)
			own(mv)
		}
	}
	v.Members = len(v.MemberList)
	if err := c.fillGroupOffsets(ctx, &v, owners); err != nil {
		return nil, err
	}
	return v, nil
}

// findGroup finds a group in ListGroups; a group that is not listed does
// not exist.
func (c *Console) findGroup(ctx context.Context, id string) (groupSummary, error) {
	groups, err := c.listGroupSummaries(ctx)
	if err != nil {
		return groupSummary{}, err
	}
	for _, g := range groups {
		if g.ID == id {
			return g, nil
		}
	}
	return groupSummary{}, &apiError{Status: http.StatusNotFound, Code: "GROUP_ID_NOT_FOUND", Message: fmt.Sprintf("GROUP_ID_NOT_FOUND: group %s does not exist", id)}
}

func topicsSetView(s kadm.TopicsSet) []topicPartsView {
	out := []topicPartsView{}
	for _, t := range s.Sorted() {
		out = append(out, topicPartsView{Topic: t.Topic, Partitions: t.Partitions})
	}
	return out
}

func (c *Console) fillGroupOffsets(ctx context.Context, v *groupView, owners map[string]map[int32]memberView) error {
	fetched, err := c.adm.FetchOffsets(ctx, v.ID)
	if err != nil {
		return kafkaError(err, "fetching the committed offsets of group "+v.ID, "")
	}
	rows := map[string]map[int32]*groupOffsetView{}
	add := func(topic string, p int32) *groupOffsetView {
		if rows[topic] == nil {
			rows[topic] = map[int32]*groupOffsetView{}
		}
		if rows[topic][p] == nil {
			rows[topic][p] = &groupOffsetView{Topic: topic, Partition: p, Committed: -1, LogStart: -1, End: -1}
		}
		return rows[topic][p]
	}
	fetched.Each(func(o kadm.OffsetResponse) {
		if o.Err == nil && o.At >= 0 {
			add(o.Topic, o.Partition).Committed = o.At
		}
	})
	for t, ps := range owners {
		for p, m := range ps {
			row := add(t, p)
			row.MemberID, row.ClientID = m.MemberID, m.ClientID
		}
	}
	var topics []string
	for t := range rows {
		topics = append(topics, t)
	}
	v.Topics = len(topics)
	if len(topics) > 0 {
		starts, ends, err := c.startEndOffsets(ctx, topics...)
		if err != nil {
			return err
		}
		for t, ps := range rows {
			for p, row := range ps {
				row.LogStart, row.End = offsetOf(starts, t, p), offsetOf(ends, t, p)
			}
		}
	}
	var total int64
	for _, ps := range rows {
		for _, row := range ps {
			if row.Committed >= 0 && row.End >= 0 {
				lag := max(row.End-row.Committed, 0)
				row.Lag = &lag
				total += lag
			}
			v.Offsets = append(v.Offsets, *row)
		}
	}
	v.Lag = &total
	sort.Slice(v.Offsets, func(i, j int) bool {
		a, b := v.Offsets[i], v.Offsets[j]
		if a.Topic != b.Topic {
			return a.Topic < b.Topic
		}
		return a.Partition < b.Partition
	})
	c.fillLagTimes(ctx, v.Offsets)
	return nil
}

// fillLagTimes sets LagMs on every lagging partition: the age of the
// record at the committed offset, the oldest one the group has not
// consumed. A partition whose record cannot be read keeps a null.
func (c *Console) fillLagTimes(ctx context.Context, rows []groupOffsetView) {
	now := c.clk.Now()
	refs := map[string]kadm.TopicDetail{}
	for i := range rows {
		row := &rows[i]
		if row.Lag == nil {
			continue
		}
		if *row.Lag == 0 {
			zero := int64(0)
			row.LagMs = &zero
			continue
		}
		t, ok := refs[row.Topic]
		if !ok {
			var err error
			if t, err = c.topicDetail(ctx, row.Topic); err != nil {
				continue
			}
			refs[row.Topic] = t
		}
		p, ok := t.Partitions[row.Partition]
		if !ok || p.Leader < 0 {
			continue
		}
		ref := partitionRef{topic: row.Topic, topicID: t.ID, partition: row.Partition, leader: p.Leader}
		recs, _, err := c.readRecords(ctx, ref, max(row.Committed, row.LogStart), row.End, 1, 64<<10)
		if err != nil || len(recs) == 0 {
			continue
		}
		ms := max(now.Sub(recs[0].Timestamp).Milliseconds(), 0)
		row.LagMs = &ms
	}
}
