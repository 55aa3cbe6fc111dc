package metrics_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/testserver"
)

func scrape(t *testing.T, srv *testserver.Server) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + srv.HTTPAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// find returns the value of the series of name with all the given labels.
func find(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
next:
	for _, m := range fams[name].GetMetric() {
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				found = found || (lp.GetName() == labels[i] && lp.GetValue() == labels[i+1])
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		}
		return 0, true
	}
	return 0, false
}

func setup(t *testing.T, overrides ...string) (*testserver.Server, *kgo.Client, *kadm.Client, context.Context) {
	srv := testserver.Start(t, overrides...)
	// acks=1: a topic here asks for more in-sync replicas than one node has.
	cl, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite(), kgo.ProducerBatchCompression(kgo.NoCompression()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return srv, cl, kadm.NewClient(cl), ctx
}

func TestReplicaAndLogMetrics(t *testing.T) {
	srv, cl, adm, ctx := setup(t)
	minISR, retention := "2", "1024"
	if _, err := adm.CreateTopic(ctx, 2, 1, map[string]*string{"min.insync.replicas": &minISR, "retention.bytes": &retention}, "strict"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "loose"); err != nil {
		t.Fatal(err)
	}
	value := []byte(strings.Repeat("x", 500))
	for i := 0; i < 6; i++ {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "strict", Partition: 0, Value: value}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	fams := scrape(t, srv)
	if v, _ := find(fams, "kafka_server_replicamanager_underminisrpartitioncount"); v != 2 {
		t.Errorf("underminisrpartitioncount = %v, want the 2 partitions of the min.insync.replicas=2 topic", v)
	}
	if v, _ := find(fams, "kafka_server_replicamanager_underreplicatedpartitions"); v != 0 {
		t.Errorf("underreplicatedpartitions = %v, want 0 on one node", v)
	}
	leaders, _ := find(fams, "kafka_server_replicamanager_leadercount")
	atMin, _ := find(fams, "kafka_server_replicamanager_atminisrpartitioncount")
	if atMin != leaders-2 {
		t.Errorf("atminisrpartitioncount = %v, want every led partition but the 2 under min ISR (%v)", atMin, leaders-2)
	}
	size, ok := find(fams, "kafka_log_log_size", "topic", "strict", "partition", "0")
	if !ok || size < 3000 {
		t.Fatalf("kafka_log_log_size = %v, %v; want the 3000+ bytes produced", size, ok)
	}
	if pct, _ := find(fams, "kafka_log_log_retentionsizeinpercent", "topic", "strict", "partition", "0"); pct != float64(int64(size)*100/1024) {
		t.Errorf("retentionsizeinpercent = %v, want %v (size over retention.bytes=1024)", pct, int64(size)*100/1024)
	}
	if pct, ok := find(fams, "kafka_log_log_retentionsizeinpercent", "topic", "loose", "partition", "0"); !ok || pct != 0 {
		t.Errorf("retentionsizeinpercent with unlimited retention = %v, %v; want 0", pct, ok)
	}
	if v, _ := find(fams, "kafka_log_log_logendoffset", "topic", "strict", "partition", "0"); v != 6 {
		t.Errorf("logendoffset = %v, want 6", v)
	}

	if _, err := adm.DeleteTopic(ctx, "strict"); err != nil {
		t.Fatal(err)
	}
	// Deletion is applied by the metadata publishers; poll until it is.
	for {
		fams = scrape(t, srv)
		if _, ok := find(fams, "kafka_topic_partitions", "topic", "strict"); !ok {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("topic still reported after deletion")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, name := range []string{"kafka_log_log_size", "kafka_topic_partition_current_offset", "kafka_server_brokertopicmetrics_bytesin_total"} {
		if _, ok := find(fams, name, "topic", "strict"); ok {
			t.Errorf("%s still reported for a deleted topic", name)
		}
	}
}

func TestConsumerProtocolGroupMetrics(t *testing.T) {
	srv, cl, adm, ctx := setup(t, "group.consumer.min.heartbeat.interval.ms=100", "group.consumer.heartbeat.interval.ms=200")
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, "events"); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "events", Partition: 1, Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	member, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.ConsumerGroup("kip848"), kgo.ConsumeTopics("events"),
		kgo.ServerSideBalancer(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer member.Close()
	for got := 0; got < 1; {
		fs := member.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatal("nothing consumed")
		}
		got += fs.NumRecords()
	}
	if err := member.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	fams := scrape(t, srv)
	if v, _ := find(fams, "kafka_consumergroup_members", "consumergroup", "kip848"); v != 1 {
		t.Errorf("kafka_consumergroup_members = %v, want 1", v)
	}
	if v, _ := find(fams, "kafka_server_groupcoordinatormetrics_group_count", "protocol", "consumer"); v != 1 {
		t.Errorf("consumer group count = %v, want 1", v)
	}
	if v, _ := find(fams, "kafka_server_groupcoordinatormetrics_num_offsets"); v != 1 {
		t.Errorf("num_offsets = %v, want the 1 committed offset", v)
	}
	if v, _ := find(fams, "kafka_server_groupcoordinatormetrics_num_partitions", "state", "active"); v < 1 {
		t.Errorf("active coordinator partitions = %v, want at least 1", v)
	}
	if v, _ := find(fams, "kafka_consumergroup_lag", "consumergroup", "kip848", "topic", "events", "partition", "1"); v != 0 {
		t.Errorf("lag on the consumed partition = %v, want 0", v)
	}
	if v, _ := find(fams, "odradek_consumergroup_lag_seconds", "consumergroup", "kip848", "topic", "events", "partition", "1"); v != 0 {
		t.Errorf("lag seconds of a caught-up group = %v, want 0", v)
	}
}

// TestScrapeWhileServing scrapes while a producer and a classic group are
// busy, so the race detector sees scrapes interleave with appends,
// commits and rebalances.
func TestScrapeWhileServing(t *testing.T) {
	srv, cl, adm, ctx := setup(t)
	if _, err := adm.CreateTopic(ctx, 3, 1, nil, "busy"); err != nil {
		t.Fatal(err)
	}
	consumer, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.ConsumerGroup("busy-group"), kgo.ConsumeTopics("busy"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.AutoCommitInterval(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "busy", Partition: int32(i % 3), Value: []byte("v")}).FirstErr(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	consumed := 0
	for consumed < 200 {
		fs := consumer.PollRecords(ctx, 50)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d of 200", consumed)
		}
		consumed += fs.NumRecords()
		scrape(t, srv)
	}
	<-done
	fams := scrape(t, srv)
	if v, _ := find(fams, "kafka_server_brokertopicmetrics_messagesin_total", "topic", "busy"); v != 200 {
		t.Errorf("messagesin = %v, want 200", v)
	}
}
