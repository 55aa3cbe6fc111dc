package consumer

import "github.com/odradek/odradek/internal/coordinator/group/assignor"

// Record types, numbered as Kafka numbers the consumer-group records it
// writes to __consumer_offsets (see docs/format/consumer-group-records.md).
const (
	TypeGroupMetadata            int16 = 3
	TypeMemberMetadata           int16 = 5
	TypeTargetAssignmentMetadata int16 = 6
	TypeTargetAssignmentMember   int16 = 7
	TypeCurrentMemberAssignment  int16 = 8
	TypeRegularExpression        int16 = 16
)

// Record is one change to a consumer group. Every state change the group
// makes goes through a Record and Replay, so replaying the records a group
// emitted rebuilds exactly the same persistent state.
type Record interface {
	// Type is the record's key type.
	Type() int16
	// GroupID is the group the record belongs to.
	GroupID() string
	// IsTombstone reports a deletion record (a null value on the log).
	IsTombstone() bool
}

// TopicPartitions is one topic's partitions in a record.
type TopicPartitions struct {
	TopicID    assignor.TopicID
	Partitions []int32
}

// EpochedTopicPartitions is one topic's assigned partitions with the epoch
// at which each partition was assigned to the member (KIP-1251).
type EpochedTopicPartitions struct {
	TopicID          assignor.TopicID
	Partitions       []int32
	AssignmentEpochs []int32
}

// GroupMetadataRecord carries the group epoch and the hash of the metadata
// of the topics the group subscribes to.
type GroupMetadataRecord struct {
	Group        string
	Tombstone    bool
	Epoch        int32
	MetadataHash int64
}

// MemberMetadataRecord carries a member's subscription and client metadata.
type MemberMetadataRecord struct {
	Group                string
	MemberID             string
	Tombstone            bool
	InstanceID           *string
	RackID               *string
	ClientID             string
	ClientHost           string
	SubscribedTopicNames []string
	SubscribedTopicRegex *string
	RebalanceTimeoutMs   int32
	ServerAssignor       *string
	// Classic is set for members using the classic protocol (JoinGroup,
	// SyncGroup, Heartbeat) inside a consumer group; nil for members using
	// ConsumerGroupHeartbeat.
	Classic *ClassicMemberMetadata
}

// ClassicMemberMetadata is what a classic-protocol member told the group in
// its last JoinGroup.
type ClassicMemberMetadata struct {
	SessionTimeoutMs   int32
	SupportedProtocols []ClassicProtocol
}

// ClassicProtocol is one (name, metadata) of a JoinGroup, in the member's
// preference order.
type ClassicProtocol struct {
	Name     string
	Metadata []byte
}

// TargetAssignmentMetadataRecord carries the epoch of the current target
// assignment and when it was computed (for assignment batching, KIP-1263).
type TargetAssignmentMetadataRecord struct {
	Group               string
	Tombstone           bool
	AssignmentEpoch     int32
	AssignmentTimestamp int64 // unix millis
}

// TargetAssignmentMemberRecord carries one member's target assignment.
type TargetAssignmentMemberRecord struct {
	Group     string
	MemberID  string
	Tombstone bool
	Topics    []TopicPartitions
}

// CurrentMemberAssignmentRecord carries a member's epochs, reconciliation
// state and the partitions it owns or must revoke.
type CurrentMemberAssignmentRecord struct {
	Group                       string
	MemberID                    string
	Tombstone                   bool
	MemberEpoch                 int32
	PreviousMemberEpoch         int32
	State                       MemberState
	AssignedPartitions          []EpochedTopicPartitions
	PartitionsPendingRevocation []EpochedTopicPartitions
}

// RegularExpressionRecord carries the topics a subscription regex resolved to.
type RegularExpressionRecord struct {
	Group             string
	RegularExpression string
	Tombstone         bool
	Topics            []string
	Version           int64 // metadata version the regex was resolved against
	Timestamp         int64 // unix millis of the resolution
}

func (*GroupMetadataRecord) Type() int16            { return TypeGroupMetadata }
func (*MemberMetadataRecord) Type() int16           { return TypeMemberMetadata }
func (*TargetAssignmentMetadataRecord) Type() int16 { return TypeTargetAssignmentMetadata }
func (*TargetAssignmentMemberRecord) Type() int16   { return TypeTargetAssignmentMember }
func (*CurrentMemberAssignmentRecord) Type() int16  { return TypeCurrentMemberAssignment }
func (*RegularExpressionRecord) Type() int16        { return TypeRegularExpression }

func (r *GroupMetadataRecord) GroupID() string            { return r.Group }
func (r *MemberMetadataRecord) GroupID() string           { return r.Group }
func (r *TargetAssignmentMetadataRecord) GroupID() string { return r.Group }
func (r *TargetAssignmentMemberRecord) GroupID() string   { return r.Group }
func (r *CurrentMemberAssignmentRecord) GroupID() string  { return r.Group }
func (r *RegularExpressionRecord) GroupID() string        { return r.Group }

func (r *GroupMetadataRecord) IsTombstone() bool            { return r.Tombstone }
func (r *MemberMetadataRecord) IsTombstone() bool           { return r.Tombstone }
func (r *TargetAssignmentMetadataRecord) IsTombstone() bool { return r.Tombstone }
func (r *TargetAssignmentMemberRecord) IsTombstone() bool   { return r.Tombstone }
func (r *CurrentMemberAssignmentRecord) IsTombstone() bool  { return r.Tombstone }
func (r *RegularExpressionRecord) IsTombstone() bool        { return r.Tombstone }

func toTopicPartitions(a assignor.Assignment) []TopicPartitions {
	var out []TopicPartitions
	for _, tp := range a.Partitions() {
		if n := len(out); n > 0 && out[n-1].TopicID == tp.Topic {
			out[n-1].Partitions = append(out[n-1].Partitions, tp.Partition)
			continue
		}
		out = append(out, TopicPartitions{TopicID: tp.Topic, Partitions: []int32{tp.Partition}})
	}
	return out
}

func fromTopicPartitions(ts []TopicPartitions) assignor.Assignment {
	var tps []assignor.TopicPartition
	for _, t := range ts {
		for _, p := range t.Partitions {
			tps = append(tps, assignor.TopicPartition{Topic: t.TopicID, Partition: p})
		}
	}
	return assignor.FromPartitions(tps)
}
