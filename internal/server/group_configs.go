package server

import (
	"strconv"
	"time"

	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/coordinator/group/consumer"
)

// groupTimings resolves a consumer group's session timeout, heartbeat
// interval and assignment interval from the current metadata image: the
// group's own configs, else the dynamic and static broker values.
func (s *Server) groupTimings(groupID string) consumer.Timings {
	img := s.loader.Image()
	eff := config.EffectiveGroupConfig(s.cfg, img.BrokerConfig(-1), img.BrokerConfig(s.cfg.NodeID), img.GroupConfig(groupID))
	ms := func(key string) time.Duration {
		n, _ := strconv.ParseInt(eff[key], 10, 64)
		return time.Duration(n) * time.Millisecond
	}
	return consumer.Timings{
		SessionTimeout:     ms("consumer.session.timeout.ms"),
		HeartbeatInterval:  ms("consumer.heartbeat.interval.ms"),
		AssignmentInterval: ms("consumer.assignment.interval.ms"),
	}
}
