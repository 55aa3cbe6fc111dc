package e2e

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func produceN(t *testing.T, bootstrap, topic string, n int, ts func(i int) time.Time) {
	t.Helper()
	p := newClient(t, bootstrap, kgo.DefaultProduceTopic(topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	for i := 0; i < n; i++ {
		r := kgo.StringRecord(strconv.Itoa(i))
		if ts != nil {
			r.Timestamp = ts(i)
		}
		if err := p.ProduceSync(ctxT(t), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestListOffsetsAndDeleteRecords(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "lo", 1, nil)
	base := time.Now().Add(-time.Hour).Truncate(time.Millisecond)
	produceN(t, srv.Bootstrap, "lo", 10, func(i int) time.Time {
		if i == 7 {
			return base.Add(time.Hour) // the max timestamp sits in the middle
		}
		return base.Add(time.Duration(i) * time.Second)
	})
	check := func(what string, got kadm.ListedOffsets, want int64) {
		t.Helper()
		o, ok := got.Lookup("lo", 0)
		if !ok || o.Err != nil || o.Offset != want {
			t.Fatalf("%s: %+v, want offset %d", what, o, want)
		}
	}
	ctx := ctxT(t)
	start, err := adm.ListStartOffsets(ctx, "lo")
	if err != nil {
		t.Fatal(err)
	}
	check("earliest", start, 0)
	end, _ := adm.ListEndOffsets(ctx, "lo")
	check("latest", end, 10)
	byTs, _ := adm.ListOffsetsAfterMilli(ctx, base.Add(3500*time.Millisecond).UnixMilli(), "lo")
	check("by timestamp", byTs, 4)
	maxTs, _ := adm.ListMaxTimestampOffsets(ctx, "lo")
	check("max timestamp", maxTs, 7)
	after, _ := adm.ListOffsetsAfterMilli(ctx, base.Add(2*time.Hour).UnixMilli(), "lo")
	if o, _ := after.Lookup("lo", 0); o.Offset != 10 && o.Offset != -1 {
		t.Fatalf("timestamp past every record: offset %d", o.Offset)
	}

	offs := kadm.Offsets{}
	offs.Add(kadm.Offset{Topic: "lo", Partition: 0, At: 6})
	del, err := adm.DeleteRecords(ctx, offs)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := del.Lookup("lo", 0); d.Err != nil || d.LowWatermark != 6 {
		t.Fatalf("delete records: %+v", d)
	}
	start, _ = adm.ListStartOffsets(ctx, "lo")
	check("earliest after delete", start, 6)
	got := consumeAll(t, srv.Bootstrap, "lo", 4)
	if got[0].Offset != 6 {
		t.Fatalf("first consumed offset %d after DeleteRecords, want 6", got[0].Offset)
	}
	offs = kadm.Offsets{}
	offs.Add(kadm.Offset{Topic: "lo", Partition: 0, At: 11})
	del, _ = adm.DeleteRecords(ctx, offs)
	if d, _ := del.Lookup("lo", 0); !errors.Is(d.Err, kerr.OffsetOutOfRange) {
		t.Fatalf("delete past the high watermark: %v", d.Err)
	}
}

func TestTopicAdministration(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	ctx := ctxT(t)

	// validate-only creates nothing.
	req := kmsg.NewPtrCreateTopicsRequest()
	req.ValidateOnly = true
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "vo", 3, 1
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, newClient(t, srv.Bootstrap))
	if err != nil || resp.Topics[0].ErrorCode != 0 {
		t.Fatalf("validate-only: %v %+v", err, resp)
	}
	if td, _ := adm.ListTopics(ctx, "vo"); td["vo"].Err == nil {
		t.Fatalf("validate-only created the topic")
	}

	// Manual assignment and configs.
	ret := "123456"
	cr, err := adm.CreateTopic(ctx, -1, -1, map[string]*string{"retention.ms": &ret}, "manual")
	if err != nil || cr.Err != nil {
		t.Fatal(err, cr.Err)
	}
	bad := "-5x"
	cr, _ = adm.CreateTopic(ctx, 1, 1, map[string]*string{"retention.ms": &bad}, "badcfg")
	if !errors.Is(cr.Err, kerr.InvalidConfig) {
		t.Fatalf("bad config value: %v", cr.Err)
	}
	cr, _ = adm.CreateTopic(ctx, 1, 1, nil, "manual")
	if !errors.Is(cr.Err, kerr.TopicAlreadyExists) {
		t.Fatalf("duplicate create: %v", cr.Err)
	}
	cr, _ = adm.CreateTopic(ctx, 1, 3, nil, "rf3")
	if !errors.Is(cr.Err, kerr.InvalidReplicationFactor) {
		t.Fatalf("replication factor 3 on one broker: %v", cr.Err)
	}

	// Create partitions.
	cp, err := adm.CreatePartitions(ctx, 4, "manual")
	if err != nil || cp["manual"].Err != nil {
		t.Fatal(err, cp)
	}
	td, _ := adm.ListTopics(ctx, "manual")
	if len(td["manual"].Partitions) != 5 {
		t.Fatalf("partitions after CreatePartitions: %d", len(td["manual"].Partitions))
	}
	cp, _ = adm.UpdatePartitions(ctx, 2, "manual")
	if !errors.Is(cp["manual"].Err, kerr.InvalidPartitions) {
		t.Fatalf("shrinking partitions: %v", cp["manual"].Err)
	}
	produceN(t, srv.Bootstrap, "manual", 3, nil)

	// Configs: describe with sources, alter incrementally, delete.
	rc, err := adm.DescribeTopicConfigs(ctx, "manual")
	if err != nil {
		t.Fatal(err)
	}
	cfgs, _ := rc.On("manual", nil)
	found := false
	for _, c := range cfgs.Configs {
		if c.Key == "retention.ms" {
			found = c.MaybeValue() == "123456" && c.Source == kmsg.ConfigSourceDynamicTopicConfig
		}
	}
	if !found {
		t.Fatalf("retention.ms not described as a dynamic topic config: %+v", cfgs.Configs)
	}
	v := "2097152"
	ar, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "segment.bytes", Value: &v}, {Op: kadm.DeleteConfig, Name: "retention.ms"}}, "manual")
	if err != nil || ar[0].Err != nil {
		t.Fatal(err, ar)
	}
	rc, _ = adm.DescribeTopicConfigs(ctx, "manual")
	cfgs, _ = rc.On("manual", nil)
	for _, c := range cfgs.Configs {
		if c.Key == "segment.bytes" && c.MaybeValue() != "2097152" || c.Key == "retention.ms" && c.Source == kmsg.ConfigSourceDynamicTopicConfig {
			t.Fatalf("after alter: %s=%s (%v)", c.Key, c.MaybeValue(), c.Source)
		}
	}
	ar, _ = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "no.such.config", Value: &v}}, "manual")
	if !errors.Is(ar[0].Err, kerr.InvalidConfig) {
		t.Fatalf("unknown config: %v", ar[0].Err)
	}

	// Broker configs: dynamic cluster default.
	one := "3"
	br, err := adm.AlterBrokerConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "log.retention.ms", Value: &one}})
	if err != nil || br[0].Err != nil {
		t.Fatal(err, br)
	}
	brc, err := adm.DescribeBrokerConfigs(ctx, 1)
	if err != nil || brc[0].Err != nil {
		t.Fatal(err, brc)
	}

	// Log dirs and cluster.
	dirs, err := adm.DescribeAllLogDirs(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	sawManual := false
	dirs.Each(func(d kadm.DescribedLogDir) {
		d.Topics.Each(func(p kadm.DescribedLogDirPartition) {
			if p.Topic == "manual" && p.Size > 0 {
				sawManual = true
			}
		})
	})
	if !sawManual {
		t.Fatalf("DescribeLogDirs shows no data for topic manual")
	}
	meta, err := adm.BrokerMetadata(ctx)
	if err != nil || len(meta.Brokers) != 1 || meta.Controller != 1 || meta.Cluster == "" {
		t.Fatalf("cluster: %+v %v", meta, err)
	}

	// Delete by topic id.
	id := td["manual"].ID
	dreq := kmsg.NewPtrDeleteTopicsRequest()
	dt := kmsg.NewDeleteTopicsRequestTopic()
	dt.TopicID = id
	dreq.Topics = append(dreq.Topics, dt)
	dresp, err := dreq.RequestWith(ctx, newClient(t, srv.Bootstrap))
	if err != nil || dresp.Topics[0].ErrorCode != 0 {
		t.Fatalf("delete by id: %v %+v", err, dresp)
	}
	if td, _ := adm.ListTopics(ctx, "manual"); td["manual"].Err == nil {
		t.Fatalf("topic still listed after delete")
	}
	dr, _ := adm.DeleteTopics(ctx, "never-existed")
	if !errors.Is(dr["never-existed"].Err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("deleting an unknown topic: %v", dr["never-existed"].Err)
	}
}

func TestAutoCreateTopics(t *testing.T) {
	srv := startServer(t, "num.partitions=3")
	p := newClient(t, srv.Bootstrap, kgo.DefaultProduceTopic("auto"), kgo.AllowAutoTopicCreation())
	if err := p.ProduceSync(ctxT(t), kgo.StringRecord("x")).FirstErr(); err != nil {
		t.Fatal(err)
	}
	td, err := newAdmin(t, srv.Bootstrap).ListTopics(ctxT(t), "auto")
	if err != nil || len(td["auto"].Partitions) != 3 {
		t.Fatalf("auto-created topic: %+v %v", td["auto"], err)
	}

	off := startServer(t, "auto.create.topics.enable=false")
	md, err := newAdmin(t, off.Bootstrap).Metadata(ctxT(t), "nope")
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(md.Topics["nope"].Err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("auto-create disabled: %v", md.Topics["nope"].Err)
	}
}

func TestLongPollFetchWakesOnProduce(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "lp", 1, nil)
	cl := newClient(t, srv.Bootstrap, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{"lp": {0: kgo.NewOffset().At(0)}}),
		kgo.FetchMaxWait(30*time.Second))
	got := make(chan *kgo.Record, 1)
	go func() {
		fs := cl.PollFetches(ctxT(t))
		if recs := fs.Records(); len(recs) > 0 {
			got <- recs[0]
		}
		close(got)
	}()
	// The fetch is parked (30s max wait); the produce must wake it.
	produceN(t, srv.Bootstrap, "lp", 1, nil)
	select {
	case r := <-got:
		if r == nil || string(r.Value) != "0" {
			t.Fatalf("long poll returned %v", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("long-polling fetch was not woken by the produce")
	}
}
