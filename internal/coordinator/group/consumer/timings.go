package consumer

import "time"

// Timings are the settings a group may override with group configs
// (consumer.session.timeout.ms, consumer.heartbeat.interval.ms,
// consumer.assignment.interval.ms), as effective values.
type Timings struct {
	SessionTimeout     time.Duration
	HeartbeatInterval  time.Duration
	AssignmentInterval time.Duration
}

// SetTimings installs a group's effective timings. They apply from the
// next heartbeat on, as in Kafka: a running session keeps its deadline
// until the member heartbeats again. Non-positive session and heartbeat
// values (never produced by validated configs) are ignored.
func (g *Group) SetTimings(t Timings) {
	if t.SessionTimeout > 0 {
		g.cfg.SessionTimeout = t.SessionTimeout
	}
	if t.HeartbeatInterval > 0 {
		g.cfg.HeartbeatInterval = t.HeartbeatInterval
	}
	g.cfg.AssignmentInterval = max(t.AssignmentInterval, 0)
}
