package group

import (
	"sort"

	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// GroupView is one group as metrics report it: a copy taken under its
// shard's lock, so the caller may keep it.
type GroupView struct {
	ID string
	// Protocol is "classic" or "consumer".
	Protocol string
	// State is the group state in lower case as ListGroups filters it
	// (empty, stable, preparingrebalance, ... for classic groups; empty,
	// assigning, reconciling, stable ... for consumer groups).
	State   string
	Members int
	// Offsets are the committed offsets, by topic then partition.
	Offsets []CommittedOffset
}

// CommittedOffset is one committed partition offset of a group.
type CommittedOffset struct {
	Topic     string
	Partition int32
	Offset    int64
}

// VisitGroups calls fn for every group of every coordinator partition
// active here, one partition at a time. Each partition is read under its
// shard lock, as every read of the package is, so a view never sees half a
// write; fn runs after the lock is released. Groups that exist only as
// committed offsets (simple consumers whose group state was not replayed)
// appear as empty classic groups.
func (c *Coordinator) VisitGroups(fn func(GroupView)) {
	for p, active := range c.rt.Hosted() {
		if !active {
			continue
		}
		var views []GroupView
		err := c.rt.Read(p, func(rs runtime.Shard, _ *runtime.Timers) error {
			views = rs.(*shard).groupViews()
			return nil
		})
		if err != nil {
			// Unloaded or loading meanwhile: its groups are reported
			// by whoever leads the partition now.
			continue
		}
		for _, v := range views {
			fn(v)
		}
	}
}

// PartitionCounts reports the __consumer_offsets partitions this
// coordinator hosts: loading (replaying the log) and active.
func (c *Coordinator) PartitionCounts() (loading, active int) {
	for _, a := range c.rt.Hosted() {
		if a {
			active++
		} else {
			loading++
		}
	}
	return loading, active
}

func (s *shard) groupViews() []GroupView {
	out := make([]GroupView, 0, len(s.groups)+len(s.consumers))
	seen := make(map[string]bool, len(s.groups)+len(s.consumers))
	for id, g := range s.groups {
		seen[id] = true
		out = append(out, GroupView{ID: id, Protocol: classicType, State: lower(g.state.String()), Members: len(g.members), Offsets: s.offsetViews(id)})
	}
	for id, g := range s.consumers {
		seen[id] = true
		// The consumer package exposes members only through Describe,
		// which builds the whole description; a count accessor there
		// would make this cheaper.
		out = append(out, GroupView{ID: id, Protocol: "consumer", State: lower(g.State()), Members: len(g.Describe().Members), Offsets: s.offsetViews(id)})
	}
	for id := range s.offsets {
		if !seen[id] {
			out = append(out, GroupView{ID: id, Protocol: classicType, State: lower(stateEmpty.String()), Offsets: s.offsetViews(id)})
		}
	}
	return out
}

func (s *shard) offsetViews(group string) []CommittedOffset {
	committed := s.offsets[group]
	if len(committed) == 0 {
		return nil
	}
	out := make([]CommittedOffset, 0, len(committed))
	for tp, e := range committed {
		out = append(out, CommittedOffset{Topic: tp.topic, Partition: tp.partition, Offset: e.offset})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Partition < out[j].Partition
	})
	return out
}
