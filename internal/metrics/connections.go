package metrics

import "github.com/prometheus/client_golang/prometheus"

// connectionCountDesc is Kafka's socket-server-metrics connection-count as
// Strimzi's rule renders it. Kafka splits a listener's connections over
// network processor threads; here each connection has its own goroutine,
// so every listener reports one pseudo-processor, "0".
var connectionCountDesc = prometheus.NewDesc("kafka_server_socket_server_metrics_connection_count",
	"Open client connections on a listener (networkProcessor is always 0: connections are not spread over processor threads).",
	[]string{"listener", "networkProcessor"}, nil)

type connectionCollector struct {
	counts func() map[string]int
}

func (c connectionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- connectionCountDesc }

func (c connectionCollector) Collect(ch chan<- prometheus.Metric) {
	for listener, n := range c.counts() {
		gauge(ch, connectionCountDesc, float64(n), listener, "0")
	}
}
