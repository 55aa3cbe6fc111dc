package console

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/twmb/franz-go/pkg/kadm"
)

type resetRequest struct {
	// Topic limits the reset to one topic (all its partitions, or those in
	// Partitions); empty means every topic the group has committed
	// offsets for, like kafka-consumer-groups --all-topics.
	Topic      string  `json:"topic"`
	Partitions []int32 `json:"partitions"`
	// Strategy is earliest, latest, offset (Offset), shift (Shift, added
	// to the committed offset) or datetime (Datetime: RFC 3339 or ms).
	Strategy string `json:"strategy"`
	Offset   *int64 `json:"offset"`
	Shift    *int64 `json:"shift"`
	Datetime string `json:"datetime"`
	// Execute commits the plan; without it the answer is a dry run.
	Execute bool `json:"execute"`
}

type resetRow struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Current is the committed offset before the reset, null if none.
	Current *int64 `json:"current"`
	Target  int64  `json:"target"`
}

type tp struct {
	topic     string
	partition int32
}

// resetOffsets plans new committed offsets for an inactive group and, when
// asked to execute, commits them. As kafka-consumer-groups, it refuses a
// group with members and moves targets outside the log into it.
func (c *Console) resetOffsets(r *http.Request) (any, error) {
	id := r.PathValue("group")
	var req resetRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	ctx, cancel := c.requestContext(r)
	defer cancel()
	state := "Dead"
	if g, err := c.findGroup(ctx, id); err == nil {
		state = g.State
	} else if ae, ok := err.(*apiError); !ok || ae.Status != http.StatusNotFound {
		return nil, err
	}
	if state != "Empty" && state != "Dead" {
		return nil, conflict("Assignments can only be reset if the group '%s' is inactive, but the current state is %s.", id, state)
	}
	fetched, err := c.adm.FetchOffsets(ctx, id)
	if err != nil {
		return nil, kafkaError(err, "fetching the committed offsets of group "+id, "")
	}
	committed := map[tp]int64{}
	fetched.Each(func(o kadm.OffsetResponse) {
		if o.Err == nil && o.At >= 0 {
			committed[tp{o.Topic, o.Partition}] = o.At
		}
	})
	tps, err := c.resetScope(ctx, req, committed)
	if err != nil {
		return nil, err
	}
	targets, err := c.resetTargets(ctx, req, tps, committed)
	if err != nil {
		return nil, err
	}
	plan := make([]resetRow, 0, len(tps))
	commit := kadm.Offsets{}
	for _, p := range tps {
		row := resetRow{Topic: p.topic, Partition: p.partition, Target: targets[p]}
		if cur, ok := committed[p]; ok {
			row.Current = &cur
		}
		plan = append(plan, row)
		commit.Add(kadm.Offset{Topic: p.topic, Partition: p.partition, At: targets[p], LeaderEpoch: -1})
	}
	if req.Execute && len(plan) > 0 {
		resps, err := c.adm.CommitOffsets(ctx, id, commit)
		if err != nil {
			return nil, kafkaError(err, "committing the new offsets of group "+id, "")
		}
		if err := resps.Error(); err != nil {
			return nil, kafkaError(err, "committing the new offsets of group "+id, "")
		}
	}
	return map[string]any{"group": id, "state": state, "executed": req.Execute, "plan": plan}, nil
}

func (req resetRequest) validate() error {
	switch req.Strategy {
	case "earliest", "latest":
	case "offset":
		if req.Offset == nil {
			return badField("offset", "required with strategy offset")
		}
	case "shift":
		if req.Shift == nil {
			return badField("shift", "required with strategy shift")
		}
	case "datetime":
		if req.Datetime == "" {
			return badField("datetime", "required with strategy datetime")
		}
		if _, err := parseTimestamp(req.Datetime); err != nil {
			return badField("datetime", "%v", err)
		}
	case "":
		return badField("strategy", "required: earliest, latest, offset, shift or datetime")
	default:
		return badField("strategy", "want earliest, latest, offset, shift or datetime, got %q", req.Strategy)
	}
	if len(req.Partitions) > 0 && req.Topic == "" {
		return badField("partitions", "partitions need a topic")
	}
	return nil
}

// resetScope lists the partitions to reset, sorted.
func (c *Console) resetScope(ctx context.Context, req resetRequest, committed map[tp]int64) ([]tp, error) {
	var out []tp
	if req.Topic == "" {
		for p := range committed {
			out = append(out, p)
		}
	} else {
		t, err := c.topicDetail(ctx, req.Topic)
		if err != nil {
			if ae, ok := err.(*apiError); ok {
				ae.Field = "topic"
			}
			return nil, err
		}
		for _, p := range req.Partitions {
			if _, ok := t.Partitions[p]; !ok {
				return nil, badField("partitions", "topic %s has partitions 0 to %d, not %d", req.Topic, len(t.Partitions)-1, p)
			}
		}
		for p := range t.Partitions {
			if len(req.Partitions) == 0 || slices.Contains(req.Partitions, p) {
				out = append(out, tp{req.Topic, p})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].topic != out[j].topic {
			return out[i].topic < out[j].topic
		}
		return out[i].partition < out[j].partition
	})
	if req.Strategy == "shift" {
		for _, p := range out {
			if _, ok := committed[p]; !ok {
				return nil, badField("shift", "cannot shift the offset of %s-%d: the group has no committed offset there", p.topic, p.partition)
			}
		}
	}
	return out, nil
}

// resetTargets computes each partition's new offset, clamped to
// [log start, log end].
func (c *Console) resetTargets(ctx context.Context, req resetRequest, tps []tp, committed map[tp]int64) (map[tp]int64, error) {
	out := map[tp]int64{}
	if len(tps) == 0 {
		return out, nil
	}
	topicSet := map[string]bool{}
	var topics []string
	for _, p := range tps {
		if !topicSet[p.topic] {
			topicSet[p.topic] = true
			topics = append(topics, p.topic)
		}
	}
	starts, ends, err := c.startEndOffsets(ctx, topics...)
	if err != nil {
		return nil, err
	}
	var byTime kadm.ListedOffsets
	if req.Strategy == "datetime" {
		ms, _ := parseTimestamp(req.Datetime)
		if byTime, err = c.adm.ListOffsetsAfterMilli(ctx, ms, topics...); err != nil {
			return nil, fmt.Errorf("list offsets by timestamp: %w", err)
		}
	}
	for _, p := range tps {
		start, end := offsetOf(starts, p.topic, p.partition), offsetOf(ends, p.topic, p.partition)
		if start < 0 || end < 0 {
			return nil, fmt.Errorf("listing the offsets of %s-%d failed", p.topic, p.partition)
		}
		var want int64
		switch req.Strategy {
		case "earliest":
			want = start
		case "latest":
			want = end
		case "offset":
			want = *req.Offset
		case "shift":
			want = committed[p] + *req.Shift
		case "datetime":
			want = offsetOf(byTime, p.topic, p.partition)
			if want < 0 {
				want = end // no record at or after the time
			}
		}
		out[p] = min(max(want, start), end)
	}
	return out, nil
}
