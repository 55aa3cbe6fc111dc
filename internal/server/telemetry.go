package server

import (
	"github.com/odradek/odradek/internal/telemetry"
)

// newTelemetry builds the KIP-714 client metrics manager the broker APIs
// serve GetTelemetrySubscriptions and PushTelemetry with, and exposes what
// clients push on the node's /metrics.
func (s *Server) newTelemetry() *telemetry.Manager {
	m := telemetry.NewManager(telemetry.Config{
		MaxBytes: int32(s.cfg.Int("telemetry.max.bytes")),
		Clock:    s.opts.Clock,
		Logger:   s.log.With("component", "telemetry"),
	})
	if s.metrics != nil {
		if err := s.metrics.Register(m.Collector()); err != nil {
			s.log.Warn("client telemetry metrics will not be exposed", "err", err)
		}
	}
	return m
}
