package metadata

import (
	"reflect"
	"testing"
)

// TestSnapshotRecordsRebuildEverything: every part of the image survives
// the snapshot encoding (Records, Encode, Decode, replay).
func TestSnapshotRecordsRebuildEverything(t *testing.T) {
	id := UUID{1}
	d := NewDelta(EmptyImage("c"))
	must(t, d.ReplayAll([]Record{
		&FeatureLevelRecord{Name: "metadata.version", FeatureLevel: 27},
		&RegisterBrokerRecord{BrokerID: 1, BrokerEpoch: 3, Endpoints: []Endpoint{{Name: "PLAINTEXT", Host: "h", Port: 1}}, Rack: strp("r"), Features: []FeatureRange{{Name: "metadata.version", MinVersion: 7, MaxVersion: 27}}},
		&RegisterBrokerRecord{BrokerID: 2, BrokerEpoch: 4, Fenced: true, InControlledShutdown: true},
		&TopicRecord{Name: "t", TopicID: id},
		&PartitionRecord{TopicID: id, PartitionID: 0, Replicas: []int32{1, 2}, ISR: []int32{1}, Leader: 1, LeaderEpoch: 4, PartitionEpoch: 9},
		&ConfigRecord{ResourceType: ResourceTopic, ResourceName: "t", Name: "retention.ms", Value: strp("1")},
		&ConfigRecord{ResourceType: ResourceBroker, ResourceName: "", Name: "x", Value: strp("y")},
		&ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 3, NextProducerID: 5000},
		&ClientQuotaRecord{Entity: []QuotaEntityPart{{EntityType: QuotaUser}}, Key: "producer_byte_rate", Value: 7},
		&AccessControlEntryRecord{ACL: ACL{ID: UUID{9}, ResourceType: 2, ResourceName: "t", PatternType: 3, Principal: "User:a", Host: "*", Operation: 3, PermissionType: 3}},
		&UserScramCredentialRecord{Name: "a", Mechanism: ScramSHA512, ScramCredential: ScramCredential{Salt: []byte{1}, StoredKey: []byte{2}, ServerKey: []byte{3}, Iterations: 4096}},
	}))
	d.SetOffset(41, 2)
	want := d.Apply()
	enc, err := EncodeAll(want.Records())
	if err != nil {
		t.Fatal(err)
	}
	r := NewDelta(EmptyImage("c"))
	for _, b := range enc {
		rec, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		must(t, r.Replay(rec))
	}
	r.SetOffset(41, 2)
	if got := r.Apply(); !reflect.DeepEqual(got, want) {
		t.Fatalf("rebuilt image differs:\n got %+v\nwant %+v", got, want)
	}
	if dd := DiffDelta(EmptyImage("c"), want); !reflect.DeepEqual(dd.Apply(), want) {
		t.Fatal("DiffDelta from empty does not rebuild the image")
	}
	if dd := DiffDelta(want, EmptyImage("c")); len(dd.Apply().TopicsByName) != 0 || len(dd.DeletedTopics()) != 1 {
		t.Fatal("DiffDelta to empty does not delete")
	}
}
