package config

import (
	"fmt"
	"strconv"
	"strings"
)

// ValidateTopicConfig checks one topic-level config (CreateTopics,
// AlterConfigs, IncrementalAlterConfigs). Errors are *UnknownError or
// *ValueError; the API layer answers both with INVALID_CONFIG.
func ValidateTopicConfig(name, value string) error {
	d, ok := LookupTopic(name)
	if !ok {
		return &UnknownError{Name: name, Resource: "topic"}
	}
	return d.Check(value)
}

// ValidateBrokerConfig checks one dynamic broker config. perBroker is true
// for a specific broker resource ("1") and false for the cluster-wide
// default resource (""). Read-only keys fail with *ReadOnlyError, as do
// per-broker-only keys set at cluster level.
func ValidateBrokerConfig(name, value string, perBroker bool) error {
	d, ok := LookupBroker(name)
	if !ok {
		return &UnknownError{Name: name, Resource: "broker"}
	}
	if d.Scope == ReadOnly {
		return &ReadOnlyError{Name: name, Reason: "Cannot update these configs dynamically"}
	}
	if !isListenerPrefixed(name) && (strings.HasPrefix(name, "ssl.keystore.") || strings.HasPrefix(name, "ssl.truststore.") || name == "ssl.key.password") {
		return &ReadOnlyError{Name: name, Reason: "These security configs can be dynamically updated only per-listener using the listener prefix (listener.name.<listener>.)"}
	}
	// Listener-prefixed keys are always per broker, as in Kafka.
	if !perBroker && (isListenerPrefixed(name) || (d.Scope == PerBroker && isSecurityOrListener(name))) {
		return &ReadOnlyError{Name: name, Reason: "Cannot update these configs at default cluster level, broker id must be specified"}
	}
	return d.Check(value)
}

// isSecurityOrListener lists the per-broker keys Kafka refuses at the
// cluster-default level (listener layout and key material differ per host).
func isSecurityOrListener(name string) bool {
	switch name {
	case "listeners", "advertised.listeners", "listener.security.protocol.map":
		return true
	}
	if len(name) > 4 && name[:4] == "ssl." {
		return true
	}
	if len(name) > 5 && name[:5] == "sasl." {
		return true
	}
	return false
}

// ValidateTopicCombination checks rules between topic configs, on the
// effective config of a topic (EffectiveTopicConfig with the new
// overrides applied), like Kafka's LogConfig validation: compaction lags in
// order, and tiered-storage local retention within total retention.
func ValidateTopicCombination(eff map[string]string) error {
	n := func(k string) int64 {
		v, _ := strconv.ParseInt(strings.TrimSpace(eff[k]), 10, 64)
		return v
	}
	if minLag, maxLag := n("min.compaction.lag.ms"), n("max.compaction.lag.ms"); minLag > maxLag {
		return &ValueError{Name: "min.compaction.lag.ms", Value: eff["min.compaction.lag.ms"],
			Reason: fmt.Sprintf("conflicts with max.compaction.lag.ms=%d; it must not be larger", maxLag)}
	}
	if !strings.EqualFold(strings.TrimSpace(eff["remote.storage.enable"]), "true") {
		return nil
	}
	if strings.Contains(eff["cleanup.policy"], "compact") {
		return &ValueError{Name: "remote.storage.enable", Value: "true",
			Reason: "tiered storage supports only topics with cleanup.policy=delete"}
	}
	for _, p := range [][2]string{{"local.retention.ms", "retention.ms"}, {"local.retention.bytes", "retention.bytes"}} {
		local, total := n(p[0]), n(p[1])
		if local != -2 && total != -1 && (local == -1 || local > total) {
			return &ValueError{Name: p[0], Value: eff[p[0]],
				Reason: fmt.Sprintf("must not exceed %s=%d", p[1], total)}
		}
	}
	return nil
}
