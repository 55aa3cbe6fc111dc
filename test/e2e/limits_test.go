package e2e

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestFetchSizeLimits checks partition and response byte limits, and that
// the first batch is returned whole even when larger (KIP-74).
func TestFetchSizeLimits(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "lim", 2, nil)
	p := newClient(t, srv.Bootstrap, kgo.DefaultProduceTopic("lim"), kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerBatchCompression(kgo.NoCompression()))
	big := make([]byte, 10000)
	for part := int32(0); part < 2; part++ {
		for i := 0; i < 5; i++ {
			if err := p.ProduceSync(ctxT(t), &kgo.Record{Partition: part, Value: big}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
	}
	md, _ := adm.Metadata(ctxT(t), "lim")
	br := newClient(t, srv.Bootstrap).Broker(1)
	fetch := func(maxBytes, partMax int32) *kmsg.FetchResponse {
		t.Helper()
		req := kmsg.NewPtrFetchRequest()
		req.ReplicaID, req.MaxBytes, req.SessionEpoch = -1, maxBytes, -1
		rt := kmsg.NewFetchRequestTopic()
		rt.TopicID = md.Topics["lim"].ID
		for part := int32(0); part < 2; part++ {
			rp := kmsg.NewFetchRequestTopicPartition()
			rp.Partition, rp.PartitionMaxBytes, rp.CurrentLeaderEpoch = part, partMax, -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctxT(t), br)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	sizes := func(r *kmsg.FetchResponse) (a, b int) {
		ps := r.Topics[0].Partitions
		return len(ps[0].RecordBatches), len(ps[1].RecordBatches)
	}
	// Partition limit 25 KB: two of the ~10 KB batches from each partition.
	if a, b := sizes(fetch(1<<20, 25000)); a < 20000 || a > 25000 || b < 20000 || b > 25000 {
		t.Fatalf("partition limit 25000: got %d and %d bytes", a, b)
	}
	// Response limit 25 KB: the first partition fills it, the second gets nothing.
	if a, b := sizes(fetch(25000, 1<<20)); a < 20000 || a > 25000 || b != 0 {
		t.Fatalf("response limit 25000: got %d and %d bytes", a, b)
	}
	// Limits below one batch still return the first batch whole.
	if a, b := sizes(fetch(100, 100)); a < 10000 || b != 0 {
		t.Fatalf("limit below one batch: got %d and %d bytes", a, b)
	}
}

func TestCreateTopicWithManualAssignment(t *testing.T) {
	srv := startServer(t)
	cl := newClient(t, srv.Bootstrap)
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "assigned", -1, -1
	for p := int32(0); p < 3; p++ {
		a := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
		a.Partition, a.Replicas = p, []int32{1}
		rt.ReplicaAssignment = append(rt.ReplicaAssignment, a)
	}
	bad := kmsg.NewCreateTopicsRequestTopic()
	bad.Topic, bad.NumPartitions, bad.ReplicationFactor = "badassign", -1, -1
	ba := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
	ba.Partition, ba.Replicas = 0, []int32{7}
	bad.ReplicaAssignment = append(bad.ReplicaAssignment, ba)
	req.Topics = append(req.Topics, rt, bad)
	resp, err := req.RequestWith(ctxT(t), cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range resp.Topics {
		switch tr.Topic {
		case "assigned":
			if tr.ErrorCode != 0 || tr.NumPartitions != 3 {
				t.Fatalf("manual assignment: code %d partitions %d", tr.ErrorCode, tr.NumPartitions)
			}
		case "badassign":
			if tr.ErrorCode != kerr.InvalidReplicaAssignment.Code && tr.ErrorCode != kerr.BrokerNotAvailable.Code {
				t.Fatalf("assignment to unknown broker: code %d", tr.ErrorCode)
			}
		}
	}
	td, _ := newAdmin(t, srv.Bootstrap).ListTopics(ctxT(t), "assigned")
	if len(td["assigned"].Partitions) != 3 {
		t.Fatalf("assigned topic has %d partitions", len(td["assigned"].Partitions))
	}
}
