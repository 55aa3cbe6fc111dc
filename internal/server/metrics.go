package server

import (
	"strconv"

	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/metrics"
)

// newMetrics builds the node's registry before anything starts, so the
// quorum, the listeners and the API layer can be handed its observers.
func (s *Server) newMetrics() *metrics.Registry {
	return metrics.New(metrics.Options{NodeID: s.cfg.NodeID, Clock: s.opts.Clock, RuntimeCollectors: true})
}

// attachMetrics adds the collectors that read state at scrape time, once
// every part they read exists.
func (s *Server) attachMetrics() error {
	return s.metrics.Attach(metrics.Sources{
		Image:         s.loader.Image,
		MetadataError: s.loader.Err,
		Replicas:      s.replicas,
		Quorum:        s.node,
		Controller:    s.ctrl,
		Groups:        s.groups,
		Connections:   s.net.ConnectionCounts,
		MinISR: func(img *metadata.Image, topic string) int {
			eff := config.EffectiveTopicConfig(s.cfg, img.BrokerConfig(-1), img.BrokerConfig(s.cfg.NodeID), img.TopicConfig(topic))
			n, err := strconv.Atoi(eff["min.insync.replicas"])
			if err != nil || n < 1 {
				return 1
			}
			return n
		},
	})
}
