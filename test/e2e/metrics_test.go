package e2e

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/twmb/franz-go/pkg/kgo"
)

// scrape fetches /metrics and parses the text exposition.
func scrape(t *testing.T, httpAddr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + httpAddr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// value finds the series of name whose labels include want; ok is false
// when there is none.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		match := true
		for k, v := range want {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			if !found {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

func mustValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	v, ok := value(fams, name, want)
	if !ok {
		t.Fatalf("no %s%v in /metrics", name, want)
	}
	return v
}

func TestMetricsEndpoint(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	const topic, group = "metered", "metered-group"
	createTopic(t, adm, topic, 3, nil)

	prod := newClient(t, srv.Bootstrap, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	produce := func(perPartition int, ts time.Time) {
		var recs []*kgo.Record
		for p := int32(0); p < 3; p++ {
			for i := 0; i < perPartition; i++ {
				recs = append(recs, &kgo.Record{Topic: topic, Partition: p, Value: []byte(fmt.Sprintf("v%d-%d", p, i)), Timestamp: ts})
			}
		}
		if err := prod.ProduceSync(ctxT(t), recs...).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
	produce(10, time.Now())
	consumeGroup(t, srv.Bootstrap, group, topic, 30)
	// Records the group has not consumed, an hour old by their timestamps.
	old := time.Now().Add(-time.Hour)
	produce(5, old)

	fams := scrape(t, srv.HTTPAddr())

	lags, err := adm.Lag(ctxT(t), group)
	if err != nil {
		t.Fatalf("kadm lag: %v", err)
	}
	gl := lags[group]
	if gl.Error() != nil {
		t.Fatalf("kadm lag: %v", gl.Error())
	}
	var lagSum int64
	for _, l := range gl.Lag[topic] {
		lbl := map[string]string{"consumergroup": group, "topic": topic, "partition": strconv.Itoa(int(l.Partition))}
		if got := mustValue(t, fams, "kafka_consumergroup_lag", lbl); got != float64(l.Lag) {
			t.Errorf("kafka_consumergroup_lag%v = %v, kadm says %d", lbl, got, l.Lag)
		}
		if got := mustValue(t, fams, "kafka_consumergroup_current_offset", lbl); got != float64(l.Commit.At) {
			t.Errorf("kafka_consumergroup_current_offset%v = %v, kadm says %d", lbl, got, l.Commit.At)
		}
		if got := mustValue(t, fams, "kafka_topic_partition_current_offset", map[string]string{"topic": topic, "partition": lbl["partition"]}); got != float64(l.End.Offset) {
			t.Errorf("kafka_topic_partition_current_offset = %v, kadm end offset %d", got, l.End.Offset)
		}
		secs := mustValue(t, fams, "odradek_consumergroup_lag_seconds", lbl)
		if secs < 3600 || secs > 3600+600 {
			t.Errorf("odradek_consumergroup_lag_seconds%v = %v, want about an hour", lbl, secs)
		}
		lagSum += l.Lag
	}
	if lagSum != 15 {
		t.Errorf("kadm lag sum = %d, want 15", lagSum)
	}
	if got := mustValue(t, fams, "kafka_consumergroup_lag_sum", map[string]string{"consumergroup": group, "topic": topic}); got != float64(lagSum) {
		t.Errorf("kafka_consumergroup_lag_sum = %v, want %d", got, lagSum)
	}
	if got := mustValue(t, fams, "kafka_consumergroup_members", map[string]string{"consumergroup": group}); got != 0 {
		t.Errorf("kafka_consumergroup_members = %v after the consumer left", got)
	}

	checks := []struct {
		name   string
		labels map[string]string
		want   func(float64) bool
		desc   string
	}{
		{"kafka_brokers", nil, eq(1), "1"},
		{"kafka_topic_partitions", map[string]string{"topic": topic}, eq(3), "3"},
		{"kafka_server_brokertopicmetrics_messagesin_total", map[string]string{"topic": topic}, eq(45), "45"},
		{"kafka_server_brokertopicmetrics_messagesin_total", map[string]string{"topic": ""}, eq(45), "45 (broker total)"},
		{"kafka_server_brokertopicmetrics_bytesin_total", map[string]string{"topic": topic}, gt(0), "> 0"},
		{"kafka_server_brokertopicmetrics_bytesout_total", map[string]string{"topic": topic}, gt(0), "> 0"},
		{"kafka_server_replicamanager_underreplicatedpartitions", nil, eq(0), "0"},
		{"kafka_server_replicamanager_underminisrpartitioncount", nil, eq(0), "0"},
		{"kafka_server_replicamanager_isrshrinks_total", nil, eq(0), "0"},
		{"kafka_server_replicamanager_leadercount", nil, gt(2), ">= 3"},
		{"kafka_controller_kafkacontroller_activecontrollercount", nil, eq(1), "1"},
		{"kafka_controller_kafkacontroller_offlinepartitionscount", nil, eq(0), "0"},
		{"kafka_controller_kafkacontroller_fencedbrokercount", nil, eq(0), "0"},
		{"kafka_controller_kafkacontroller_globaltopiccount", nil, gt(0), "> 0"},
		{"kafka_server_raftmetrics_current_state", map[string]string{"current_state": "leader"}, eq(1), "1"},
		{"kafka_server_raftmetrics_current_leader", nil, eq(1), "node 1"},
		{"kafka_server_raftmetrics_number_of_voters", nil, eq(1), "1"},
		{"kafka_server_raftmetrics_high_watermark", nil, gt(0), "> 0"},
		{"kafka_log_log_size", map[string]string{"topic": topic, "partition": "0"}, gt(0), "> 0"},
		{"kafka_network_requestmetrics_requests_total", map[string]string{"request": "Produce"}, gt(0), "> 0"},
		{"odradek_request_duration_seconds", map[string]string{"request": "Fetch"}, gt(0), "observations > 0"},
		{"odradek_raft_commit_latency_seconds", nil, gt(0), "observations > 0"},
		{"odradek_consumergroup_max_lag_seconds", map[string]string{"consumergroup": group}, gt(3599), "about an hour"},
		{"kafka_server_groupcoordinatormetrics_group_count", map[string]string{"protocol": "classic"}, gt(0), "> 0"},
		{"go_goroutines", nil, gt(0), "> 0"},
		{"kafka_server_socket_server_metrics_connection_count", map[string]string{"listener": "PLAINTEXT"}, gt(0), "> 0"},
	}
	for _, c := range checks {
		if got := mustValue(t, fams, c.name, c.labels); !c.want(got) {
			t.Errorf("%s%v = %v, want %s", c.name, c.labels, got, c.desc)
		}
	}

	// A second scrape has a rate window: nothing is consumed while the
	// produce rate is zero, so catch-up is infinite only if records keep
	// arriving; here both rates are zero, so it is +Inf (the group is not
	// catching up).
	fams = scrape(t, srv.HTTPAddr())
	v := mustValue(t, fams, "odradek_consumergroup_catchup_seconds", map[string]string{"consumergroup": group, "topic": topic, "partition": "0"})
	if !math.IsInf(v, 1) {
		t.Errorf("odradek_consumergroup_catchup_seconds = %v for a group that consumes nothing, want +Inf", v)
	}
}

func eq(want float64) func(float64) bool { return func(v float64) bool { return v == want } }
func gt(min float64) func(float64) bool  { return func(v float64) bool { return v > min } }
