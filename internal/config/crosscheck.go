package config

import (
	"slices"
	"strings"
)

// crossCheck applies the rules Kafka's KafkaConfig enforces between keys of
// a KRaft node. Messages name the keys involved.
func (c *Config) crossCheck() error {
	checks := []func() error{
		c.checkRoles, c.checkNodeID, c.checkQuorum, c.checkControllerListeners,
		c.checkListenerProtocols, c.checkAdvertised, c.checkInterBroker,
		c.checkLogDirs, c.checkGroups, c.checkReplication, c.checkCleaner,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) checkRoles() error {
	if len(c.ProcessRoles) == 0 {
		return errf("process.roles is required: set it to broker, controller or broker,controller")
	}
	seen := map[string]bool{}
	for _, r := range c.ProcessRoles {
		if seen[r] {
			return errf("process.roles contains duplicate role %s", r)
		}
		seen[r] = true
	}
	return nil
}

func (c *Config) checkNodeID() error {
	if !c.IsSet("node.id") {
		return errf("node.id is required")
	}
	if c.IsSet("broker.id") && c.Int("broker.id") != int64(c.NodeID) {
		return errf("broker.id (%d) must equal node.id (%d) when both are set", c.Int("broker.id"), c.NodeID)
	}
	return nil
}

func (c *Config) checkQuorum() error {
	if len(c.QuorumVoters) == 0 && len(c.QuorumBootstrapServers) == 0 {
		return errf("either controller.quorum.voters or controller.quorum.bootstrap.servers must be set")
	}
	if len(c.QuorumVoters) == 0 {
		return nil
	}
	inVoters := slices.ContainsFunc(c.QuorumVoters, func(v Voter) bool { return v.ID == c.NodeID })
	if c.IsController() && !inVoters {
		return errf("process.roles contains controller, so node.id %d must be one of controller.quorum.voters=%s",
			c.NodeID, c.Str("controller.quorum.voters"))
	}
	if !c.IsController() && inVoters {
		return errf("node.id %d is in controller.quorum.voters but process.roles=%s does not contain controller",
			c.NodeID, strings.Join(c.ProcessRoles, ","))
	}
	return nil
}

func listenerNames(ls []Listener) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

func (c *Config) checkControllerListeners() error {
	if len(c.ControllerListenerNames) == 0 {
		return errf("controller.listener.names must contain at least one listener name")
	}
	names := listenerNames(c.Listeners)
	if c.IsController() {
		for _, n := range c.ControllerListenerNames {
			if !slices.Contains(names, n) {
				return errf("controller.listener.names contains %s, which does not appear in listeners=%s; a node with the controller role must listen on its controller listeners",
					n, c.Str("listeners"))
			}
		}
		if !c.IsBroker() {
			for _, n := range names {
				if !slices.Contains(c.ControllerListenerNames, n) {
					return errf("listeners contains %s, but with process.roles=controller listeners may only contain the controller.listener.names (%s)",
						n, strings.Join(c.ControllerListenerNames, ","))
				}
			}
		}
	} else {
		for _, n := range c.ControllerListenerNames {
			if slices.Contains(names, n) {
				return errf("listeners must not contain controller listener %s when process.roles=broker", n)
			}
		}
	}
	return nil
}

func (c *Config) checkListenerProtocols() error {
	ports := map[int]string{}
	for _, l := range c.Listeners {
		if _, ok := c.ListenerSecurityProtocolMap[l.Name]; !ok {
			return errf("no security protocol defined for listener %s in listener.security.protocol.map", l.Name)
		}
		if other, dup := ports[l.Port]; dup && l.Port != 0 {
			return errf("listeners %s and %s use the same port %d; each listener must have a different port", other, l.Name, l.Port)
		}
		ports[l.Port] = l.Name
	}
	return nil
}

func (c *Config) checkAdvertised() error {
	names := listenerNames(c.Listeners)
	for _, l := range c.AdvertisedListeners {
		if l.Host == "0.0.0.0" || l.Host == "::" {
			return errf("advertised.listeners cannot use the non-routable meta-address %s (listener %s); use a routable address", l.Host, l.Name)
		}
		if !slices.Contains(names, l.Name) {
			return errf("advertised.listeners contains %s, which is not a listener name in listeners=%s", l.Name, c.Str("listeners"))
		}
	}
	return nil
}

func (c *Config) checkInterBroker() error {
	if c.IsSet("inter.broker.listener.name") && c.IsSet("security.inter.broker.protocol") {
		return errf("only one of inter.broker.listener.name and security.inter.broker.protocol may be set")
	}
	if !c.IsBroker() {
		return nil
	}
	adv := listenerNames(c.AdvertisedBrokerListeners())
	if !slices.Contains(adv, c.InterBrokerListenerName) {
		return errf("inter.broker.listener.name must be a listener name defined in advertised.listeners; %s is not (valid options: %s)",
			c.InterBrokerListenerName, strings.Join(adv, ", "))
	}
	return nil
}

func (c *Config) checkLogDirs() error {
	if len(c.LogDirs) == 0 || slices.Contains(c.LogDirs, "") {
		return errf("log.dirs must name at least one directory and no empty entries")
	}
	return nil
}

func (c *Config) checkGroups() error {
	type rng struct{ lo, v, hi string }
	for _, r := range []rng{
		{"group.consumer.min.session.timeout.ms", "group.consumer.session.timeout.ms", "group.consumer.max.session.timeout.ms"},
		{"group.consumer.min.heartbeat.interval.ms", "group.consumer.heartbeat.interval.ms", "group.consumer.max.heartbeat.interval.ms"},
	} {
		lo, v, hi := c.Int(r.lo), c.Int(r.v), c.Int(r.hi)
		if v < lo {
			return errf("%s (%d) must be at least %s (%d)", r.v, v, r.lo, lo)
		}
		if v > hi {
			return errf("%s (%d) must be at most %s (%d)", r.v, v, r.hi, hi)
		}
	}
	if c.GroupConsumerHeartbeatInterval >= c.GroupConsumerSessionTimeout {
		return errf("group.consumer.heartbeat.interval.ms must be less than group.consumer.session.timeout.ms")
	}
	if c.GroupMinSessionTimeout > c.GroupMaxSessionTimeout {
		return errf("group.min.session.timeout.ms must not exceed group.max.session.timeout.ms")
	}
	return nil
}

func (c *Config) checkReplication() error {
	if c.ReplicaFetchWaitMax > c.ReplicaLagTimeMax {
		return errf("replica.fetch.wait.max.ms should always be at most replica.lag.time.max.ms, or followers drop out of the ISR")
	}
	if c.BrokerHeartbeatInterval >= c.BrokerSessionTimeout {
		return errf("broker.heartbeat.interval.ms must be less than broker.session.timeout.ms")
	}
	return nil
}

func (c *Config) checkCleaner() error {
	if c.LogCleanerThreads > 0 && c.LogCleanerDedupeBufferSize/int64(c.LogCleanerThreads) < 1024*1024 {
		return errf("log.cleaner.dedupe.buffer.size must be at least 1MiB per cleaner thread (log.cleaner.threads)")
	}
	return nil
}
