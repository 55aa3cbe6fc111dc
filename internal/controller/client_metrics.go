package controller

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/telemetry"
)

// CLIENT_METRICS config resources (KIP-714 subscriptions) are stored as
// ConfigRecords like topic and broker configs; one resource per named
// subscription, which exists while it has at least one key set.

// checkClientMetricsResource validates a subscription name and returns the
// validator of its keys (metrics, interval.ms, match).
func checkClientMetricsResource(name string) (func(k, v string) error, *topicErr) {
	if err := telemetry.ValidateName(name); err != nil {
		return nil, configErr(err)
	}
	return telemetry.ValidateConfig, nil
}

// isListConfig reports whether APPEND and SUBTRACT apply to a key.
func (c *Controller) isListConfig(typ int8, name string) bool {
	if typ == telemetry.ResourceType {
		return telemetry.IsListConfig(name)
	}
	return c.cfg.IsListConfig == nil || c.cfg.IsListConfig(typ, name)
}

// configDefault is the value APPEND and SUBTRACT start from when the key is
// not set.
func (c *Controller) configDefault(typ int8, name string) (string, bool) {
	if typ == telemetry.ResourceType {
		return telemetry.ConfigDefault(name)
	}
	if c.cfg.ConfigDefault == nil {
		return "", false
	}
	return c.cfg.ConfigDefault(typ, name)
}

// configErr keeps the Kafka error code a validator chose (client metrics
// answer INVALID_REQUEST for unknown keys, as Kafka); anything else is
// INVALID_CONFIG.
func configErr(err error) *topicErr {
	var te *telemetry.Error
	if errors.As(err, &te) {
		return terr(te.Code, "%s", te.Msg)
	}
	return terr(kerr.InvalidConfig, "%v", err)
}
