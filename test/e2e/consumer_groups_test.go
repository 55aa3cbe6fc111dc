package e2e

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// describeConsumerGroup sends a raw ConsumerGroupDescribe.
func describeConsumerGroup(t *testing.T, cl *kgo.Client, group string) kmsg.ConsumerGroupDescribeResponseGroup {
	t.Helper()
	req := kmsg.NewPtrConsumerGroupDescribeRequest()
	req.Groups = []string{group}
	resp, err := req.RequestWith(ctxT(t), cl)
	if err != nil {
		t.Fatalf("describe %s: %v", group, err)
	}
	return resp.Groups[0]
}

// waitConsumerAssigned polls ConsumerGroupDescribe until the group is
// stable with the wanted members, each partition owned exactly once.
func waitConsumerAssigned(t *testing.T, cl *kgo.Client, group string, members, partitions int) kmsg.ConsumerGroupDescribeResponseGroup {
	t.Helper()
	ctx := ctxT(t)
	for {
		d := describeConsumerGroup(t, cl, group)
		owned := map[string]bool{}
		dup := false
		for _, m := range d.Members {
			for _, tp := range m.Assignment.TopicPartitions {
				for _, p := range tp.Partitions {
					k := tp.Topic + "/" + strconv.Itoa(int(p))
					dup = dup || owned[k]
					owned[k] = true
				}
			}
		}
		if d.ErrorCode == 0 && d.State == "Stable" && len(d.Members) == members && len(owned) == partitions && !dup {
			return d
		}
		select {
		case <-ctx.Done():
			t.Fatalf("group %s never reached %d members owning %d partitions; last: error %d state %s, %d members, %d owned", group, members, partitions, d.ErrorCode, d.State, len(d.Members), len(owned))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// produceSpread produces n records round-robin over partitions.
func produceSpread(t *testing.T, bootstrap, topic string, partitions int32, n int) {
	t.Helper()
	p := newClient(t, bootstrap, kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	for i := 0; i < n; i++ {
		r := kgo.StringRecord(strconv.Itoa(i))
		r.Partition = int32(i) % partitions
		if err := p.ProduceSync(ctxT(t), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConsumerProtocolGroup(t *testing.T) {
	srv := startServer(t, "group.consumer.min.heartbeat.interval.ms=100", "group.consumer.heartbeat.interval.ms=200")
	dir := srv.DataDir
	adm := newAdmin(t, srv.Bootstrap)
	raw := newClient(t, srv.Bootstrap)
	const topic, group, total = "events", "kip848", 600
	createTopic(t, adm, topic, 6, nil)

	var consumed atomic.Int64
	var wg sync.WaitGroup
	var members []*kgo.Client
	join := func() {
		cl, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
			kgo.Balancers(kgo.RangeBalancer()), kgo.ServerSideBalancer(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.AutoCommitInterval(100*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, cl)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				fs := cl.PollFetches(context.Background())
				if fs.IsClientClosed() {
					return
				}
				consumed.Add(int64(fs.NumRecords()))
			}
		}()
	}
	join()
	join()
	waitConsumerAssigned(t, raw, group, 2, 6)
	produceSpread(t, srv.Bootstrap, topic, 6, total/2)

	// A third member joins while the others keep consuming.
	join()
	produceSpread(t, srv.Bootstrap, topic, 6, total/2)
	d := waitConsumerAssigned(t, raw, group, 3, 6)

	// Commits are validated by member epoch.
	m := d.Members[0]
	commit := func(memberID string, epoch int32) int16 {
		req := kmsg.NewPtrOffsetCommitRequest()
		req.Version = 9
		req.Group, req.MemberID, req.Generation = group, memberID, epoch
		rt := kmsg.NewOffsetCommitRequestTopic()
		rt.Topic = topic
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset = 0, 0
		rt.Partitions = append(rt.Partitions, rp)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctxT(t), raw)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Topics[0].Partitions[0].ErrorCode
	}
	if code := commit(m.MemberID, m.MemberEpoch+1); code != kerr.StaleMemberEpoch.Code {
		t.Fatalf("commit with a future epoch: code %d, want STALE_MEMBER_EPOCH", code)
	}
	if code := commit("nobody", 1); code != kerr.UnknownMemberID.Code {
		t.Fatalf("commit by an unknown member: code %d, want UNKNOWN_MEMBER_ID", code)
	}
	if code := commit("", -1); code != kerr.UnknownMemberID.Code {
		t.Fatalf("admin commit to a non-empty group: code %d, want UNKNOWN_MEMBER_ID", code)
	}

	ctx := ctxT(t)
	for consumed.Load() < total {
		select {
		case <-ctx.Done():
			t.Fatalf("consumed %d of %d records; committed %v; group %+v", consumed.Load(), total, committed(t, srv.Bootstrap, group), describeConsumerGroup(t, raw, group))
		case <-time.After(20 * time.Millisecond):
		}
	}
	for _, cl := range members {
		if err := cl.CommitUncommittedOffsets(ctxT(t)); err != nil {
			t.Fatalf("commit: %v", err)
		}
	}
	for _, cl := range members {
		cl.Close()
	}
	wg.Wait()
	sum := int64(0)
	for _, o := range committed(t, srv.Bootstrap, group) {
		sum += o
	}
	if sum != total {
		t.Fatalf("committed offsets add up to %d, want %d", sum, total)
	}
	before := describeConsumerGroup(t, raw, group)
	if before.State != "Empty" {
		t.Fatalf("after every member left: state %s, want Empty", before.State)
	}

	// A restart keeps the group and its offsets.
	srv.Stop(t)
	srv = startServerIn(t, dir, "group.consumer.min.heartbeat.interval.ms=100", "group.consumer.heartbeat.interval.ms=200")
	raw = newClient(t, srv.Bootstrap)
	var after kmsg.ConsumerGroupDescribeResponseGroup
	for {
		after = describeConsumerGroup(t, raw, group)
		if kerr.ErrorForCode(after.ErrorCode) == nil || !kerr.IsRetriable(kerr.ErrorForCode(after.ErrorCode)) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("describe after restart: code %d", after.ErrorCode)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if after.ErrorCode != 0 || after.Epoch != before.Epoch || after.State != "Empty" {
		t.Fatalf("after restart: code %d epoch %d state %s, want epoch %d Empty", after.ErrorCode, after.Epoch, after.State, before.Epoch)
	}
	listed, err := newAdmin(t, srv.Bootstrap).ListGroupsByType(ctxT(t), []string{"consumer"})
	if err != nil {
		t.Fatal(err)
	}
	if lg, ok := listed[group]; !ok || lg.ProtocolType != "consumer" {
		t.Fatalf("ListGroups(consumer) after restart: %+v", listed)
	}
	sum = 0
	for _, o := range committed(t, srv.Bootstrap, group) {
		sum += o
	}
	if sum != total {
		t.Fatalf("committed offsets after restart add up to %d, want %d", sum, total)
	}
}
