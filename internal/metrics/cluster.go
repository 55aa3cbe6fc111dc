package metrics

import (
	"context"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Controller metrics: Kafka's KafkaController MBeans (kafka.controller
// type=KafkaController), computed from the metadata image. Every
// controller reports ActiveControllerCount (1 only on the active one, so
// sum() over the cluster is 1 when all is well) and its own applied and
// committed offsets; the cluster-wide counts come from the active
// controller only, so sums over nodes count each partition once.
var (
	ctrlActiveDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_activecontrollercount",
		"1 on the active controller, 0 elsewhere.", nil, nil)
	ctrlOfflineDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_offlinepartitionscount",
		"Partitions without a leader.", nil, nil)
	ctrlImbalanceDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_preferredreplicaimbalancecount",
		"Partitions not led by their preferred (first) replica.", nil, nil)
	ctrlFencedDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_fencedbrokercount",
		"Registered brokers that are fenced.", nil, nil)
	ctrlActiveBrokersDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_activebrokercount",
		"Registered brokers that are not fenced.", nil, nil)
	ctrlTopicsDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_globaltopiccount",
		"Topics in the cluster.", nil, nil)
	ctrlPartitionsDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_globalpartitioncount",
		"Partitions in the cluster.", nil, nil)
	ctrlMetadataErrorsDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_metadataerrorcount",
		"Metadata records that failed to apply (replay stops at the first).", nil, nil)
	ctrlLastAppliedDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_lastappliedrecordoffset",
		"Offset of the last metadata record applied to the image.", nil, nil)
	ctrlLastCommittedDesc = prometheus.NewDesc("kafka_controller_kafkacontroller_lastcommittedrecordoffset",
		"Offset of the last committed metadata record.", nil, nil)
	appliedLagDesc = prometheus.NewDesc("odradek_metadata_applied_offset_lag",
		"Committed metadata records not yet applied to the image (last committed minus last applied offset).", nil, nil)
)

// Broker side of the metadata log (kafka.server type=broker-metadata-metrics).
var (
	brokerAppliedDesc = prometheus.NewDesc("kafka_server_brokermetadatametrics_last_applied_record_offset",
		"Offset of the last metadata record this broker applied.", nil, nil)
	brokerLoadErrDesc = prometheus.NewDesc("kafka_server_brokermetadatametrics_metadata_load_error_count",
		"Errors loading metadata records (replay stops at the first).", nil, nil)
)

// kafka_exporter's cluster-wide metrics, reported by the active controller
// only so that each series exists once per cluster.
var (
	brokersDesc = prometheus.NewDesc("kafka_brokers",
		"Number of brokers in the cluster (registered, fenced or not).", nil, nil)
	brokerInfoDesc = prometheus.NewDesc("kafka_broker_info",
		"Always 1; a registered broker's id and first advertised address.", []string{"id", "address"}, nil)
	topicPartitionsDesc = prometheus.NewDesc("kafka_topic_partitions",
		"Number of partitions of a topic.", []string{"topic"}, nil)
)

type clusterCollector struct {
	src Sources
}

func newClusterCollector(src Sources) *clusterCollector {
	return &clusterCollector{src: src}
}

func (c *clusterCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		ctrlActiveDesc, ctrlOfflineDesc, ctrlImbalanceDesc, ctrlFencedDesc, ctrlActiveBrokersDesc, ctrlTopicsDesc, ctrlPartitionsDesc,
		ctrlMetadataErrorsDesc, ctrlLastAppliedDesc, ctrlLastCommittedDesc, appliedLagDesc,
		brokerAppliedDesc, brokerLoadErrDesc, brokersDesc, brokerInfoDesc, topicPartitionsDesc,
	} {
		ch <- d
	}
}

func (c *clusterCollector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Image == nil {
		return
	}
	img := c.src.Image()
	metaErrs := 0.0
	if c.src.MetadataError != nil && c.src.MetadataError() != nil {
		metaErrs = 1
	}
	gauge(ch, brokerAppliedDesc, float64(img.Offset))
	gauge(ch, brokerLoadErrDesc, metaErrs)
	if c.src.Controller == nil {
		return
	}
	active := c.src.Controller.IsActive()
	gauge(ch, ctrlActiveDesc, boolValue(active))
	gauge(ch, ctrlMetadataErrorsDesc, metaErrs)
	gauge(ch, ctrlLastAppliedDesc, float64(img.Offset))
	if c.src.Quorum != nil {
		ctx, cancel := context.WithTimeout(context.Background(), quorumTimeout)
		m, err := c.src.Quorum.Metrics(ctx)
		cancel()
		if err == nil {
			gauge(ch, ctrlLastCommittedDesc, float64(m.HighWatermark-1))
			gauge(ch, appliedLagDesc, float64(max(m.HighWatermark-1-img.Offset, 0)))
		}
	}
	if !active {
		return
	}
	var offline, imbalance, partitions, fenced int
	for _, t := range img.TopicsByName {
		partitions += len(t.Partitions)
		for _, p := range t.Partitions {
			if p.Leader < 0 {
				offline++
			} else if len(p.Replicas) > 0 && p.Replicas[0] != p.Leader {
				imbalance++
			}
		}
	}
	for _, b := range img.Brokers {
		if b.Fenced {
			fenced++
		}
	}
	gauge(ch, ctrlOfflineDesc, float64(offline))
	gauge(ch, ctrlImbalanceDesc, float64(imbalance))
	gauge(ch, ctrlFencedDesc, float64(fenced))
	gauge(ch, ctrlActiveBrokersDesc, float64(len(img.Brokers)-fenced))
	gauge(ch, ctrlTopicsDesc, float64(len(img.TopicsByName)))
	gauge(ch, ctrlPartitionsDesc, float64(partitions))
	gauge(ch, brokersDesc, float64(len(img.Brokers)))
	for id, b := range img.Brokers {
		addr := ""
		if len(b.Endpoints) > 0 {
			e := b.Endpoints[0]
			addr = e.Host + ":" + strconv.Itoa(int(e.Port))
		}
		gauge(ch, brokerInfoDesc, 1, strconv.Itoa(int(id)), addr)
	}
	for name, t := range img.TopicsByName {
		gauge(ch, topicPartitionsDesc, float64(len(t.Partitions)), name)
	}
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}
