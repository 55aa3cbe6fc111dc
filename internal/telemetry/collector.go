package telemetry

import (
	"maps"
	"slices"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

// Identity labels every client series carries.
const (
	LabelClientInstanceID = "client_instance_id"
	LabelClientID         = "client_id"
)

// Collector returns a prometheus.Collector of the latest values clients
// pushed. It is unchecked (it describes nothing up front) because the
// metric names are whatever clients push. Instances that stopped pushing
// are dropped at collection time, by the injected clock.
func (m *Manager) Collector() prometheus.Collector { return (*collector)(m) }

type collector Manager

func (c *collector) Describe(chan<- *prometheus.Desc) {}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	m := (*Manager)(c)
	for _, f := range m.families() {
		names := f.labelNames()
		desc := prometheus.NewDesc(f.name, "Client metric "+f.source+" pushed by KIP-714 client telemetry.", names, nil)
		for _, p := range f.points {
			values := make([]string, len(names))
			for i, n := range names {
				values[i] = p.labels[n]
			}
			var metric prometheus.Metric
			var err error
			switch f.kind {
			case kindGauge:
				metric, err = prometheus.NewConstMetric(desc, prometheus.GaugeValue, p.value, values...)
			case kindCounter:
				metric, err = prometheus.NewConstMetric(desc, prometheus.CounterValue, p.value, values...)
			case kindHistogram:
				metric, err = prometheus.NewConstHistogram(desc, p.count, p.sum, cumulativeBuckets(p.bounds, p.buckets), values...)
			}
			if err == nil {
				ch <- metric
			}
		}
	}
}

// family is every point of one metric name across clients. Prometheus wants
// one label set and one type per name: labels are the union (missing ones
// are empty), and points of another kind than the first client's are left out.
type family struct {
	name, source string
	kind         kind
	points       []point
}

type point struct {
	labels  map[string]string
	value   float64
	count   uint64
	sum     float64
	bounds  []float64
	buckets []uint64
}

func (f *family) labelNames() []string {
	set := map[string]bool{}
	for _, p := range f.points {
		for k := range p.labels {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// families copies the live series out under the lock, in a stable order.
func (m *Manager) families() []*family {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expireLocked(m.cfg.Clock.Now())
	ids := slices.SortedFunc(maps.Keys(m.instances), func(a, b [16]byte) int { return slices.Compare(a[:], b[:]) })
	byName := map[string]*family{}
	var order []string
	for _, id := range ids {
		inst := m.instances[id]
		for _, k := range slices.Sorted(maps.Keys(inst.series)) {
			s := inst.series[k]
			f := byName[s.name]
			if f == nil {
				f = &family{name: s.name, source: s.source, kind: s.kind}
				byName[s.name] = f
				order = append(order, s.name)
			}
			if f.kind != s.kind {
				continue
			}
			labels := make(map[string]string, len(s.labels)+2)
			for k, v := range s.labels {
				labels[k] = v
			}
			labels[LabelClientInstanceID] = uuidString(inst.id)
			labels[LabelClientID] = inst.attrs[AttrClientID]
			f.points = append(f.points, point{labels: labels, value: s.value, count: s.count, sum: s.sum,
				bounds: slices.Clone(s.bounds), buckets: slices.Clone(s.buckets)})
		}
	}
	sort.Strings(order)
	out := make([]*family, len(order))
	for i, n := range order {
		out[i] = byName[n]
	}
	return out
}

// cumulativeBuckets turns OTLP per-bucket counts into Prometheus' cumulative
// upper-bound counts (the +Inf bucket is the total count).
func cumulativeBuckets(bounds []float64, counts []uint64) map[float64]uint64 {
	out := make(map[float64]uint64, len(bounds))
	var acc uint64
	for i, b := range bounds {
		if i < len(counts) {
			acc += counts[i]
		}
		out[b] = acc
	}
	return out
}
