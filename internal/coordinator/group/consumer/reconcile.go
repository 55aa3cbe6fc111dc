package consumer

// memberAssignment is a member's reconciliation outcome before it is
// written as a CurrentMemberAssignmentRecord.
type memberAssignment struct {
	epoch, prevEpoch int32
	state            MemberState
	assigned         map[tp]int32
	pending          map[tp]int32
}

// reconcile moves the member one step towards its target assignment, the
// way Kafka's current assignment builder does:
//   - partitions that stay keep flowing and keep their assignment epoch;
//   - partitions leaving the member are first put in pending revocation
//     (UNREVOKED_PARTITIONS, epoch unchanged) until the member's heartbeat
//     shows it no longer owns them;
//   - only then does the member advance to the target epoch and get new
//     partitions, except those another member still owns or is revoking
//     (UNRELEASED_PARTITIONS until they are freed).
//
// Partitions of topics the member no longer subscribes to are revoked even
// before a new target assignment exists, since with assignment batching
// (KIP-1263) the target may lag behind subscriptions.
// owned is the request's owned partitions, nil when the request omitted them.
func (g *Group) reconcile(id string, m *member, owned []tp) memberAssignment {
	cur := memberAssignment{epoch: m.epoch, prevEpoch: m.prevEpoch, state: m.state, assigned: m.assigned, pending: m.pending}
	switch m.state {
	case MemberUnrevokedPartitions:
		if owned == nil {
			return cur
		}
		for _, p := range owned {
			if _, revoking := m.pending[p]; revoking {
				return cur
			}
		}
		return g.nextAssignment(id, m, owned)
	case MemberUnreleasedPartitions:
		return g.nextAssignment(id, m, owned)
	default:
		if m.epoch != g.assignmentEpoch {
			return g.nextAssignment(id, m, owned)
		}
		if g.hasUnsubscribed(m) {
			return g.nextAssignment(id, m, owned)
		}
		return cur
	}
}

func (g *Group) hasUnsubscribed(m *member) bool {
	subs := g.subscribedTopicIDs(m)
	for p := range m.assigned {
		if !subs[p.Topic] {
			return true
		}
	}
	return false
}

func (g *Group) nextAssignment(id string, m *member, owned []tp) memberAssignment {
	subs := g.subscribedTopicIDs(m)
	target := map[tp]bool{}
	for _, p := range g.target[id].Partitions() {
		if subs[p.Topic] {
			target[p] = true
		}
	}
	keep := map[tp]int32{}
	revoke := map[tp]int32{}
	for p, e := range m.assigned {
		if target[p] {
			keep[p] = e
		} else {
			revoke[p] = e
		}
	}
	// Like Kafka, every recomputation records the epoch it started from as
	// the previous epoch, even when the epoch does not move.
	// As Kafka, a member that says it no longer owns the partitions to
	// revoke (a classic member rejoining after an eager revocation) moves on
	// at once; nil owned partitions means "unknown", so it must revoke.
	if len(revoke) > 0 && ownsAny(owned, revoke) {
		return memberAssignment{epoch: m.epoch, prevEpoch: m.epoch, state: MemberUnrevokedPartitions, assigned: keep, pending: revoke}
	}
	unreleased := false
	for p := range target {
		if _, have := keep[p]; have {
			continue
		}
		if o, owned := g.owner[p]; owned && o != id {
			unreleased = true
			continue
		}
		keep[p] = g.assignmentEpoch
	}
	state := MemberStable
	if unreleased {
		state = MemberUnreleasedPartitions
	}
	return memberAssignment{epoch: g.assignmentEpoch, prevEpoch: m.epoch, state: state, assigned: keep, pending: map[tp]int32{}}
}

func ownsAny(owned []tp, parts map[tp]int32) bool {
	if owned == nil {
		return true
	}
	for _, p := range owned {
		if _, ok := parts[p]; ok {
			return true
		}
	}
	return false
}

func (a memberAssignment) equal(m *member) bool {
	if a.epoch != m.epoch || a.prevEpoch != m.prevEpoch || a.state != m.state ||
		len(a.assigned) != len(m.assigned) || len(a.pending) != len(m.pending) {
		return false
	}
	for p, e := range a.assigned {
		if me, ok := m.assigned[p]; !ok || me != e {
			return false
		}
	}
	for p, e := range a.pending {
		if me, ok := m.pending[p]; !ok || me != e {
			return false
		}
	}
	return true
}
