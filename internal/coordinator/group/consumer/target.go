package consumer

import (
	"fmt"
	"sort"
	"time"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

// assignmentDue reports whether a new target assignment may be computed
// now: the group epoch moved past the assignment epoch and the assignment
// interval (KIP-1263) has elapsed since the previous computation.
func (g *Group) assignmentDue(now time.Time) bool {
	if g.epoch <= g.assignmentEpoch {
		return false
	}
	return now.UnixMilli() >= g.assignmentTime+g.cfg.AssignmentInterval.Milliseconds()
}

// nextAssignmentAt is when a deferred target assignment becomes due.
func (g *Group) nextAssignmentAt() (time.Time, bool) {
	if g.epoch <= g.assignmentEpoch {
		return time.Time{}, false
	}
	return time.UnixMilli(g.assignmentTime + g.cfg.AssignmentInterval.Milliseconds()), true
}

// preferredAssignor is the assignor most members asked for (ties broken by
// the configured order), or the first configured one.
func (g *Group) preferredAssignor() string {
	counts := map[string]int{}
	for _, m := range g.members {
		if a := m.meta.ServerAssignor; a != nil && *a != "" {
			counts[*a]++
		}
	}
	best, bestN := g.cfg.Assignors[0], 0
	for _, name := range g.cfg.Assignors {
		if counts[name] > bestN {
			best, bestN = name, counts[name]
		}
	}
	return best
}

// computeTarget runs the assignor and emits the target records of members
// whose target changed, then the target metadata at the group epoch.
func (g *Group) computeTarget(now time.Time, out *[]Record) error {
	a, err := assignor.New(g.preferredAssignor())
	if err != nil {
		return fmt.Errorf("consumer group %q: %w", g.id, err)
	}
	in := assignor.Input{Topics: map[assignor.TopicID]assignor.Topic{}}
	for _, t := range g.md.Topics {
		in.Topics[t.ID] = t
	}
	ids := g.sortedMemberIDs()
	for _, id := range ids {
		m := g.members[id]
		var subs []assignor.TopicID
		for t := range g.subscribedTopicIDs(m) {
			subs = append(subs, t)
		}
		sort.Slice(subs, func(i, j int) bool { return assignor.LessTP(tp{Topic: subs[i]}, tp{Topic: subs[j]}) })
		rack := ""
		if m.meta.RackID != nil {
			rack = *m.meta.RackID
		}
		in.Members = append(in.Members, assignor.Member{ID: id, Rack: rack, Subscribed: subs, Current: g.target[id]})
	}
	res, err := a.Assign(in)
	if err != nil {
		return fmt.Errorf("consumer group %q: assignor %s: %w", g.id, a.Name(), err)
	}
	for _, id := range ids {
		next := res[id]
		if prev, ok := g.target[id]; ok && prev.Equal(next) {
			continue
		}
		g.emit(out, &TargetAssignmentMemberRecord{Group: g.id, MemberID: id, Topics: toTopicPartitions(next)})
	}
	g.emit(out, &TargetAssignmentMetadataRecord{Group: g.id, AssignmentEpoch: g.epoch, AssignmentTimestamp: now.UnixMilli()})
	return nil
}
