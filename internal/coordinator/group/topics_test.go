package group

import (
	"testing"

	"github.com/odradek/odradek/internal/metadata"
)

func TestPartitionRacksFromBrokers(t *testing.T) {
	img := metadata.EmptyImage("c")
	img.Brokers[1] = &metadata.Broker{ID: 1, Rack: "r1"}
	img.Brokers[2] = &metadata.Broker{ID: 2, Rack: "r2"}
	img.Brokers[3] = &metadata.Broker{ID: 3}
	topic := &metadata.Topic{Name: "t", Partitions: map[int32]*metadata.Partition{
		0: {ID: 0, Replicas: []int32{2, 1}},
		1: {ID: 1, Replicas: []int32{3}},
	}}
	got := partitionRacks(img, topic)
	if len(got) != 2 || len(got[0]) != 2 || got[0][0] != "r1" || got[0][1] != "r2" || len(got[1]) != 0 {
		t.Fatalf("racks %v, want [[r1 r2] []]", got)
	}
	img.Brokers[1].Rack, img.Brokers[2].Rack = "", ""
	if got := partitionRacks(img, topic); got != nil {
		t.Fatalf("no racks anywhere: %v, want nil", got)
	}
}
