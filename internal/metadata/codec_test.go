package metadata

import (
	"bytes"
	"reflect"
	"testing"
)

func strp(s string) *string { return &s }

func sampleRecords() []Record {
	id := UUID{1, 2, 3}
	return []Record{
		&RegisterBrokerRecord{BrokerID: 1, IncarnationID: UUID{9}, BrokerEpoch: 5, Endpoints: []Endpoint{{Name: "PLAINTEXT", Host: "h", Port: 9092}}, Rack: strp("r1"), Fenced: true},
		&UnregisterBrokerRecord{BrokerID: 1, BrokerEpoch: 5},
		&TopicRecord{Name: "t", TopicID: id},
		&PartitionRecord{PartitionID: 0, TopicID: id, Replicas: []int32{1}, ISR: []int32{1}, Leader: 1},
		&PartitionChangeRecord{PartitionID: 0, TopicID: id, ISR: []int32{}, Leader: NoLeaderChange, LeaderRecoveryState: -1, RemovingReplicas: []int32{}},
		&ConfigRecord{ResourceType: ResourceTopic, ResourceName: "t", Name: "retention.ms", Value: strp("1")},
		&ConfigRecord{ResourceType: ResourceBroker, ResourceName: "", Name: "x"},
		&FenceBrokerRecord{ID: 1, Epoch: 5},
		&UnfenceBrokerRecord{ID: 1, Epoch: 5},
		&RemoveTopicRecord{TopicID: id},
		&FeatureLevelRecord{Name: "metadata.version", FeatureLevel: 27},
		&ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 5, NextProducerID: 1000},
		&BrokerRegistrationChangeRecord{BrokerID: 1, BrokerEpoch: 5, Fenced: -1},
		&NoOpRecord{},
		&AccessControlEntryRecord{ACL: ACL{ID: UUID{5}, ResourceType: 2, ResourceName: "t", PatternType: 3, Principal: "User:a", Host: "*", Operation: 3, PermissionType: 3}},
		&RemoveAccessControlEntryRecord{ID: UUID{5}},
		&UserScramCredentialRecord{Name: "alice", Mechanism: ScramSHA256, ScramCredential: ScramCredential{Salt: []byte("s"), StoredKey: []byte("k"), ServerKey: []byte("v"), Iterations: 4096}},
		&RemoveUserScramCredentialRecord{Name: "alice", Mechanism: ScramSHA256},
		&ClientQuotaRecord{Entity: []QuotaEntityPart{{EntityType: QuotaUser, EntityName: strp("alice")}, {EntityType: QuotaClientID}}, Key: "producer_byte_rate", Value: 1024},
	}
}

func TestRecordRoundTrip(t *testing.T) {
	for _, r := range sampleRecords() {
		b, err := Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(b)
		if err != nil {
			t.Fatalf("%T: %v", r, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("%T round trip:\n got %+v\nwant %+v", r, got, r)
		}
		b2, _ := Encode(got)
		if !bytes.Equal(b, b2) {
			t.Fatalf("%T re-encoding differs", r)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":       nil,
		"bad frame":   {9, 2, 0, '{', '}'},
		"unknown key": {1, 99, 0, '{', '}'},
		"newer":       {1, 2, 5, '{', '}'},
		"bad json":    {1, 2, 0, '{'},
	} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestUUID(t *testing.T) {
	u, err := NewUUID(bytes.NewReader(bytes.Repeat([]byte{0xab}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseUUID(u.String())
	if err != nil || p != u || len(u.String()) != 22 {
		t.Fatal(u, p, err)
	}
	if _, err := ParseUUID("nope"); err == nil {
		t.Fatal("expected error")
	}
}
