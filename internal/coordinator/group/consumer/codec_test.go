package consumer

import (
	"math/rand"
	"reflect"
	"testing"
)

func TestCodecRoundTrip(t *testing.T) {
	inst, re := "i-1", "foo.*"
	for _, rec := range []Record{
		&GroupMetadataRecord{Group: "g", Epoch: 7, MetadataHash: -42},
		&GroupMetadataRecord{Group: "g", Tombstone: true},
		&MemberMetadataRecord{Group: "g", MemberID: "m", InstanceID: &inst, ClientID: "c", ClientHost: "/h",
			SubscribedTopicNames: []string{"a", "b"}, SubscribedTopicRegex: &re, RebalanceTimeoutMs: 300},
		&TargetAssignmentMetadataRecord{Group: "g", AssignmentEpoch: 3, AssignmentTimestamp: 1700000000000},
		&TargetAssignmentMemberRecord{Group: "g", MemberID: "m", Topics: []TopicPartitions{{TopicID: [16]byte{1}, Partitions: []int32{0, 2}}}},
		&CurrentMemberAssignmentRecord{Group: "g", MemberID: "m", MemberEpoch: 5, PreviousMemberEpoch: 4, State: MemberUnrevokedPartitions,
			AssignedPartitions:          []EpochedTopicPartitions{{TopicID: [16]byte{1}, Partitions: []int32{0, 1}, AssignmentEpochs: []int32{2, 5}}},
			PartitionsPendingRevocation: []TopicPartitions{{TopicID: [16]byte{2}, Partitions: []int32{3}}}},
		&CurrentMemberAssignmentRecord{Group: "g", MemberID: "m", Tombstone: true},
		&RegularExpressionRecord{Group: "g", RegularExpression: re, Topics: []string{"foo1"}, Version: 9, Timestamp: 10},
	} {
		k, v := EncodeRecord(rec)
		got, err := DecodeRecord(k, v)
		if err != nil {
			t.Fatalf("%T: %v", rec, err)
		}
		if !reflect.DeepEqual(got, rec) {
			t.Fatalf("round trip:\n got %#v\nwant %#v", got, rec)
		}
	}
}

// Truncated or corrupted input is an error, never a panic.
func TestDecodeGarbage(t *testing.T) {
	rec := &CurrentMemberAssignmentRecord{Group: "g", MemberID: "m", MemberEpoch: 5,
		AssignedPartitions: []EpochedTopicPartitions{{TopicID: [16]byte{1}, Partitions: []int32{0, 1}, AssignmentEpochs: []int32{2, 5}}}}
	k, v := EncodeRecord(rec)
	for i := 0; i < len(v); i++ {
		if _, err := DecodeRecord(k, v[:i]); err == nil && i > 0 {
			t.Fatalf("truncated value of %d bytes accepted", i)
		}
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		b := append([]byte(nil), v...)
		b[rng.Intn(len(b))] = byte(rng.Intn(256))
		_, _ = DecodeRecord(k, b)
	}
	if _, err := DecodeRecord([]byte{0, 99, 0, 1, 'g'}, nil); err == nil {
		t.Fatal("unknown key type accepted")
	}
}
