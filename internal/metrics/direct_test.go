package metrics

import (
	"testing"

	dto "github.com/prometheus/client_model/go"
)

func TestFamilyBuilderAcrossSlabs(t *testing.T) {
	var b familyBuilder
	g := b.family("g", "gauges", dto.MetricType_GAUGE)
	c := b.family("c", "counters", dto.MetricType_COUNTER)
	b.family("empty", "no series", dto.MetricType_GAUGE)
	const n = 3*slabSize + 7
	for i := 0; i < n; i++ {
		b.gauge(g, float64(i), nil)
		b.counter(c, float64(-i), nil)
	}
	fams := b.nonEmpty()
	if len(fams) != 2 {
		t.Fatalf("%d families with series, want 2 (empty ones left out)", len(fams))
	}
	for i, m := range g.Metric {
		if m.GetGauge().GetValue() != float64(i) || m.Counter != nil {
			t.Fatalf("gauge %d = %v", i, m)
		}
	}
	for i, m := range c.Metric {
		if m.GetCounter().GetValue() != float64(-i) || m.Gauge != nil {
			t.Fatalf("counter %d = %v", i, m)
		}
	}
}

func TestLabelCache(t *testing.T) {
	var c labelCache
	c.begin()
	p := c.get(groupPartitionLabels("g", "t", 3))
	want := [][2]string{{"consumergroup", "g"}, {"partition", "3"}, {"topic", "t"}}
	if len(p) != len(want) {
		t.Fatalf("labels %v, want %v", p, want)
	}
	for i, w := range want {
		if p[i].GetName() != w[0] || p[i].GetValue() != w[1] {
			t.Fatalf("label %d = %v, want %v", i, p[i], w)
		}
	}
	if got := c.get(partitionLabels("t", 0)); len(got) != 2 || got[0].GetName() != "partition" || got[1].GetName() != "topic" {
		t.Fatalf("partition labels = %v", got)
	}
	if got := c.get(groupLabels("g")); len(got) != 1 || got[0].GetValue() != "g" {
		t.Fatalf("group labels = %v", got)
	}
	c.sweep()
	c.begin()
	if again := c.get(groupPartitionLabels("g", "t", 3)); &again[0] != &p[0] {
		t.Fatal("labels were rebuilt instead of reused")
	}
	c.sweep()
	if len(c.m) != 1 {
		t.Fatalf("%d label sets kept after a scrape that used one", len(c.m))
	}
}
