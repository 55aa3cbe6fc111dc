package metrics

import (
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/group"
	"github.com/odradek/odradek/internal/metadata"
)

// Consumer group metrics with kafka_exporter's names and labels, reported
// by each group's coordinator (so once per cluster). As kafka_exporter
// does with its default --offset.show-all, a topic is reported for a group
// when the group has committed an offset for at least one of its
// partitions, and then every partition of the topic is reported: one
// without a committed offset has current_offset -1 and lag -1 (and the -1
// enters current_offset_sum, as there).
var (
	cgCurrentOffsetDesc = prometheus.NewDesc("kafka_consumergroup_current_offset",
		"Committed offset of a consumer group for a partition (-1 for none).", []string{"consumergroup", "topic", "partition"}, nil)
	cgCurrentOffsetSumDesc = prometheus.NewDesc("kafka_consumergroup_current_offset_sum",
		"Sum of a consumer group's committed offsets over a topic's partitions.", []string{"consumergroup", "topic"}, nil)
	cgLagDesc = prometheus.NewDesc("kafka_consumergroup_lag",
		"High watermark minus committed offset of a consumer group for a partition (-1 when nothing is committed).", []string{"consumergroup", "topic", "partition"}, nil)
	cgLagSumDesc = prometheus.NewDesc("kafka_consumergroup_lag_sum",
		"Sum of a consumer group's lag over a topic's partitions.", []string{"consumergroup", "topic"}, nil)
	cgMembersDesc = prometheus.NewDesc("kafka_consumergroup_members",
		"Members of a consumer group.", []string{"consumergroup"}, nil)

	cgLagSecondsDesc = prometheus.NewDesc("odradek_consumergroup_lag_seconds",
		"Age of the first record a consumer group has not consumed (now minus its timestamp); 0 when caught up.", []string{"consumergroup", "topic", "partition"}, nil)
	cgCatchUpDesc = prometheus.NewDesc("odradek_consumergroup_catchup_seconds",
		"Estimated time for a consumer group to consume its lag at the consume and produce rates of the last window; +Inf when it does not consume faster than records arrive, 0 with no lag.", []string{"consumergroup", "topic", "partition"}, nil)
	cgMaxLagSecondsDesc = prometheus.NewDesc("odradek_consumergroup_max_lag_seconds",
		"Largest odradek_consumergroup_lag_seconds over a consumer group's partitions.", []string{"consumergroup"}, nil)
	cgMaxCatchUpDesc = prometheus.NewDesc("odradek_consumergroup_max_catchup_seconds",
		"Largest odradek_consumergroup_catchup_seconds over a consumer group's partitions.", []string{"consumergroup"}, nil)
)

// Group coordinator metrics (Kafka's group-coordinator-metrics group,
// named like the raft-metrics rendering: attribute dashes to underscores).
var (
	gcGroupCountDesc = prometheus.NewDesc("kafka_server_groupcoordinatormetrics_group_count",
		"Groups hosted by this coordinator, by protocol (classic, consumer).", []string{"protocol"}, nil)
	gcClassicStateDesc = prometheus.NewDesc("kafka_server_groupcoordinatormetrics_classic_group_count",
		"Classic groups hosted by this coordinator, by state.", []string{"state"}, nil)
	gcConsumerStateDesc = prometheus.NewDesc("kafka_server_groupcoordinatormetrics_consumer_group_count",
		"Consumer-protocol groups hosted by this coordinator, by state.", []string{"state"}, nil)
)

var (
	classicStates  = []string{"preparingrebalance", "completingrebalance", "stable", "dead", "empty"}
	consumerStates = []string{"empty", "assigning", "reconciling", "stable", "dead"}
)

type groupCollector struct {
	nodeID int32
	clk    clock.Clock
	src    Sources

	mu  sync.Mutex // one scrape at a time owns lag
	lag *lagTracker
}

func newGroupCollector(nodeID int32, clk clock.Clock, window time.Duration, src Sources) *groupCollector {
	return &groupCollector{nodeID: nodeID, clk: clk, src: src, lag: newLagTracker(window)}
}

func (c *groupCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		cgCurrentOffsetDesc, cgCurrentOffsetSumDesc, cgLagDesc, cgLagSumDesc, cgMembersDesc,
		cgLagSecondsDesc, cgCatchUpDesc, cgMaxLagSecondsDesc, cgMaxCatchUpDesc,
		gcGroupCountDesc, gcClassicStateDesc, gcConsumerStateDesc,
	} {
		ch <- d
	}
}

func (c *groupCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Groups == nil || c.src.Image == nil || c.src.Replicas == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	img := c.src.Image()
	c.lag.begin(c.clk.Now())
	protocols := map[string]int{"classic": 0, "consumer": 0}
	states := map[string]map[string]int{"classic": zeroCounts(classicStates), "consumer": zeroCounts(consumerStates)}
	c.src.Groups.VisitGroups(func(g group.GroupView) {
		protocols[g.Protocol]++
		if m := states[g.Protocol]; m != nil {
			m[g.State]++
		}
		gauge(ch, cgMembersDesc, float64(g.Members), g.ID)
		c.collectOffsets(ch, img, g)
	})
	c.lag.end()
	for p, n := range protocols {
		gauge(ch, gcGroupCountDesc, float64(n), p)
	}
	for s, n := range states["classic"] {
		gauge(ch, gcClassicStateDesc, float64(n), s)
	}
	for s, n := range states["consumer"] {
		gauge(ch, gcConsumerStateDesc, float64(n), s)
	}
}

func zeroCounts(keys []string) map[string]int {
	m := make(map[string]int, len(keys))
	for _, k := range keys {
		m[k] = 0
	}
	return m
}

// collectOffsets reports a group's offsets and lag, topic by topic; the
// view's offsets come sorted by topic, then partition.
func (c *groupCollector) collectOffsets(ch chan<- prometheus.Metric, img *metadata.Image, g group.GroupView) {
	maxLagSecs, maxCatchUp := 0.0, 0.0
	haveLagSecs, haveCatchUp := false, false
	for i := 0; i < len(g.Offsets); {
		j := i
		for j < len(g.Offsets) && g.Offsets[j].Topic == g.Offsets[i].Topic {
			j++
		}
		committed := g.Offsets[i:j]
		topic := committed[0].Topic
		i = j
		t := img.Topic(topic)
		if t == nil {
			continue
		}
		var offsetSum, lagSum int64
		for _, pid := range t.SortedPartitionIDs() {
			pl := strconv.Itoa(int(pid))
			off := committedAt(committed, pid)
			offsetSum += off
			gauge(ch, cgCurrentOffsetDesc, float64(off), g.ID, topic, pl)
			part, err := c.src.Replicas.Partition(topic, pid)
			if err != nil {
				// Not hosted here: its high watermark is not known
				// (kafka_exporter likewise skips lag it cannot compute).
				continue
			}
			if off < 0 {
				gauge(ch, cgLagDesc, -1, g.ID, topic, pl)
				continue
			}
			hw := part.HighWatermark()
			lag := hw - off
			lagSum += lag
			gauge(ch, cgLagDesc, float64(lag), g.ID, topic, pl)
			if secs, ok := c.lag.lagSeconds(part.Log(), topic, pid, off, hw); ok {
				gauge(ch, cgLagSecondsDesc, secs, g.ID, topic, pl)
				maxLagSecs, haveLagSecs = max(maxLagSecs, secs), true
			}
			if secs, ok := c.lag.catchUpSeconds(g.ID, topic, pid, off, hw); ok {
				gauge(ch, cgCatchUpDesc, secs, g.ID, topic, pl)
				maxCatchUp, haveCatchUp = max(maxCatchUp, secs), true
			}
		}
		gauge(ch, cgCurrentOffsetSumDesc, float64(offsetSum), g.ID, topic)
		gauge(ch, cgLagSumDesc, float64(lagSum), g.ID, topic)
	}
	if haveLagSecs {
		gauge(ch, cgMaxLagSecondsDesc, maxLagSecs, g.ID)
	}
	if haveCatchUp {
		gauge(ch, cgMaxCatchUpDesc, maxCatchUp, g.ID)
	}
}

// committedAt finds a partition's committed offset in one topic's sorted
// offsets, -1 when there is none.
func committedAt(offsets []group.CommittedOffset, partition int32) int64 {
	i := sort.Search(len(offsets), func(i int) bool { return offsets[i].Partition >= partition })
	if i < len(offsets) && offsets[i].Partition == partition {
		return offsets[i].Offset
	}
	return -1
}
