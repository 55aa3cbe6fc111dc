package consumer

import (
	"github.com/twmb/franz-go/pkg/kerr"
)

// PartitionValidator checks one partition of an offset commit; nil means
// the commit of that partition is allowed.
type PartitionValidator func(topicID [16]byte, partition int32) *kerr.Error

func allowAll([16]byte, int32) *kerr.Error { return nil }

// ValidateOffsetCommit checks the member id and epoch of an OffsetCommit
// (v9+) against the group, with KIP-1251 assignment epochs:
//   - no member id and a negative epoch (admin tools, simple consumers) is
//     only allowed while the group is empty, else UNKNOWN_MEMBER_ID;
//   - an unknown member gets UNKNOWN_MEMBER_ID;
//   - a classic-protocol member must send its member epoch as generation,
//     else ILLEGAL_GENERATION;
//   - an epoch above the member's current epoch gets STALE_MEMBER_EPOCH
//     (Kafka 4.3 answers every epoch outside the valid range with it);
//   - the current epoch is accepted for every partition;
//   - an older epoch is accepted per partition when the member still owns
//     the partition and got it at or before that epoch (assignment epoch <=
//     commit epoch <= member epoch); otherwise STALE_MEMBER_EPOCH.
//
// The returned validator reads the group when called: call it before any
// other call into the group.
func (g *Group) ValidateOffsetCommit(memberID string, memberEpoch int32) (PartitionValidator, *kerr.Error) {
	if memberID == "" && memberEpoch < 0 {
		if len(g.members) == 0 {
			return allowAll, nil
		}
		return nil, kerr.UnknownMemberID
	}
	m, ok := g.members[memberID]
	if !ok {
		return nil, kerr.UnknownMemberID
	}
	if m.meta.Classic != nil {
		// Classic members commit with their generation, the member epoch.
		if memberEpoch != m.epoch {
			return nil, kerr.IllegalGeneration
		}
		return allowAll, nil
	}
	switch {
	case memberEpoch > m.epoch:
		return nil, kerr.StaleMemberEpoch
	case memberEpoch == m.epoch:
		return allowAll, nil
	}
	return func(topicID [16]byte, partition int32) *kerr.Error {
		e, owned := m.assigned[tp{Topic: topicID, Partition: partition}]
		if !owned || e > memberEpoch {
			return kerr.StaleMemberEpoch
		}
		return nil
	}, nil
}
