package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
)

// LoadOptions are the inputs of Load, lowest precedence first after the
// built-in defaults: ConfigFile, then KAFKA_* variables from Environ, then
// Overrides ("key=value", from --override flags).
type LoadOptions struct {
	ConfigFile string
	Overrides  []string
	Environ    []string // os.Environ() form; nil means no environment
}

// ClusterIDEnv is the variable the Kafka container images read the cluster
// id from when formatting storage on first start.
const ClusterIDEnv = "CLUSTER_ID"

// ignoredEnv are variables of the Kafka start scripts and container images
// that are not broker configs and must not be mapped to keys.
var ignoredEnv = map[string]bool{
	"KAFKA_HEAP_OPTS": true, "KAFKA_OPTS": true, "KAFKA_JVM_PERFORMANCE_OPTS": true,
	"KAFKA_GC_LOG_OPTS": true, "KAFKA_VERSION": true, "KAFKA_HOME": true, "KAFKA_DEBUG": true,
	"KAFKA_TOOLS_LOG4J_LOGLEVEL": true, "KAFKA_CLASSPATH": true, "KAFKA_MODE": true,
	"KAFKA_DEBUG_SUSPEND_FLAG": true, "KAFKA_URL": true, "KAFKA_USER": true,
}

var ignoredEnvPrefixes = []string{"KAFKA_JMX_", "KAFKA_LOG4J_"}

// EnvToKey maps a KAFKA_* variable name to a config key the way the Apache
// Kafka container images do: strip KAFKA_, lower-case, then "___" -> "-",
// "__" -> "_", "_" -> ".". ok is false for other variables and for the
// images' own non-config variables.
func EnvToKey(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, "KAFKA_")
	if !ok || rest == "" || ignoredEnv[name] {
		return "", false
	}
	for _, p := range ignoredEnvPrefixes {
		if strings.HasPrefix(name, p) {
			return "", false
		}
	}
	var b strings.Builder
	s := strings.ToLower(rest)
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "___"):
			b.WriteByte('-')
			i += 3
		case strings.HasPrefix(s[i:], "__"):
			b.WriteByte('_')
			i += 2
		case s[i] == '_':
			b.WriteByte('.')
			i++
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), true
}

// origin remembers where a key was set, for error messages.
type origin struct {
	value string
	from  string
}

// Load builds a Config from defaults < file < KAFKA_* env < overrides.
// Invalid values and failed cross-checks are errors naming the key and
// where it was set; unknown keys only produce warnings.
func Load(opts LoadOptions) (*Config, []string, error) {
	set := map[string]origin{}
	var warnings []string
	if opts.ConfigFile != "" {
		data, err := os.ReadFile(opts.ConfigFile)
		if err != nil {
			return nil, nil, fmt.Errorf("reading config file: %w", err)
		}
		props, err := ParseProperties(string(data))
		if err != nil {
			return nil, nil, fmt.Errorf("parsing config file %s: %w", opts.ConfigFile, err)
		}
		for k, v := range props {
			set[k] = origin{v, "config file " + opts.ConfigFile}
		}
	}
	clusterID := ""
	envKeys := make([]string, 0)
	for _, kv := range opts.Environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if name == ClusterIDEnv {
			clusterID = strings.TrimSpace(value)
			continue
		}
		if key, ok := EnvToKey(name); ok {
			set[key] = origin{value, "environment variable " + name}
			envKeys = append(envKeys, key)
		}
	}
	for _, o := range opts.Overrides {
		k, v, ok := strings.Cut(o, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, nil, fmt.Errorf("override %q is not of the form key=value", o)
		}
		set[k] = origin{v, "--override"}
	}

	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	raw := make(map[string]string, len(set))
	for _, k := range keys {
		o := set[k]
		raw[k] = o.value
		d, known := LookupBroker(k)
		if !known {
			if isListenerPrefixed(k) {
				continue
			}
			warnings = append(warnings, unknownWarning(k, o.from))
			continue
		}
		if err := d.Check(o.value); err != nil {
			return nil, warnings, fmt.Errorf("%s: %w", o.from, err)
		}
	}

	cfg := &Config{ClusterID: clusterID, raw: raw}
	if err := cfg.derive(); err != nil {
		return nil, warnings, err
	}
	if err := cfg.crossCheck(); err != nil {
		return nil, warnings, err
	}
	return cfg, warnings, nil
}

func unknownWarning(key, from string) string {
	msg := fmt.Sprintf("unknown config %s (from %s) is ignored", key, from)
	if d, ok := LookupTopic(key); ok && len(d.Synonyms) > 0 {
		msg += fmt.Sprintf("; %s is a topic config, its broker default is %s", key, d.Synonyms[0])
	}
	return msg
}

// DevDefaults are the overrides `odradek server` uses when started without
// --config: a single combined broker+controller node on loopback with data
// in ./data and internal topics that need only one replica. Like Kafka's
// shipped config/server.properties, groups start without the initial
// rebalance delay.
func DevDefaults() []string {
	return []string{
		"process.roles=broker,controller",
		"node.id=1",
		"listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
		"advertised.listeners=PLAINTEXT://localhost:9092",
		"controller.listener.names=CONTROLLER",
		"listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
		"controller.quorum.voters=1@127.0.0.1:9093",
		"log.dirs=./data",
		"offsets.topic.replication.factor=1",
		"group.initial.rebalance.delay.ms=0",
		"transaction.state.log.replication.factor=1",
		"transaction.state.log.min.isr=1",
		"share.coordinator.state.topic.replication.factor=1",
		"share.coordinator.state.topic.min.isr=1",
	}
}

// errf builds a cross-check error that names the offending key.
func errf(format string, args ...any) error { return errors.New(fmt.Sprintf(format, args...)) }
