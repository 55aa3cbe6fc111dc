package metrics

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/replication"
)

// kafka_exporter's per-partition metrics. kafka_exporter is one process
// asking the whole cluster; here every broker reports the partitions it
// leads, so across a cluster each partition appears exactly once and sums
// over brokers stay right.
var (
	partCurrentOffsetDesc = prometheus.NewDesc("kafka_topic_partition_current_offset",
		"High watermark of a partition (what ListOffsets latest answers), reported by its leader.", []string{"topic", "partition"}, nil)
	partOldestOffsetDesc = prometheus.NewDesc("kafka_topic_partition_oldest_offset",
		"Log start offset of a partition, reported by its leader.", []string{"topic", "partition"}, nil)
	partLeaderDesc = prometheus.NewDesc("kafka_topic_partition_leader",
		"Leader broker id of a partition.", []string{"topic", "partition"}, nil)
	partReplicasDesc = prometheus.NewDesc("kafka_topic_partition_replicas",
		"Number of replicas of a partition.", []string{"topic", "partition"}, nil)
	partISRDesc = prometheus.NewDesc("kafka_topic_partition_in_sync_replica",
		"Number of in-sync replicas of a partition.", []string{"topic", "partition"}, nil)
	partPreferredDesc = prometheus.NewDesc("kafka_topic_partition_leader_is_preferred",
		"1 if a partition is led by its preferred (first) replica.", []string{"topic", "partition"}, nil)
	partUnderReplicatedDesc = prometheus.NewDesc("kafka_topic_partition_under_replicated_partition",
		"1 if a partition has fewer in-sync replicas than replicas.", []string{"topic", "partition"}, nil)
)

// Kafka's ReplicaManager gauges and meters (this broker's replicas only).
var (
	rmPartitionCountDesc = prometheus.NewDesc("kafka_server_replicamanager_partitioncount",
		"Partitions hosted on this broker, leaders and followers.", nil, nil)
	rmLeaderCountDesc = prometheus.NewDesc("kafka_server_replicamanager_leadercount",
		"Partitions this broker leads.", nil, nil)
	rmURPDesc = prometheus.NewDesc("kafka_server_replicamanager_underreplicatedpartitions",
		"Partitions led here with fewer in-sync replicas than replicas.", nil, nil)
	rmUnderMinISRDesc = prometheus.NewDesc("kafka_server_replicamanager_underminisrpartitioncount",
		"Partitions led here with fewer in-sync replicas than min.insync.replicas.", nil, nil)
	rmAtMinISRDesc = prometheus.NewDesc("kafka_server_replicamanager_atminisrpartitioncount",
		"Partitions led here with exactly min.insync.replicas in-sync replicas.", nil, nil)
	rmShrinksDesc = prometheus.NewDesc("kafka_server_replicamanager_isrshrinks_total",
		"Times a partition led here lost in-sync replicas.", nil, nil)
	rmExpandsDesc = prometheus.NewDesc("kafka_server_replicamanager_isrexpands_total",
		"Times a partition led here gained in-sync replicas.", nil, nil)
)

// Kafka's Log MBeans (kafka.log type=Log), one per local replica.
var (
	logSizeDesc = prometheus.NewDesc("kafka_log_log_size",
		"Bytes of a partition's log on this broker (all segments).", []string{"topic", "partition"}, nil)
	logStartDesc = prometheus.NewDesc("kafka_log_log_logstartoffset",
		"Log start offset of a local replica.", []string{"topic", "partition"}, nil)
	logEndDesc = prometheus.NewDesc("kafka_log_log_logendoffset",
		"Log end offset of a local replica.", []string{"topic", "partition"}, nil)
	logSegmentsDesc = prometheus.NewDesc("kafka_log_log_numlogsegments",
		"Segments of a local replica's log.", []string{"topic", "partition"}, nil)
	logRetentionPctDesc = prometheus.NewDesc("kafka_log_log_retentionsizeinpercent",
		"Log size as a percentage of retention.bytes (KIP-1257); 0 when retention.bytes is unlimited (-1).", []string{"topic", "partition"}, nil)
)

type partitionCollector struct {
	nodeID int32
	src    Sources
	minISR minISRCache
}

func newPartitionCollector(nodeID int32, src Sources) *partitionCollector {
	return &partitionCollector{nodeID: nodeID, src: src}
}

func (c *partitionCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		partCurrentOffsetDesc, partOldestOffsetDesc, partLeaderDesc, partReplicasDesc, partISRDesc, partPreferredDesc, partUnderReplicatedDesc,
		rmPartitionCountDesc, rmLeaderCountDesc, rmURPDesc, rmUnderMinISRDesc, rmAtMinISRDesc, rmShrinksDesc, rmExpandsDesc,
		logSizeDesc, logStartDesc, logEndDesc, logSegmentsDesc, logRetentionPctDesc,
	} {
		ch <- d
	}
}

func (c *partitionCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Replicas == nil || c.src.Image == nil {
		return
	}
	img := c.src.Image()
	parts := c.src.Replicas.Partitions()
	var leaders, urp, underMin, atMin int
	for _, p := range parts {
		lbl := [2]string{p.Topic, strconv.Itoa(int(p.Index))}
		c.collectLog(ch, p, lbl)
		mp := partitionOf(img, p)
		if mp == nil || mp.Leader != c.nodeID {
			continue
		}
		leaders++
		replicas, isr := len(mp.Replicas), len(mp.ISR)
		minISR := c.minISR.get(c.src.MinISR, img, p.Topic)
		if isr < replicas {
			urp++
		}
		if isr < minISR {
			underMin++
		} else if isr == minISR {
			atMin++
		}
		lg := p.Log()
		gauge(ch, partCurrentOffsetDesc, float64(lg.HighWatermark()), lbl[:]...)
		gauge(ch, partOldestOffsetDesc, float64(lg.LogStartOffset()), lbl[:]...)
		gauge(ch, partLeaderDesc, float64(mp.Leader), lbl[:]...)
		gauge(ch, partReplicasDesc, float64(replicas), lbl[:]...)
		gauge(ch, partISRDesc, float64(isr), lbl[:]...)
		gauge(ch, partPreferredDesc, boolValue(replicas > 0 && mp.Replicas[0] == mp.Leader), lbl[:]...)
		gauge(ch, partUnderReplicatedDesc, boolValue(isr < replicas), lbl[:]...)
	}
	gauge(ch, rmPartitionCountDesc, float64(len(parts)))
	gauge(ch, rmLeaderCountDesc, float64(leaders))
	gauge(ch, rmURPDesc, float64(urp))
	gauge(ch, rmUnderMinISRDesc, float64(underMin))
	gauge(ch, rmAtMinISRDesc, float64(atMin))
	ch <- prometheus.MustNewConstMetric(rmShrinksDesc, prometheus.CounterValue, float64(c.src.Replicas.ISRShrinks()))
	ch <- prometheus.MustNewConstMetric(rmExpandsDesc, prometheus.CounterValue, float64(c.src.Replicas.ISRExpands()))
}

func (c *partitionCollector) collectLog(ch chan<- prometheus.Metric, p *replication.Partition, lbl [2]string) {
	lg := p.Log()
	size := lg.Size()
	gauge(ch, logSizeDesc, float64(size), lbl[:]...)
	gauge(ch, logStartDesc, float64(lg.LogStartOffset()), lbl[:]...)
	gauge(ch, logEndDesc, float64(lg.LogEndOffset()), lbl[:]...)
	gauge(ch, logSegmentsDesc, float64(lg.NumSegments()), lbl[:]...)
	gauge(ch, logRetentionPctDesc, float64(retentionPercent(size, lg.Config().RetentionBytes)), lbl[:]...)
}

// retentionPercent is KIP-1257's RetentionSizeInPercent: size over
// retention.bytes as a whole percentage (it exceeds 100 until retention
// runs), 0 when retention.bytes is unlimited.
func retentionPercent(size, retentionBytes int64) int64 {
	if retentionBytes <= 0 {
		return 0
	}
	return size * 100 / retentionBytes
}

func partitionOf(img *metadata.Image, p *replication.Partition) *metadata.Partition {
	if img == nil {
		return nil
	}
	t := img.Topic(p.Topic)
	if t == nil {
		return nil
	}
	return t.Partitions[p.Index]
}

// minISRCache keeps each topic's min.insync.replicas for one image, so a
// scrape resolves a topic's configs once however many partitions it has.
type minISRCache struct {
	mu    sync.Mutex
	img   *metadata.Image
	cache map[string]int
}

func (m *minISRCache) get(fn func(*metadata.Image, string) int, img *metadata.Image, topic string) int {
	if fn == nil {
		return 1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.img != img {
		m.img, m.cache = img, map[string]int{}
	}
	if n, ok := m.cache[topic]; ok {
		return n
	}
	n := fn(img, topic)
	m.cache[topic] = n
	return n
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
