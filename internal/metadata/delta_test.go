package metadata

import (
	"reflect"
	"testing"
)

func TestDeltaApply(t *testing.T) {
	a, b := UUID{1}, UUID{2}
	base := EmptyImage("c")
	d := NewDelta(base)
	must(t, d.ReplayAll([]Record{
		&RegisterBrokerRecord{BrokerID: 1, BrokerEpoch: 3, Fenced: true},
		&UnfenceBrokerRecord{ID: 1, Epoch: 3},
		&TopicRecord{Name: "a", TopicID: a},
		&PartitionRecord{PartitionID: 0, TopicID: a, Replicas: []int32{1}, ISR: []int32{1}, Leader: 1},
		&PartitionRecord{PartitionID: 1, TopicID: a, Replicas: []int32{1}, ISR: []int32{1}, Leader: 1},
		&TopicRecord{Name: "b", TopicID: b},
		&PartitionRecord{PartitionID: 0, TopicID: b, Replicas: []int32{1}, ISR: []int32{1}, Leader: 1},
		&ConfigRecord{ResourceType: ResourceTopic, ResourceName: "a", Name: "cleanup.policy", Value: strp("compact")},
		&ProducerIdsRecord{BrokerID: 1, BrokerEpoch: 3, NextProducerID: 1000},
	}))
	d.SetOffset(10, 2)
	im1 := d.Apply()
	if im1.Offset != 10 || len(im1.TopicsByName) != 2 || im1.Brokers[1].Fenced || im1.NextProducerID != 1000 ||
		im1.TopicConfig("a")["cleanup.policy"] != "compact" {
		t.Fatalf("image1: %+v", im1)
	}
	if len(d.CreatedTopics()) != 2 || !reflect.DeepEqual(d.ChangedPartitions()[a], []int32{0, 1}) {
		t.Fatalf("delta1 changes wrong")
	}
	if len(base.TopicsByName) != 0 {
		t.Fatal("base mutated")
	}

	d2 := NewDelta(im1)
	must(t, d2.ReplayAll([]Record{
		&PartitionChangeRecord{PartitionID: 1, TopicID: a, Leader: NoLeader, ISR: []int32{}, LeaderRecoveryState: -1},
		&RemoveTopicRecord{TopicID: b},
	}))
	im2 := d2.Apply()
	if im2.TopicsByID[b] != nil || im2.Topic("b") != nil {
		t.Fatal("b not removed")
	}
	p := im2.Topic("a").Partitions[1]
	if p.Leader != NoLeader || p.LeaderEpoch != 1 || p.PartitionEpoch != 1 || len(p.ISR) != 0 {
		t.Fatalf("partition change: %+v", p)
	}
	if im2.Topic("a").Partitions[0] != im1.Topic("a").Partitions[0] {
		t.Fatal("untouched partition not shared")
	}
	if im2.Brokers[1] != im1.Brokers[1] {
		t.Fatal("untouched broker not shared")
	}
	if im1.Topic("a").Partitions[1].Leader != 1 {
		t.Fatal("previous image mutated")
	}
	if del := d2.DeletedTopics(); len(del) != 1 || del[0].Name != "b" {
		t.Fatalf("deleted: %v", del)
	}

	// Removing a topic drops its configs.
	d3 := NewDelta(im2)
	must(t, d3.Replay(&RemoveTopicRecord{TopicID: a}))
	if im3 := d3.Apply(); im3.TopicConfig("a") != nil {
		t.Fatal("configs of removed topic remain")
	}

	// Snapshot records rebuild the same image.
	ds := NewDelta(EmptyImage("c"))
	must(t, ds.ReplayAll(im2.Records()))
	ds.SetOffset(im2.Offset, im2.Epoch)
	if got := ds.Apply(); !reflect.DeepEqual(got, im2) {
		t.Fatalf("snapshot rebuild differs:\n got %+v\nwant %+v", got, im2)
	}
	if dd := DiffDelta(EmptyImage("c"), im2); !reflect.DeepEqual(dd.Apply(), im2) {
		t.Fatal("DiffDelta does not rebuild image")
	}
}

func TestDeltaErrors(t *testing.T) {
	im := EmptyImage("c")
	for name, r := range map[string]Record{
		"partition of unknown topic": &PartitionRecord{TopicID: UUID{7}},
		"change of unknown topic":    &PartitionChangeRecord{TopicID: UUID{7}},
		"remove unknown":             &RemoveTopicRecord{TopicID: UUID{7}},
		"fence unknown broker":       &FenceBrokerRecord{ID: 4},
		"unregister unknown":         &UnregisterBrokerRecord{BrokerID: 4},
	} {
		if err := NewDelta(im).Replay(r); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
