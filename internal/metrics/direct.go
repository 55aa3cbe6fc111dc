package metrics

import (
	"sort"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"
)

// The families with a series per partition or per group partition are
// built straight into the exposition's protobuf form instead of going
// through const metrics and the registry: that path costs a metric object,
// freshly built label pairs, a consistency hash and a sort per series, which
// at a hundred thousand series was most of a scrape. Here label pairs are
// cached between scrapes, series are allocated in slabs and come out
// already in order.

// directSource adds families to a scrape.
type directSource interface {
	gather(b *familyBuilder)
}

// familyBuilder collects one scrape's direct families.
type familyBuilder struct {
	fams    []*dto.MetricFamily
	metrics []dto.Metric
	gauges  []dto.Gauge
	counts  []dto.Counter
	values  []float64
}

// slabSize is how many series one allocation holds.
const slabSize = 1024

func (b *familyBuilder) family(name, help string, typ dto.MetricType) *dto.MetricFamily {
	f := &dto.MetricFamily{Name: proto.String(name), Help: proto.String(help), Type: typ.Enum()}
	b.fams = append(b.fams, f)
	return f
}

// slabNext hands out the next element of a slab. Slabs are never grown in
// place: earlier series point into them.
func slabNext[T any](slab *[]T) *T {
	if len(*slab) == cap(*slab) {
		*slab = make([]T, 0, slabSize)
	}
	*slab = (*slab)[:len(*slab)+1]
	return &(*slab)[len(*slab)-1]
}

// next hands out the next series, with its value cell set to v.
func (b *familyBuilder) next(v float64) (*dto.Metric, *float64) {
	val := slabNext(&b.values)
	*val = v
	return slabNext(&b.metrics), val
}

func (b *familyBuilder) gauge(f *dto.MetricFamily, v float64, labels []*dto.LabelPair) {
	m, val := b.next(v)
	g := slabNext(&b.gauges)
	g.Value = val
	m.Gauge, m.Label = g, labels
	f.Metric = append(f.Metric, m)
}

func (b *familyBuilder) counter(f *dto.MetricFamily, v float64, labels []*dto.LabelPair) {
	m, val := b.next(v)
	c := slabNext(&b.counts)
	c.Value = val
	m.Counter, m.Label = c, labels
	f.Metric = append(f.Metric, m)
}

// nonEmpty returns the families that got series (the registry likewise
// leaves out families without any).
func (b *familyBuilder) nonEmpty() []*dto.MetricFamily {
	out := b.fams[:0]
	for _, f := range b.fams {
		if len(f.Metric) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// gatherAll merges the registry's families with the direct ones, by name.
func gatherAll(regFams []*dto.MetricFamily, sources []directSource) []*dto.MetricFamily {
	var b familyBuilder
	for _, s := range sources {
		s.gather(&b)
	}
	fams := append(regFams, b.nonEmpty()...)
	sort.Slice(fams, func(i, j int) bool { return fams[i].GetName() < fams[j].GetName() })
	return fams
}

// labelKey names a label set: consumergroup (when group is set), partition
// (when partition >= 0) and topic (when topic is set), always in that
// order, which is by label name as the exposition expects.
type labelKey struct {
	group     string
	topic     string
	partition int32
	hasGroup  bool
}

type labelEntry struct {
	pairs []*dto.LabelPair
	gen   uint64
}

// labelCache keeps label pairs between scrapes; a scrape marks what it
// uses and sweep drops the rest. Not safe for concurrent use.
type labelCache struct {
	m   map[labelKey]*labelEntry
	gen uint64
}

func (c *labelCache) begin() {
	if c.m == nil {
		c.m = map[labelKey]*labelEntry{}
	}
	c.gen++
}

func (c *labelCache) sweep() {
	for k, e := range c.m {
		if e.gen != c.gen {
			delete(c.m, k)
		}
	}
}

func (c *labelCache) get(k labelKey) []*dto.LabelPair {
	if e, ok := c.m[k]; ok {
		e.gen = c.gen
		return e.pairs
	}
	var pairs []*dto.LabelPair
	if k.hasGroup {
		pairs = append(pairs, &dto.LabelPair{Name: proto.String("consumergroup"), Value: proto.String(k.group)})
	}
	if k.partition >= 0 {
		pairs = append(pairs, &dto.LabelPair{Name: proto.String("partition"), Value: proto.String(strconv.Itoa(int(k.partition)))})
	}
	if k.topic != "" {
		pairs = append(pairs, &dto.LabelPair{Name: proto.String("topic"), Value: proto.String(k.topic)})
	}
	c.m[k] = &labelEntry{pairs: pairs, gen: c.gen}
	return pairs
}

func partitionLabels(topic string, partition int32) labelKey {
	return labelKey{topic: topic, partition: partition}
}

func groupLabels(group string) labelKey { return labelKey{group: group, hasGroup: true, partition: -1} }

func groupTopicLabels(group, topic string) labelKey {
	return labelKey{group: group, topic: topic, hasGroup: true, partition: -1}
}

func groupPartitionLabels(group, topic string, partition int32) labelKey {
	return labelKey{group: group, topic: topic, partition: partition, hasGroup: true}
}
