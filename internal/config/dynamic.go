package config

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
	if d.Scope == PerBroker && !perBroker && !isListenerPrefixed(name) && isSecurityOrListener(name) {
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
