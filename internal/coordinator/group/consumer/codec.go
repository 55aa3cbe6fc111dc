package consumer

import (
	"fmt"
)

// EncodeRecord serialises a record as the key and value of a
// __consumer_offsets record. The key is the int16 record type followed by
// the key fields; the value is an int16 version (0) followed by the flexible
// value fields. A tombstone has a nil value. The layout is documented in
// docs/format/consumer-group-records.md.
func EncodeRecord(rec Record) (key, value []byte) {
	k := &writer{}
	k.i16(rec.Type())
	k.str(rec.GroupID())
	switch r := rec.(type) {
	case *MemberMetadataRecord:
		k.str(r.MemberID)
	case *TargetAssignmentMemberRecord:
		k.str(r.MemberID)
	case *CurrentMemberAssignmentRecord:
		k.str(r.MemberID)
	case *RegularExpressionRecord:
		k.str(r.RegularExpression)
	}
	if rec.IsTombstone() {
		return k.b, nil
	}
	v := &writer{}
	v.i16(0)
	switch r := rec.(type) {
	case *GroupMetadataRecord:
		v.i32(r.Epoch)
		writeTag64(v, r.MetadataHash)
	case *MemberMetadataRecord:
		v.cnstr(r.InstanceID)
		v.cnstr(r.RackID)
		v.cstr(r.ClientID)
		v.cstr(r.ClientHost)
		v.cstrs(r.SubscribedTopicNames)
		// Kafka writes "" rather than null when no regex is used.
		v.cstr(deref(r.SubscribedTopicRegex))
		v.i32(r.RebalanceTimeoutMs)
		v.cnstr(r.ServerAssignor)
		writeClassicTag(v, r.Classic)
	case *TargetAssignmentMetadataRecord:
		v.i32(r.AssignmentEpoch)
		writeTag64(v, r.AssignmentTimestamp)
	case *TargetAssignmentMemberRecord:
		writeTopics(v, r.Topics)
		v.noTags()
	case *CurrentMemberAssignmentRecord:
		v.i32(r.MemberEpoch)
		v.i32(r.PreviousMemberEpoch)
		v.i8(int8(r.State))
		writeEpochedTopics(v, r.AssignedPartitions)
		writeEpochedTopics(v, r.PartitionsPendingRevocation)
		v.noTags()
	case *RegularExpressionRecord:
		v.cstrs(r.Topics)
		v.i64(r.Version)
		v.i64(r.Timestamp)
		v.noTags()
	}
	return k.b, v.b
}

// writeTag64 ends a struct with one int64 in tagged field 0, omitted when 0.
func writeTag64(v *writer, x int64) {
	if x == 0 {
		v.noTags()
		return
	}
	v.uvarint(1)
	v.uvarint(0)
	v.uvarint(8)
	v.i64(x)
}

// writeEpochedTopics writes topics whose partitions carry their assignment
// epochs in tagged field 0 of each topic entry, as Kafka 4.3 does.
func writeEpochedTopics(v *writer, ts []EpochedTopicPartitions) {
	v.clen(len(ts))
	for _, t := range ts {
		v.uuid(t.TopicID)
		v.ci32s(t.Partitions)
		if len(t.AssignmentEpochs) == 0 {
			v.noTags()
			continue
		}
		epochs := &writer{}
		epochs.ci32s(t.AssignmentEpochs)
		v.uvarint(1)
		v.uvarint(0)
		v.uvarint(uint64(len(epochs.b)))
		v.b = append(v.b, epochs.b...)
	}
}

func readEpochedTopics(v *reader) []EpochedTopicPartitions {
	n := v.clen()
	var out []EpochedTopicPartitions
	for i := 0; i < n && v.err == nil; i++ {
		t := EpochedTopicPartitions{TopicID: v.uuid(), Partitions: v.ci32s()}
		v.tags(func(tag uint64, data []byte) error {
			if tag != 0 {
				return nil
			}
			er := &reader{b: data}
			t.AssignmentEpochs = er.ci32s()
			return er.done()
		})
		out = append(out, t)
	}
	return out
}

func writeTopics(v *writer, ts []TopicPartitions) {
	v.clen(len(ts))
	for _, t := range ts {
		v.uuid(t.TopicID)
		v.ci32s(t.Partitions)
		v.noTags()
	}
}

// IsConsumerGroupRecordType reports whether a __consumer_offsets key type
// belongs to this package, so the coordinator can route records on load.
func IsConsumerGroupRecordType(t int16) bool {
	switch t {
	case TypeGroupMetadata, TypeMemberMetadata, TypeTargetAssignmentMetadata,
		TypeTargetAssignmentMember, TypeCurrentMemberAssignment, TypeRegularExpression:
		return true
	}
	return false
}

// DecodeRecord parses a key and value written by EncodeRecord (a nil value
// is a tombstone). Unknown tagged fields are skipped; a malformed record or
// an unknown type or version is an error naming what is wrong.
func DecodeRecord(key, value []byte) (Record, error) {
	k := &reader{b: key}
	typ := k.i16()
	group := k.str()
	var second string
	switch typ {
	case TypeMemberMetadata, TypeTargetAssignmentMember, TypeCurrentMemberAssignment, TypeRegularExpression:
		second = k.str()
	case TypeGroupMetadata, TypeTargetAssignmentMetadata:
	default:
		if k.err == nil {
			return nil, fmt.Errorf("consumer group record: unknown key type %d", typ)
		}
	}
	if err := k.done(); err != nil {
		return nil, fmt.Errorf("consumer group record key (type %d): %w", typ, err)
	}
	tomb := value == nil
	v := &reader{b: value}
	if !tomb {
		if ver := v.i16(); v.err == nil && ver != 0 {
			return nil, fmt.Errorf("consumer group record type %d: unsupported value version %d", typ, ver)
		}
	}
	var rec Record
	switch typ {
	case TypeGroupMetadata:
		r := &GroupMetadataRecord{Group: group, Tombstone: tomb}
		if !tomb {
			r.Epoch = v.i32()
			v.tags(tag64(&r.MetadataHash))
		}
		rec = r
	case TypeMemberMetadata:
		r := &MemberMetadataRecord{Group: group, MemberID: second, Tombstone: tomb}
		if !tomb {
			r.InstanceID = v.cnstr()
			r.RackID = v.cnstr()
			r.ClientID = v.cstr()
			r.ClientHost = v.cstr()
			r.SubscribedTopicNames = v.cstrs()
			if re := v.cnstr(); re != nil && *re != "" {
				r.SubscribedTopicRegex = re
			}
			r.RebalanceTimeoutMs = v.i32()
			r.ServerAssignor = v.cnstr()
			v.tags(classicTag(&r.Classic))
		}
		rec = r
	case TypeTargetAssignmentMetadata:
		r := &TargetAssignmentMetadataRecord{Group: group, Tombstone: tomb}
		if !tomb {
			r.AssignmentEpoch = v.i32()
			v.tags(tag64(&r.AssignmentTimestamp))
		}
		rec = r
	case TypeTargetAssignmentMember:
		r := &TargetAssignmentMemberRecord{Group: group, MemberID: second, Tombstone: tomb}
		if !tomb {
			r.Topics = readTopics(v)
			v.tags(nil)
		}
		rec = r
	case TypeCurrentMemberAssignment:
		r := &CurrentMemberAssignmentRecord{Group: group, MemberID: second, Tombstone: tomb}
		if !tomb {
			r.MemberEpoch = v.i32()
			r.PreviousMemberEpoch = v.i32()
			r.State = MemberState(v.i8())
			r.AssignedPartitions = readEpochedTopics(v)
			r.PartitionsPendingRevocation = readEpochedTopics(v)
			v.tags(nil)
		}
		rec = r
	case TypeRegularExpression:
		r := &RegularExpressionRecord{Group: group, RegularExpression: second, Tombstone: tomb}
		if !tomb {
			r.Topics = v.cstrs()
			r.Version = v.i64()
			r.Timestamp = v.i64()
			v.tags(nil)
		}
		rec = r
	}
	if !tomb {
		if err := v.done(); err != nil {
			return nil, fmt.Errorf("consumer group record value (type %d, group %q): %w", typ, group, err)
		}
	}
	return rec, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func tag64(dst *int64) func(uint64, []byte) error {
	return func(tag uint64, data []byte) error {
		if tag != 0 {
			return nil
		}
		r := &reader{b: data}
		*dst = r.i64()
		return r.done()
	}
}

func readTopics(v *reader) []TopicPartitions {
	n := v.clen()
	var out []TopicPartitions
	for i := 0; i < n && v.err == nil; i++ {
		t := TopicPartitions{TopicID: v.uuid(), Partitions: v.ci32s()}
		v.tags(nil)
		out = append(out, t)
	}
	return out
}
