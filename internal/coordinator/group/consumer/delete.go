package consumer

import (
	"fmt"
	"maps"
	"slices"
)

// DeleteRecords returns the tombstones that remove an empty group from the
// log (DeleteGroups, offset expiry, or a classic group taking over the id).
// It does not change the group: the coordinator drops it once the
// tombstones are written. A group with members is an error.
func (g *Group) DeleteRecords() ([]Record, error) {
	if len(g.members) > 0 {
		return nil, fmt.Errorf("consumer group %q has %d members", g.id, len(g.members))
	}
	var out []Record
	// Target assignments of members already gone are normally tombstoned
	// with the member; any left over are removed too.
	for _, id := range slices.Sorted(maps.Keys(g.target)) {
		out = append(out, &TargetAssignmentMemberRecord{Group: g.id, MemberID: id, Tombstone: true})
	}
	for _, re := range slices.Sorted(maps.Keys(g.regexes)) {
		out = append(out, &RegularExpressionRecord{Group: g.id, RegularExpression: re, Tombstone: true})
	}
	out = append(out,
		&TargetAssignmentMetadataRecord{Group: g.id, Tombstone: true},
		&GroupMetadataRecord{Group: g.id, Tombstone: true})
	return out, nil
}
