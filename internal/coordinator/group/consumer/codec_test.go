package consumer

import (
	"encoding/hex"
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
		&MemberMetadataRecord{Group: "g", MemberID: "c", ClientID: "c", ClientHost: "/h", SubscribedTopicNames: []string{"a"},
			RebalanceTimeoutMs: 300, Classic: &ClassicMemberMetadata{SessionTimeoutMs: 10000, SupportedProtocols: []ClassicProtocol{
				{Name: "cooperative-sticky", Metadata: []byte{0, 1, 2}}, {Name: "range", Metadata: []byte{}}}}},
		&TargetAssignmentMetadataRecord{Group: "g", AssignmentEpoch: 3, AssignmentTimestamp: 1700000000000},
		&TargetAssignmentMemberRecord{Group: "g", MemberID: "m", Topics: []TopicPartitions{{TopicID: [16]byte{1}, Partitions: []int32{0, 2}}}},
		&CurrentMemberAssignmentRecord{Group: "g", MemberID: "m", MemberEpoch: 5, PreviousMemberEpoch: 4, State: MemberUnrevokedPartitions,
			AssignedPartitions:          []EpochedTopicPartitions{{TopicID: [16]byte{1}, Partitions: []int32{0, 1}, AssignmentEpochs: []int32{2, 5}}},
			PartitionsPendingRevocation: []EpochedTopicPartitions{{TopicID: [16]byte{2}, Partitions: []int32{3}, AssignmentEpochs: []int32{4}}}},
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

// The classic member metadata is tagged field 0 of a member metadata value,
// a nullable struct: size, presence marker 1, then the struct.
func TestClassicMemberMetadataLayout(t *testing.T) {
	rec := &MemberMetadataRecord{Group: "g", MemberID: "m", ClientID: "c", ClientHost: "h", SubscribedTopicNames: []string{},
		RebalanceTimeoutMs: 5, Classic: &ClassicMemberMetadata{SessionTimeoutMs: 6, SupportedProtocols: []ClassicProtocol{{Name: "r", Metadata: []byte{9}}}}}
	_, v := EncodeRecord(rec)
	tail := "01" + "00" + "0c" + "01" + "00000006" + "02" + "0272" + "0209" + "00" + "00"
	if got := hex.EncodeToString(v); len(got) < len(tail) || got[len(got)-len(tail):] != tail {
		t.Fatalf("value %s does not end with the classic tag %s", got, tail)
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

// Bytes as Apache Kafka 4.3.1 wrote them to __consumer_offsets for a member
// "aaaaaaaaaaaaaaaaaaaaaa" of group "j2" subscribed to one six-partition
// topic: we must read them, and write the current assignment identically.
func TestKafkaWrittenRecords(t *testing.T) {
	mustHex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	memberKey := "00026a32001661616161616161616161616161616161616161616161"
	topicID := [16]byte{}
	copy(topicID[:], mustHex("d7a8e242c2dc4d46936b153f26777d93"))

	rec, err := DecodeRecord(mustHex("0005"+memberKey), mustHex("00000000046b676f0b2f3132372e302e302e310204666f6f01000075300001000100"))
	if err != nil {
		t.Fatal(err)
	}
	want := &MemberMetadataRecord{Group: "j2", MemberID: "aaaaaaaaaaaaaaaaaaaaaa", ClientID: "kgo", ClientHost: "/127.0.0.1",
		SubscribedTopicNames: []string{"foo"}, RebalanceTimeoutMs: 30000}
	if !reflect.DeepEqual(rec, want) {
		t.Fatalf("member metadata:\n got %#v\nwant %#v", rec, want)
	}
	if _, v := EncodeRecord(want); hex.EncodeToString(v) != "00000000046b676f0b2f3132372e302e302e310204666f6f01000075300001000100" {
		t.Fatalf("member metadata encoding differs from Kafka's: %x", v)
	}

	// A classic member of a group upgraded by Kafka 4.3.1: session timeout
	// 10000, one protocol "range" with a v1 subscription to "orders".
	classicValue := "00000000046b676f0b2f3132372e302e302e3102076f72646572730100007530000100250100002710020672616e67651700010000000100066f7264657273ffffffff000000000000"
	rec, err = DecodeRecord(mustHex("0005"+memberKey), mustHex(classicValue))
	if err != nil {
		t.Fatal(err)
	}
	if m := rec.(*MemberMetadataRecord); m.Classic == nil || m.Classic.SessionTimeoutMs != 10000 || len(m.Classic.SupportedProtocols) != 1 ||
		m.Classic.SupportedProtocols[0].Name != "range" || len(m.Classic.SupportedProtocols[0].Metadata) != 22 {
		t.Fatalf("classic member metadata: %+v", m.Classic)
	}
	if _, v := EncodeRecord(rec); hex.EncodeToString(v) != classicValue {
		t.Fatalf("classic member metadata encoding differs from Kafka's:\n got %x\nwant %s", v, classicValue)
	}

	revoking := "000000000002000000020102d7a8e242c2dc4d46936b153f26777d930400000000000000010000000201000d0400000002000000020000000202d7a8e242c2dc4d46936b153f26777d930400000003000000040000000501000d0400000002000000020000000200"
	cur := &CurrentMemberAssignmentRecord{Group: "j2", MemberID: "aaaaaaaaaaaaaaaaaaaaaa", MemberEpoch: 2, PreviousMemberEpoch: 2,
		State:                       MemberUnrevokedPartitions,
		AssignedPartitions:          []EpochedTopicPartitions{{TopicID: topicID, Partitions: []int32{0, 1, 2}, AssignmentEpochs: []int32{2, 2, 2}}},
		PartitionsPendingRevocation: []EpochedTopicPartitions{{TopicID: topicID, Partitions: []int32{3, 4, 5}, AssignmentEpochs: []int32{2, 2, 2}}}}
	k, v := EncodeRecord(cur)
	if hex.EncodeToString(k) != "0008"+memberKey || hex.EncodeToString(v) != revoking {
		t.Fatalf("current assignment encoding differs from Kafka's:\n got %x\nwant %s", v, revoking)
	}
	for _, tc := range []struct {
		rec  Record
		want string
	}{
		{&GroupMetadataRecord{Group: "j2", Epoch: 2, MetadataHash: -7207802107367670040}, "0000000000020100089bf8be2c0309bee8"},
		{&TargetAssignmentMetadataRecord{Group: "j2", AssignmentEpoch: 2, AssignmentTimestamp: 0x1a1ff1cc16e}, "000000000002010008000001a1ff1cc16e"},
		{&TargetAssignmentMemberRecord{Group: "j2", MemberID: "aaaaaaaaaaaaaaaaaaaaaa",
			Topics: []TopicPartitions{{TopicID: topicID, Partitions: []int32{0, 1, 2, 3, 4, 5}}}},
			"000002d7a8e242c2dc4d46936b153f26777d93070000000000000001000000020000000300000004000000050000"},
	} {
		if _, v := EncodeRecord(tc.rec); hex.EncodeToString(v) != tc.want {
			t.Fatalf("%T: got %x want %s", tc.rec, v, tc.want)
		}
	}
	waiting := "0000000000030000000002010100" // epoch 3, UNRELEASED_PARTITIONS, nothing owned
	_, v = EncodeRecord(&CurrentMemberAssignmentRecord{Group: "j2", MemberID: "aaaaaaaaaaaaaaaaaaaaaa", MemberEpoch: 3, State: MemberUnreleasedPartitions})
	if hex.EncodeToString(v) != waiting {
		t.Fatalf("got %x want %s", v, waiting)
	}
}
