package telemetry

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// ResourceType is Kafka's CLIENT_METRICS config resource type: one resource
// per named subscription.
const ResourceType int8 = 16

// Subscription config keys, as Kafka's ClientMetricsConfigs.
const (
	KeyMetrics  = "metrics"     // metric-name prefixes; "*" subscribes to all
	KeyInterval = "interval.ms" // push interval
	KeyMatch    = "match"       // client selectors, attribute=regex
)

// Match attributes a subscription can select clients by.
const (
	AttrClientInstanceID      = "client_instance_id"
	AttrClientID              = "client_id"
	AttrClientSoftwareName    = "client_software_name"
	AttrClientSoftwareVersion = "client_software_version"
	AttrClientSourceAddress   = "client_source_address"
	AttrClientSourcePort      = "client_source_port"
)

// AllMetrics in a metrics list subscribes to every metric.
const AllMetrics = "*"

const (
	// DefaultIntervalMs applies when no matching subscription sets one.
	DefaultIntervalMs = 5 * 60 * 1000
	minIntervalMs     = 100
	maxIntervalMs     = 3600000
)

var matchAttrs = []string{AttrClientInstanceID, AttrClientID, AttrClientSoftwareName,
	AttrClientSoftwareVersion, AttrClientSourceAddress, AttrClientSourcePort}

// ConfigKeys are the keys a CLIENT_METRICS resource accepts.
func ConfigKeys() []string { return []string{KeyMetrics, KeyInterval, KeyMatch} }

// ConfigDefault is the value a key has when the subscription does not set it.
func ConfigDefault(key string) (string, bool) {
	switch key {
	case KeyMetrics, KeyMatch:
		return "", true
	case KeyInterval:
		return strconv.Itoa(DefaultIntervalMs), true
	}
	return "", false
}

// Error is a refused subscription config or telemetry request. It unwraps to
// the Kafka error code Kafka answers with (for configs: INVALID_REQUEST for
// unknown keys and bad intervals, INVALID_CONFIG for bad match patterns).
type Error struct {
	Code *kerr.Error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Code }

func invalidRequest(format string, args ...any) error {
	return &Error{Code: kerr.InvalidRequest, Msg: fmt.Sprintf(format, args...)}
}

func invalidConfig(format string, args ...any) error {
	return &Error{Code: kerr.InvalidConfig, Msg: fmt.Sprintf(format, args...)}
}

// ValidateName checks a subscription (resource) name.
func ValidateName(name string) error {
	if name == "" {
		return invalidRequest("Subscription name can't be empty")
	}
	return nil
}

// ValidateConfig checks one key and value of a CLIENT_METRICS resource; the
// error names the key and the bad value.
func ValidateConfig(key, value string) error {
	switch key {
	case KeyMetrics:
		return nil
	case KeyInterval:
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 32)
		if err != nil {
			return invalidConfig("Invalid value %s for configuration %s: Not a number of type INT", value, KeyInterval)
		}
		if n < minIntervalMs || n > maxIntervalMs {
			return invalidRequest("Invalid value %d for %s, interval must be between %d and %d (1 hour)", n, KeyInterval, minIntervalMs, maxIntervalMs)
		}
		return nil
	case KeyMatch:
		_, err := parseMatch(splitList(value))
		return err
	}
	return invalidRequest("Unknown client metrics configuration: %s", key)
}

// IsListConfig reports whether key holds a comma-separated list (APPEND and
// SUBTRACT apply to it).
func IsListConfig(key string) bool { return key == KeyMetrics || key == KeyMatch }

// Subscription is one parsed CLIENT_METRICS resource.
type Subscription struct {
	Name       string
	Metrics    []string
	IntervalMs int32
	Match      map[string]*regexp.Regexp
}

// ParseSubscription builds a subscription from its stored configs, which the
// controller validated when they were written.
func ParseSubscription(name string, cfg map[string]string) (*Subscription, error) {
	s := &Subscription{Name: name, IntervalMs: DefaultIntervalMs, Metrics: splitList(cfg[KeyMetrics])}
	for k, v := range cfg {
		if err := ValidateConfig(k, v); err != nil {
			return nil, fmt.Errorf("client metrics subscription %s: %w", name, err)
		}
	}
	if v, ok := cfg[KeyInterval]; ok {
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
		s.IntervalMs = int32(n)
	}
	s.Match, _ = parseMatch(splitList(cfg[KeyMatch]))
	return s, nil
}

// parseMatch reads attribute=regex selectors. Patterns must match the whole
// attribute value, as Java's Matcher.matches does.
func parseMatch(patterns []string) (map[string]*regexp.Regexp, error) {
	out := map[string]*regexp.Regexp{}
	for _, p := range patterns {
		kv := strings.Split(p, "=")
		if len(kv) != 2 {
			return nil, invalidConfig("Illegal client matching pattern: %s", p)
		}
		attr := strings.TrimSpace(kv[0])
		if !slices.Contains(matchAttrs, attr) {
			return nil, invalidConfig("Illegal client matching pattern: %s (attributes are %s)", p, strings.Join(matchAttrs, ", "))
		}
		re, err := regexp.Compile(`^(?:` + strings.TrimSpace(kv[1]) + `)$`)
		if err != nil {
			return nil, invalidConfig("Illegal client matching pattern: %s: %v", p, err)
		}
		out[attr] = re
	}
	return out, nil
}

// Matches reports whether a client with these attributes is selected: every
// selector must match (a missing attribute matches nothing); no selectors
// select every client.
func (s *Subscription) Matches(attrs map[string]string) bool {
	for attr, re := range s.Match {
		v, ok := attrs[attr]
		if !ok || !re.MatchString(v) {
			return false
		}
	}
	return true
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
