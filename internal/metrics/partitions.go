package metrics

import (
	"cmp"
	"slices"
	"sync"

	dto "github.com/prometheus/client_model/go"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/replication"
)

// Family names and help of the per-partition series. kafka_exporter is one
// process asking the whole cluster; here every broker reports the
// partitions it leads, so across a cluster each partition appears exactly
// once and sums over brokers stay right. The ReplicaManager and Log ones
// are Kafka's MBeans as the JMX exporter renders them (this broker's
// replicas only).
const (
	helpCurrentOffset   = "High watermark of a partition (what ListOffsets latest answers), reported by its leader."
	helpOldestOffset    = "Log start offset of a partition, reported by its leader."
	helpLeader          = "Leader broker id of a partition."
	helpReplicas        = "Number of replicas of a partition."
	helpISR             = "Number of in-sync replicas of a partition."
	helpPreferred       = "1 if a partition is led by its preferred (first) replica."
	helpUnderReplicated = "1 if a partition has fewer in-sync replicas than replicas."
	helpRMPartitions    = "Partitions hosted on this broker, leaders and followers."
	helpRMLeaders       = "Partitions this broker leads."
	helpRMURP           = "Partitions led here with fewer in-sync replicas than replicas."
	helpRMUnderMinISR   = "Partitions led here with fewer in-sync replicas than min.insync.replicas."
	helpRMAtMinISR      = "Partitions led here with exactly min.insync.replicas in-sync replicas."
	helpRMShrinks       = "Times a partition led here lost in-sync replicas."
	helpRMExpands       = "Times a partition led here gained in-sync replicas."
	helpLogSize         = "Bytes of a partition's log on this broker (all segments)."
	helpLogStart        = "Log start offset of a local replica."
	helpLogEnd          = "Log end offset of a local replica."
	helpLogSegments     = "Segments of a local replica's log."
	helpLogRetentionPct = "Log size as a percentage of retention.bytes (KIP-1257); 0 when retention.bytes is unlimited (-1)."
	gaugeType           = dto.MetricType_GAUGE
	counterType         = dto.MetricType_COUNTER
)

type partitionCollector struct {
	nodeID int32
	src    Sources

	mu     sync.Mutex // one scrape at a time owns labels and minISR
	labels labelCache
	minISR minISRCache
}

func newPartitionCollector(nodeID int32, src Sources) *partitionCollector {
	return &partitionCollector{nodeID: nodeID, src: src}
}

func (c *partitionCollector) gather(b *familyBuilder) {
	if c.src.Replicas == nil || c.src.Image == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.labels.begin()
	defer c.labels.sweep()

	var (
		curOffset  = b.family("kafka_topic_partition_current_offset", helpCurrentOffset, gaugeType)
		oldOffset  = b.family("kafka_topic_partition_oldest_offset", helpOldestOffset, gaugeType)
		leaderF    = b.family("kafka_topic_partition_leader", helpLeader, gaugeType)
		replicasF  = b.family("kafka_topic_partition_replicas", helpReplicas, gaugeType)
		isrF       = b.family("kafka_topic_partition_in_sync_replica", helpISR, gaugeType)
		preferredF = b.family("kafka_topic_partition_leader_is_preferred", helpPreferred, gaugeType)
		urpF       = b.family("kafka_topic_partition_under_replicated_partition", helpUnderReplicated, gaugeType)
		logSize    = b.family("kafka_log_log_size", helpLogSize, gaugeType)
		logStart   = b.family("kafka_log_log_logstartoffset", helpLogStart, gaugeType)
		logEnd     = b.family("kafka_log_log_logendoffset", helpLogEnd, gaugeType)
		logSegs    = b.family("kafka_log_log_numlogsegments", helpLogSegments, gaugeType)
		logPct     = b.family("kafka_log_log_retentionsizeinpercent", helpLogRetentionPct, gaugeType)
	)
	img := c.src.Image()
	parts := c.src.Replicas.Partitions()
	slices.SortFunc(parts, func(a, b *replication.Partition) int {
		return cmp.Or(cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Index, b.Index))
	})
	var leaders, urp, underMin, atMin int
	for _, p := range parts {
		lbl := c.labels.get(partitionLabels(p.Topic, p.Index))
		lg := p.Log()
		size := lg.Size()
		b.gauge(logSize, float64(size), lbl)
		b.gauge(logStart, float64(lg.LogStartOffset()), lbl)
		b.gauge(logEnd, float64(lg.LogEndOffset()), lbl)
		b.gauge(logSegs, float64(lg.NumSegments()), lbl)
		b.gauge(logPct, float64(retentionPercent(size, lg.Config().RetentionBytes)), lbl)

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
		b.gauge(curOffset, float64(lg.HighWatermark()), lbl)
		b.gauge(oldOffset, float64(lg.LogStartOffset()), lbl)
		b.gauge(leaderF, float64(mp.Leader), lbl)
		b.gauge(replicasF, float64(replicas), lbl)
		b.gauge(isrF, float64(isr), lbl)
		b.gauge(preferredF, boolValue(replicas > 0 && mp.Replicas[0] == mp.Leader), lbl)
		b.gauge(urpF, boolValue(isr < replicas), lbl)
	}
	b.gauge(b.family("kafka_server_replicamanager_partitioncount", helpRMPartitions, gaugeType), float64(len(parts)), nil)
	b.gauge(b.family("kafka_server_replicamanager_leadercount", helpRMLeaders, gaugeType), float64(leaders), nil)
	b.gauge(b.family("kafka_server_replicamanager_underreplicatedpartitions", helpRMURP, gaugeType), float64(urp), nil)
	b.gauge(b.family("kafka_server_replicamanager_underminisrpartitioncount", helpRMUnderMinISR, gaugeType), float64(underMin), nil)
	b.gauge(b.family("kafka_server_replicamanager_atminisrpartitioncount", helpRMAtMinISR, gaugeType), float64(atMin), nil)
	b.counter(b.family("kafka_server_replicamanager_isrshrinks_total", helpRMShrinks, counterType), float64(c.src.Replicas.ISRShrinks()), nil)
	b.counter(b.family("kafka_server_replicamanager_isrexpands_total", helpRMExpands, counterType), float64(c.src.Replicas.ISRExpands()), nil)
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
	img   *metadata.Image
	cache map[string]int
}

func (m *minISRCache) get(fn func(*metadata.Image, string) int, img *metadata.Image, topic string) int {
	if fn == nil {
		return 1
	}
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

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
