package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/odradek/odradek/internal/telemetry"
)

// newTelemetry builds the KIP-714 client metrics manager the broker APIs
// serve GetTelemetrySubscriptions and PushTelemetry with, and exposes what
// clients push on /metrics.
func (s *Server) newTelemetry() *telemetry.Manager {
	m := telemetry.NewManager(telemetry.Config{
		MaxBytes: int32(s.cfg.Int("telemetry.max.bytes")),
		Clock:    s.opts.Clock,
		Logger:   s.log.With("component", "telemetry"),
	})
	// The node's registry is a *prometheus.Registry behind its Gatherer;
	// registering there keeps pushed client metrics on the same /metrics.
	if s.metrics != nil {
		if reg, ok := s.metrics.Gatherer().(prometheus.Registerer); ok {
			if err := reg.Register(m.Collector()); err != nil {
				s.log.Warn("client telemetry metrics will not be exposed", "err", err)
			}
		}
	}
	return m
}
