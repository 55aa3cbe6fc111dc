package config

import (
	"fmt"
	"maps"
	"math"
	"strconv"
	"time"
)

// Source is where a config value comes from; the numbers are Kafka's
// DescribeConfigs ConfigSource codes.
type Source int8

const (
	SourceUnknown              Source = 0
	SourceDynamicTopic         Source = 1 // DYNAMIC_TOPIC_CONFIG
	SourceDynamicBroker        Source = 2 // DYNAMIC_BROKER_CONFIG
	SourceDynamicDefaultBroker Source = 3 // DYNAMIC_DEFAULT_BROKER_CONFIG
	SourceStaticBroker         Source = 4 // STATIC_BROKER_CONFIG
	SourceDefault              Source = 5 // DEFAULT_CONFIG
	SourceDynamicGroup         Source = 8 // DYNAMIC_GROUP_CONFIG
)

func (s Source) String() string {
	switch s {
	case SourceDynamicTopic:
		return "DYNAMIC_TOPIC_CONFIG"
	case SourceDynamicBroker:
		return "DYNAMIC_BROKER_CONFIG"
	case SourceDynamicDefaultBroker:
		return "DYNAMIC_DEFAULT_BROKER_CONFIG"
	case SourceStaticBroker:
		return "STATIC_BROKER_CONFIG"
	case SourceDefault:
		return "DEFAULT_CONFIG"
	case SourceDynamicGroup:
		return "DYNAMIC_GROUP_CONFIG"
	}
	return "UNKNOWN"
}

// Config is the static (startup) configuration of a node. The typed fields
// are derived once by Load; Get and the typed accessors reach every defined
// key.
type Config struct {
	// ClusterID comes from the CLUSTER_ID environment variable, which the
	// Kafka container images use to format storage on first start. Empty
	// when not given.
	ClusterID string

	NodeID       int32
	ProcessRoles []string
	// Listeners are the bind addresses (empty Host = all interfaces, Port
	// 0 = any free port). AdvertisedListeners are what clients are told:
	// advertised.listeners if set, else Listeners, with an empty host
	// replaced by the machine's host name. A port 0 stays 0: the server
	// must substitute the port it actually bound.
	Listeners                   []Listener
	AdvertisedListeners         []Listener
	ListenerSecurityProtocolMap map[string]string
	ControllerListenerNames     []string
	InterBrokerListenerName     string
	QuorumVoters                []Voter
	QuorumBootstrapServers      []string
	EarlyStartListeners         []string
	BrokerRack                  string

	// LogDirs is log.dirs, or log.dir when log.dirs is unset.
	LogDirs []string
	// MetadataLogDir is metadata.log.dir, or LogDirs[0].
	MetadataLogDir string

	NumPartitions            int32
	DefaultReplicationFactor int16
	AutoCreateTopicsEnable   bool
	DeleteTopicEnable        bool
	AutoLeaderRebalance      bool
	MessageMaxBytes          int32
	MinInsyncReplicas        int32
	UncleanLeaderElection    bool

	SocketRequestMaxBytes    int32
	SocketSendBufferBytes    int32
	SocketReceiveBufferBytes int32
	NumNetworkThreads        int32
	NumIOThreads             int32
	QueuedMaxRequests        int32
	ConnectionsMaxIdle       time.Duration
	MaxConnections           int32
	MaxConnectionsPerIP      int32

	FetchMaxBytes                        int32
	MaxIncrementalFetchSessionCacheSlots int32

	BrokerSessionTimeout     time.Duration
	BrokerHeartbeatInterval  time.Duration
	InitialRegistrationWait  time.Duration
	QuorumElectionTimeout    time.Duration
	QuorumFetchTimeout       time.Duration
	QuorumElectionBackoffMax time.Duration
	QuorumAppendLinger       time.Duration
	QuorumRequestTimeout     time.Duration
	QuorumRetryBackoff       time.Duration

	MetadataLogSegmentBytes                int32
	MetadataLogSegmentMs                   int64
	MetadataMaxRetentionBytes              int64
	MetadataMaxRetentionMs                 int64
	MetadataMaxRecordBytesBetweenSnapshots int64
	MetadataMaxSnapshotInterval            time.Duration
	MetadataMaxIdleInterval                time.Duration

	LogRetentionCheckInterval              time.Duration
	LogFlushOffsetCheckpointInterval       time.Duration
	LogFlushStartOffsetCheckpointInterval  time.Duration
	LogFlushSchedulerInterval              time.Duration
	LogInitialTaskDelay                    time.Duration
	LogCleanerEnable                       bool
	LogCleanerThreads                      int32
	LogCleanerDedupeBufferSize             int64
	LogCleanerBackoff                      time.Duration
	NumRecoveryThreadsPerDataDir           int32
	ReplicaHighWatermarkCheckpointInterval time.Duration

	NumReplicaFetchers           int32
	ReplicaLagTimeMax            time.Duration
	ReplicaFetchMaxBytes         int32
	ReplicaFetchResponseMaxBytes int32
	ReplicaFetchWaitMax          time.Duration
	ReplicaFetchMinBytes         int32
	ReplicaFetchBackoff          time.Duration
	ReplicaSocketTimeout         time.Duration

	OffsetsTopicReplicationFactor  int16
	OffsetsTopicNumPartitions      int32
	OffsetsTopicSegmentBytes       int32
	OffsetsLoadBufferSize          int32
	OffsetsCommitTimeout           time.Duration
	OffsetsRetention               time.Duration
	OffsetsRetentionCheckInterval  time.Duration
	GroupCoordinatorProtocols      []string
	GroupInitialRebalanceDelay     time.Duration
	GroupMinSessionTimeout         time.Duration
	GroupMaxSessionTimeout         time.Duration
	GroupMaxSize                   int32
	GroupConsumerSessionTimeout    time.Duration
	GroupConsumerMinSessionTimeout time.Duration
	GroupConsumerMaxSessionTimeout time.Duration
	GroupConsumerHeartbeatInterval time.Duration
	GroupConsumerMinHeartbeat      time.Duration
	GroupConsumerMaxHeartbeat      time.Duration
	GroupConsumerMaxSize           int32
	GroupConsumerAssignors         []string

	TransactionStateLogReplicationFactor int16
	TransactionStateLogNumPartitions     int32
	TransactionStateLogSegmentBytes      int32
	TransactionStateLogMinISR            int32
	TransactionStateLogLoadBufferSize    int32
	TransactionMaxTimeout                time.Duration
	TransactionalIDExpiration            time.Duration
	TransactionAbortTimedOutInterval     time.Duration
	TransactionRemoveExpiredInterval     time.Duration
	TransactionPartitionVerification     bool
	ProducerIDExpiration                 time.Duration
	ProducerIDExpirationCheckInterval    time.Duration

	// raw holds every explicitly set key (file, env, overrides merged).
	raw map[string]string
}

// Raw returns a copy of the explicitly set keys and their values.
func (c *Config) Raw() map[string]string { return maps.Clone(c.raw) }

// Get returns the static value of a defined broker config: the explicitly
// set value (SourceStaticBroker) or the default (SourceDefault, "" when the
// default is null). ok is false for keys that are neither defined nor set.
func (c *Config) Get(name string) (value string, source Source, ok bool) {
	if v, set := c.raw[name]; set {
		return v, SourceStaticBroker, true
	}
	d, known := LookupBroker(name)
	if !known {
		return "", SourceUnknown, false
	}
	if d.NullDefault {
		return "", SourceDefault, true
	}
	return d.Default, SourceDefault, true
}

// IsSet reports whether name was given explicitly.
func (c *Config) IsSet(name string) bool {
	_, ok := c.raw[name]
	return ok
}

// typed looks up and parses name. Undefined names are programming errors
// (a typo in our code, never user input), so they panic.
func (c *Config) typed(name string) any {
	d, ok := LookupBroker(name)
	if !ok {
		panic("config: undefined broker config " + name)
	}
	v, _, _ := c.Get(name)
	if !c.IsSet(name) && d.NullDefault {
		return nil
	}
	x, err := parseValue(d.Type, v)
	if err != nil {
		// Load validated every set value and defaults are tested.
		panic(fmt.Sprintf("config: %s=%q does not parse: %v", name, v, err))
	}
	return x
}

// Int returns an int/short/long config (0 when null).
func (c *Config) Int(name string) int64 {
	n, _ := c.typed(name).(int64)
	return n
}

// Bool returns a boolean config.
func (c *Config) Bool(name string) bool {
	b, _ := c.typed(name).(bool)
	return b
}

// Float returns a double config.
func (c *Config) Float(name string) float64 {
	f, _ := c.typed(name).(float64)
	return f
}

// Str returns a string/class/password config ("" when null).
func (c *Config) Str(name string) string {
	switch x := c.typed(name).(type) {
	case string:
		return x
	case []string:
		return joinList(x)
	}
	return ""
}

// List returns a list config (or a comma-separated string config) split.
func (c *Config) List(name string) []string {
	switch x := c.typed(name).(type) {
	case []string:
		return x
	case string:
		return splitList(x)
	}
	return nil
}

// Millis returns a millisecond config as a Duration.
// Values too large for a Duration (Long.MAX_VALUE defaults) saturate.
func (c *Config) Millis(name string) time.Duration { return millis(c.Int(name)) }

func millis(n int64) time.Duration {
	const maxMs = int64(math.MaxInt64 / int64(time.Millisecond))
	switch {
	case n > maxMs:
		return time.Duration(math.MaxInt64)
	case n < -maxMs:
		return time.Duration(math.MinInt64)
	}
	return time.Duration(n) * time.Millisecond
}

// HasRole reports whether process.roles contains role.
func (c *Config) HasRole(role string) bool { return containsString(c.ProcessRoles, role) }

// IsController / IsBroker are shorthands for HasRole.
func (c *Config) IsController() bool { return c.HasRole("controller") }
func (c *Config) IsBroker() bool     { return c.HasRole("broker") }

// ControllerListeners are the bind listeners named in
// controller.listener.names, in that order.
func (c *Config) ControllerListeners() []Listener {
	var out []Listener
	for _, n := range c.ControllerListenerNames {
		for _, l := range c.Listeners {
			if l.Name == n {
				out = append(out, l)
			}
		}
	}
	return out
}

// BrokerListeners are the bind listeners clients use (all but the
// controller listeners).
func (c *Config) BrokerListeners() []Listener { return c.withoutController(c.Listeners) }

// AdvertisedBrokerListeners are the advertised listeners minus controller
// listeners: what Metadata responses publish for this broker.
func (c *Config) AdvertisedBrokerListeners() []Listener {
	return c.withoutController(c.AdvertisedListeners)
}

func (c *Config) withoutController(ls []Listener) []Listener {
	var out []Listener
	for _, l := range ls {
		if !containsString(c.ControllerListenerNames, l.Name) {
			out = append(out, l)
		}
	}
	return out
}

// SecurityProtocol returns the protocol of a listener name.
func (c *Config) SecurityProtocol(listener string) string {
	return c.ListenerSecurityProtocolMap[listener]
}

func joinList(items []string) string {
	s := ""
	for i, it := range items {
		if i > 0 {
			s += ","
		}
		s += it
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
