package group

import "github.com/odradek/odradek/internal/coordinator/group/consumer"

// applyGroupConfigs gives a consumer group its effective per-group
// settings (GROUP config resources over the broker's group.consumer.*
// values) before it handles a heartbeat, so an altered group config takes
// effect at the members' next heartbeat without a restart.
func (s *shard) applyGroupConfigs(g *consumer.Group) {
	if s.cfg.GroupTimings == nil {
		return
	}
	g.SetTimings(s.cfg.GroupTimings(g.ID()))
}
