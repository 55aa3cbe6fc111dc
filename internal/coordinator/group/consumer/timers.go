package consumer

import (
	"time"
)

// NextDeadline is the earliest time at which OnTimer has work: a member's
// session or rebalance timeout, or a deferred target assignment. The
// runtime arms one timer for it (e.g. clock.AfterFunc) and calls OnTimer
// when it fires, and re-reads NextDeadline after every call into the group.
func (g *Group) NextDeadline() (time.Time, bool) {
	var at time.Time
	found := false
	consider := func(t time.Time) {
		if !t.IsZero() && (!found || t.Before(at)) {
			at, found = t, true
		}
	}
	for _, m := range g.members {
		consider(m.sessionDeadline)
		consider(m.rebalanceDeadline)
		consider(m.joinDeadline)
		consider(m.syncDeadline)
	}
	if t, ok := g.nextAssignmentAt(); ok && len(g.members) > 0 {
		consider(t)
	}
	return at, found
}

// OnTimer expires members whose session timeout passed (static members that
// left with epoch -2 included), members that did not revoke partitions
// within their rebalance timeout, and classic members that did not send the
// JoinGroup or SyncGroup they owed within theirs; then it computes a
// deferred target assignment if one is due. It returns the records to
// persist. Fencing the last consumer-protocol member may turn the group
// into a classic group (see TakeDowngrade); nothing else happens then.
func (g *Group) OnTimer() []Record {
	now := g.clk.Now()
	var out []Record
	for _, id := range g.sortedMemberIDs() {
		m, ok := g.members[id]
		if !ok {
			continue
		}
		expired := !now.Before(m.sessionDeadline)
		timedOut := !m.rebalanceDeadline.IsZero() && !now.Before(m.rebalanceDeadline) &&
			m.state == MemberUnrevokedPartitions && m.rebalanceEpoch == m.epoch
		passed := func(t time.Time) bool { return !t.IsZero() && !now.Before(t) }
		if expired || timedOut || passed(m.joinDeadline) || passed(m.syncDeadline) {
			g.fence(id, &out)
			if g.downgraded != nil {
				return out
			}
		}
	}
	if len(g.members) > 0 && g.assignmentDue(now) {
		if changed, hash := g.updateSubscriptions(&out); changed {
			g.emit(&out, &GroupMetadataRecord{Group: g.id, Epoch: g.epoch + 1, MetadataHash: hash})
		}
		if err := g.computeTarget(now, &out); err != nil {
			// Only an unknown configured assignor fails, and New rejects
			// those; keep the old target rather than lose records.
			return out
		}
	}
	return out
}
