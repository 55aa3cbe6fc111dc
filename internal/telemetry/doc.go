// Package telemetry is the broker side of KIP-714 client metrics: the
// subscriptions operators configure as CLIENT_METRICS config resources, the
// per-client-instance state behind GetTelemetrySubscriptions and
// PushTelemetry (Kafka 4.3's ClientMetricsManager rules: instance ids,
// subscription ids, push-interval throttling, size and compression checks),
// decoding of the pushed OTLP payloads, and a Prometheus collector that
// exposes the latest pushed values on the broker's /metrics.
//
// Kafka hands pushed metrics to a receiver plugin and keeps none; Odradek is
// its own receiver, so the telemetry APIs are always served.
package telemetry
