package telemetry

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
)

// kind is how a pushed metric is exposed to Prometheus.
type kind int8

const (
	kindGauge kind = iota
	kindCounter
	kindHistogram
)

// series is the latest value of one pushed metric with one attribute set.
type series struct {
	name   string // Prometheus metric name
	source string // the name the client pushed
	kind   kind
	labels map[string]string // attribute labels, names sanitized

	value float64 // gauge and counter

	count   uint64 // histogram
	sum     float64
	bounds  []float64
	buckets []uint64 // per bucket (not cumulative), len(bounds)+1
}

// apply folds one push into the instance's series: gauges and cumulative
// sums replace the value, delta sums and delta histograms (what the broker
// asks clients for) accumulate. Exponential histograms and summaries are
// not exposed. It returns how many points were dropped by the series limit.
func (inst *instance) apply(md *metricspb.MetricsData, limit int) (dropped int) {
	for _, rm := range md.GetResourceMetrics() {
		res := attrLabels(rm.GetResource().GetAttributes(), nil)
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				name := promName(m.GetName())
				if name == "" {
					continue
				}
				switch d := m.GetData().(type) {
				case *metricspb.Metric_Gauge:
					for _, dp := range d.Gauge.GetDataPoints() {
						if s := inst.point(name, m.GetName(), kindGauge, attrLabels(dp.GetAttributes(), res), limit); s != nil {
							s.value = numberValue(dp)
						} else {
							dropped++
						}
					}
				case *metricspb.Metric_Sum:
					k := kindGauge
					if d.Sum.GetIsMonotonic() {
						k = kindCounter
					}
					delta := d.Sum.GetAggregationTemporality() == metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA
					for _, dp := range d.Sum.GetDataPoints() {
						s := inst.point(name, m.GetName(), k, attrLabels(dp.GetAttributes(), res), limit)
						if s == nil {
							dropped++
							continue
						}
						if delta {
							s.value += numberValue(dp)
						} else {
							s.value = numberValue(dp)
						}
					}
				case *metricspb.Metric_Histogram:
					delta := d.Histogram.GetAggregationTemporality() == metricspb.AggregationTemporality_AGGREGATION_TEMPORALITY_DELTA
					for _, dp := range d.Histogram.GetDataPoints() {
						s := inst.point(name, m.GetName(), kindHistogram, attrLabels(dp.GetAttributes(), res), limit)
						if s == nil {
							dropped++
							continue
						}
						s.addHistogram(dp, delta)
					}
				}
			}
		}
	}
	return dropped
}

// point finds or makes the series; nil when the limit is reached or the
// metric changed kind (its old series is kept).
func (inst *instance) point(name, source string, k kind, labels map[string]string, limit int) *series {
	key := seriesKey(name, labels)
	if s, ok := inst.series[key]; ok {
		if s.kind != k {
			return nil
		}
		return s
	}
	if len(inst.series) >= limit {
		return nil
	}
	s := &series{name: name, source: source, kind: k, labels: labels}
	inst.series[key] = s
	return s
}

func (s *series) addHistogram(dp *metricspb.HistogramDataPoint, delta bool) {
	bounds := dp.GetExplicitBounds()
	counts := dp.GetBucketCounts()
	if !delta || !slices.Equal(bounds, s.bounds) || len(s.buckets) != len(counts) {
		s.count, s.sum, s.bounds, s.buckets = 0, 0, slices.Clone(bounds), make([]uint64, len(counts))
	}
	s.count += dp.GetCount()
	s.sum += dp.GetSum()
	for i, c := range counts {
		s.buckets[i] += c
	}
}

func numberValue(dp *metricspb.NumberDataPoint) float64 {
	switch v := dp.GetValue().(type) {
	case *metricspb.NumberDataPoint_AsDouble:
		return v.AsDouble
	case *metricspb.NumberDataPoint_AsInt:
		return float64(v.AsInt)
	}
	return math.NaN()
}

// attrLabels turns OTLP attributes into label pairs over base (a copy);
// attributes that are not scalars are left out.
func attrLabels(attrs []*commonpb.KeyValue, base map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(attrs))
	for k, v := range base {
		out[k] = v
	}
	for _, kv := range attrs {
		name := labelName(kv.GetKey())
		if name == "" {
			continue
		}
		var val string
		switch v := kv.GetValue().GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			val = v.StringValue
		case *commonpb.AnyValue_IntValue:
			val = strconv.FormatInt(v.IntValue, 10)
		case *commonpb.AnyValue_DoubleValue:
			val = strconv.FormatFloat(v.DoubleValue, 'g', -1, 64)
		case *commonpb.AnyValue_BoolValue:
			val = strconv.FormatBool(v.BoolValue)
		default:
			continue
		}
		out[name] = val
	}
	return out
}

func seriesKey(name string, labels map[string]string) string {
	var b strings.Builder
	b.WriteString(name)
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		b.WriteByte(0xff)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(labels[k])
	}
	return b.String()
}

// reservedPrefixes are the broker's own metric namespaces; a client metric
// that sanitizes into one gets a client_ prefix so it cannot collide with
// (and break the scrape of) a broker metric.
var reservedPrefixes = []string{"kafka_", "odradek_", "go_", "process_", "promhttp_", "client_"}

// promName maps a pushed metric name (org.apache.kafka.producer.record.send.rate)
// to a Prometheus metric name (org_apache_kafka_producer_record_send_rate).
func promName(s string) string {
	n := sanitize(s, true)
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(n, p) {
			return "client_" + n
		}
	}
	return n
}

// labelName maps an attribute key to a label name; Prometheus reserves a
// leading "__", so such names keep a single underscore.
func labelName(s string) string {
	n := sanitize(s, false)
	for strings.HasPrefix(n, "__") {
		n = n[1:]
	}
	return n
}

func sanitize(s string, colon bool) string {
	if s == "" {
		return ""
	}
	b := []byte(s)
	for i, c := range b {
		ok := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || colon && c == ':'
		if !ok {
			b[i] = '_'
		}
	}
	if b[0] >= '0' && b[0] <= '9' {
		return "_" + string(b)
	}
	return string(b)
}
