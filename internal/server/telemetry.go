package server

import (
	"github.com/odradek/odradek/internal/telemetry"
)

// newTelemetry builds the KIP-714 client metrics manager the broker APIs
// serve GetTelemetrySubscriptions and PushTelemetry with.
func (s *Server) newTelemetry() *telemetry.Manager {
	return telemetry.NewManager(telemetry.Config{
		MaxBytes: int32(s.cfg.Int("telemetry.max.bytes")),
		Clock:    s.opts.Clock,
		Logger:   s.log.With("component", "telemetry"),
	})
}
