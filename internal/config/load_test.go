package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "server.properties")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t *testing.T, opts LoadOptions) (*Config, []string) {
	t.Helper()
	cfg, warns, err := Load(opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg, warns
}

func TestLoadQuickstartServerProperties(t *testing.T) {
	cfg, warns := mustLoad(t, LoadOptions{ConfigFile: "testdata/server.properties"})
	if len(warns) != 0 {
		t.Errorf("unexpected warnings: %v", warns)
	}
	if cfg.NodeID != 1 || !cfg.IsBroker() || !cfg.IsController() {
		t.Errorf("node %d roles %v", cfg.NodeID, cfg.ProcessRoles)
	}
	wantL := []Listener{{"PLAINTEXT", "", 9092}, {"CONTROLLER", "", 9093}}
	if !reflect.DeepEqual(cfg.Listeners, wantL) {
		t.Errorf("listeners %+v", cfg.Listeners)
	}
	if got := cfg.AdvertisedBrokerListeners(); len(got) != 1 || got[0] != (Listener{"PLAINTEXT", "localhost", 9092}) {
		t.Errorf("advertised broker listeners %+v", got)
	}
	if cfg.InterBrokerListenerName != "PLAINTEXT" || cfg.ControllerListenerNames[0] != "CONTROLLER" {
		t.Errorf("inter-broker %q controller %v", cfg.InterBrokerListenerName, cfg.ControllerListenerNames)
	}
	if !reflect.DeepEqual(cfg.LogDirs, []string{"/tmp/kraft-combined-logs"}) || cfg.MetadataLogDir != "/tmp/kraft-combined-logs" {
		t.Errorf("dirs %v %q", cfg.LogDirs, cfg.MetadataLogDir)
	}
	if len(cfg.QuorumVoters) != 0 || !reflect.DeepEqual(cfg.QuorumBootstrapServers, []string{"localhost:9093"}) {
		t.Errorf("quorum %v %v", cfg.QuorumVoters, cfg.QuorumBootstrapServers)
	}
	if cfg.OffsetsTopicReplicationFactor != 1 || cfg.TransactionStateLogMinISR != 1 || cfg.NumRecoveryThreadsPerDataDir != 1 {
		t.Errorf("internal topic settings not applied")
	}
	if cfg.MessageMaxBytes != 1048588 || cfg.SocketRequestMaxBytes != 104857600 || cfg.NumPartitions != 1 {
		t.Errorf("defaults wrong: %d %d %d", cfg.MessageMaxBytes, cfg.SocketRequestMaxBytes, cfg.NumPartitions)
	}
	if cfg.LogFlushSchedulerInterval <= 0 {
		t.Errorf("Long.MAX_VALUE ms must saturate, got %v", cfg.LogFlushSchedulerInterval)
	}
}

func TestDevDefaultsLoad(t *testing.T) {
	cfg, warns := mustLoad(t, LoadOptions{Overrides: DevDefaults()})
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if cfg.NodeID != 1 || len(cfg.QuorumVoters) != 1 || cfg.QuorumVoters[0] != (Voter{1, "127.0.0.1", 9093}) {
		t.Errorf("voters %+v", cfg.QuorumVoters)
	}
	if c := cfg.ControllerListeners(); len(c) != 1 || c[0].Addr() != "127.0.0.1:9093" {
		t.Errorf("controller listeners %+v", c)
	}
	if b := cfg.BrokerListeners(); len(b) != 1 || b[0].Addr() != "127.0.0.1:9092" {
		t.Errorf("broker listeners %+v", b)
	}
	if cfg.LogDirs[0] != "./data" || cfg.OffsetsTopicReplicationFactor != 1 {
		t.Errorf("dev dirs/rf wrong")
	}
	if cfg.SecurityProtocol("CONTROLLER") != "PLAINTEXT" {
		t.Errorf("controller protocol %q", cfg.SecurityProtocol("CONTROLLER"))
	}
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, "num.partitions=2\nnum.io.threads=3\nnum.network.threads=4\n")
	cfg, _ := mustLoad(t, LoadOptions{
		ConfigFile: file,
		Environ:    []string{"KAFKA_NUM_IO_THREADS=5", "KAFKA_NUM_NETWORK_THREADS=6", "PATH=/bin"},
		Overrides:  append(DevDefaults(), "num.network.threads=7"),
	})
	if cfg.NumPartitions != 2 || cfg.NumIOThreads != 5 || cfg.NumNetworkThreads != 7 {
		t.Errorf("partitions %d io %d net %d", cfg.NumPartitions, cfg.NumIOThreads, cfg.NumNetworkThreads)
	}
	if v, src, ok := cfg.Get("num.io.threads"); !ok || v != "5" || src != SourceStaticBroker {
		t.Errorf("Get set key: %q %v %v", v, src, ok)
	}
	if v, src, ok := cfg.Get("queued.max.requests"); !ok || v != "500" || src != SourceDefault {
		t.Errorf("Get default: %q %v %v", v, src, ok)
	}
	if _, _, ok := cfg.Get("no.such.key"); ok {
		t.Errorf("Get unknown key must be !ok")
	}
	if cfg.Raw()["num.partitions"] != "2" {
		t.Errorf("Raw misses file key")
	}
	if _, set := cfg.Raw()["queued.max.requests"]; set {
		t.Errorf("Raw must hold only explicitly set keys")
	}
}

func TestEnvToKey(t *testing.T) {
	cases := []struct {
		env  string
		key  string
		want bool
	}{
		{"KAFKA_NODE_ID", "node.id", true},
		{"KAFKA_ADVERTISED_LISTENERS", "advertised.listeners", true},
		{"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "listener.security.protocol.map", true},
		{"KAFKA_CONTROLLER_QUORUM_VOTERS", "controller.quorum.voters", true},
		{"KAFKA_LOG_DIRS", "log.dirs", true},
		{"KAFKA_LISTENER_NAME_SASL__SSL_SCRAM___SHA___256_SASL_JAAS_CONFIG", "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config", true},
		{"KAFKA_FOO__BAR", "foo_bar", true},
		{"KAFKA_A___B", "a-b", true},
		{"KAFKA_HEAP_OPTS", "", false},
		{"KAFKA_OPTS", "", false},
		{"KAFKA_JMX_PORT", "", false},
		{"KAFKA_JMX_OPTS", "", false},
		{"KAFKA_LOG4J_OPTS", "", false},
		{"KAFKA_LOG4J_ROOT_LOGLEVEL", "", false},
		{"KAFKA_VERSION", "", false},
		{"KAFKA_HOME", "", false},
		{"KAFKA_JVM_PERFORMANCE_OPTS", "", false},
		{"KAFKA_", "", false},
		{"CLUSTER_ID", "", false},
		{"PATH", "", false},
	}
	for _, c := range cases {
		key, ok := EnvToKey(c.env)
		if ok != c.want || key != c.key {
			t.Errorf("EnvToKey(%s) = %q,%v want %q,%v", c.env, key, ok, c.key, c.want)
		}
	}
}

func TestEnvOnlyConfigLikeContainerImage(t *testing.T) {
	env := []string{
		"KAFKA_NODE_ID=3",
		"KAFKA_PROCESS_ROLES=broker,controller",
		"KAFKA_LISTENERS=PLAINTEXT://:19092,CONTROLLER://:19093",
		"KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://kafka:19092",
		"KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER",
		"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
		"KAFKA_CONTROLLER_QUORUM_VOTERS=3@kafka:19093",
		"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1",
		"KAFKA_HEAP_OPTS=-Xmx1G",
		"KAFKA_JMX_PORT=9101",
		"CLUSTER_ID=MkU3OEVBNTcwNTJENDM2Qk",
	}
	cfg, warns := mustLoad(t, LoadOptions{Environ: env})
	if len(warns) != 0 {
		t.Errorf("warnings %v", warns)
	}
	if cfg.NodeID != 3 || cfg.ClusterID != "MkU3OEVBNTcwNTJENDM2Qk" || cfg.AdvertisedListeners[0].Host != "kafka" {
		t.Errorf("env config not applied: %+v", cfg)
	}
}

func TestInvalidValuesNameTheKey(t *testing.T) {
	cases := []struct {
		name      string
		overrides []string
		env       []string
		wantAll   []string
	}{
		{"not a number", []string{"num.partitions=abc"}, nil, []string{"num.partitions", "abc", "--override"}},
		{"below minimum", []string{"num.partitions=0"}, nil, []string{"num.partitions", "at least 1"}},
		{"bad enum", []string{"compression.type=brotli"}, nil, []string{"compression.type", "brotli"}},
		{"bad boolean", nil, []string{"KAFKA_AUTO_CREATE_TOPICS_ENABLE=yes"}, []string{"auto.create.topics.enable", "KAFKA_AUTO_CREATE_TOPICS_ENABLE"}},
		{"int overflow", []string{"message.max.bytes=3000000000"}, nil, []string{"message.max.bytes"}},
		{"bad listener", []string{"listeners=PLAINTEXT//x:1"}, nil, []string{"listeners"}},
		{"bad voter", []string{"controller.quorum.voters=x@y"}, nil, []string{"controller.quorum.voters"}},
		{"bad protocol map", []string{"listener.security.protocol.map=PLAINTEXT:TLS"}, nil, []string{"listener.security.protocol.map", "TLS"}},
		{"gzip level", []string{"compression.gzip.level=12"}, nil, []string{"compression.gzip.level"}},
		{"malformed override", []string{"num.partitions"}, nil, []string{"num.partitions", "key=value"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Load(LoadOptions{Overrides: append(DevDefaults(), c.overrides...), Environ: c.env})
			if err == nil {
				t.Fatal("expected error")
			}
			for _, w := range c.wantAll {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestCrossChecks(t *testing.T) {
	base := DevDefaults()
	without := func(key string, extra ...string) []string {
		var out []string
		for _, o := range base {
			if !strings.HasPrefix(o, key+"=") {
				out = append(out, o)
			}
		}
		return append(out, extra...)
	}
	cases := []struct {
		name      string
		overrides []string
		want      string
	}{
		{"node.id required", without("node.id"), "node.id is required"},
		{"process.roles required", without("process.roles"), "process.roles is required"},
		{"bad role", append(base, "process.roles=broker,zookeeper"), "process.roles"},
		{"controller listener names required", without("controller.listener.names"), "controller.listener.names"},
		{"controller listener must be bound", append(base, "listeners=PLAINTEXT://127.0.0.1:9092"), "controller.listener.names contains CONTROLLER"},
		{"node not in voters", append(base, "controller.quorum.voters=2@127.0.0.1:9093"), "must be one of controller.quorum.voters"},
		{"broker in voters", append(base, "process.roles=broker", "listeners=PLAINTEXT://127.0.0.1:9092"), "does not contain controller"},
		{"no quorum", without("controller.quorum.voters"), "controller.quorum.bootstrap.servers"},
		{"advertise 0.0.0.0", append(base, "advertised.listeners=PLAINTEXT://0.0.0.0:9092"), "0.0.0.0"},
		{"advertised name unknown", append(base, "advertised.listeners=EXTERNAL://h:1"), "EXTERNAL"},
		{"protocol missing", append(base, "listener.security.protocol.map=PLAINTEXT:PLAINTEXT"), "no security protocol defined for listener CONTROLLER"},
		{"duplicate port", append(base, "listeners=PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:9093"), "same port"},
		{"inter broker both", append(base, "inter.broker.listener.name=PLAINTEXT", "security.inter.broker.protocol=PLAINTEXT"), "only one of"},
		{"inter broker missing", append(base, "inter.broker.listener.name=INTERNAL"), "inter.broker.listener.name"},
		{"controller-only extra listener", append(base, "process.roles=controller"), "listeners contains PLAINTEXT"},
		{"broker.id mismatch", append(base, "broker.id=2"), "broker.id"},
		{"consumer session range", append(base, "group.consumer.session.timeout.ms=1000"), "group.consumer.session.timeout.ms"},
		{"dedupe buffer", append(base, "log.cleaner.dedupe.buffer.size=1000"), "log.cleaner.dedupe.buffer.size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Load(LoadOptions{Overrides: c.overrides})
			if err == nil {
				t.Fatal("expected error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestUnknownKeysWarn(t *testing.T) {
	file := writeFile(t, "zookeeper.connect=localhost:2181\nretention.ms=1000\nlistener.name.plaintext.ssl.keystore.location=/x\n")
	cfg, warns := mustLoad(t, LoadOptions{ConfigFile: file, Overrides: DevDefaults(), Environ: []string{"KAFKA_SOMETHING_ELSE=1"}})
	joined := strings.Join(warns, "\n")
	for _, w := range []string{"zookeeper.connect", "something.else", "KAFKA_SOMETHING_ELSE", "retention.ms is a topic config", "log.retention.ms"} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings %q miss %q", joined, w)
		}
	}
	if strings.Contains(joined, "listener.name") {
		t.Errorf("listener-prefixed keys must not warn: %q", joined)
	}
	if cfg.Raw()["zookeeper.connect"] != "localhost:2181" {
		t.Errorf("unknown keys stay visible in Raw")
	}
}

func TestListenersIPv6AndDerived(t *testing.T) {
	cfg, _ := mustLoad(t, LoadOptions{Overrides: append(DevDefaults(),
		"listeners=PLAINTEXT://[::1]:0,CONTROLLER://127.0.0.1:0", "advertised.listeners=PLAINTEXT://[::1]:9092",
		"log.dirs=/a, /b", "metadata.log.dir=/m", "connections.max.idle.ms=1000")})
	if cfg.Listeners[0].Host != "::1" || cfg.Listeners[0].Addr() != "[::1]:0" {
		t.Errorf("ipv6 listener %+v", cfg.Listeners[0])
	}
	if !reflect.DeepEqual(cfg.LogDirs, []string{"/a", "/b"}) || cfg.MetadataLogDir != "/m" {
		t.Errorf("dirs %v %s", cfg.LogDirs, cfg.MetadataLogDir)
	}
	if cfg.ConnectionsMaxIdle != time.Second {
		t.Errorf("idle %v", cfg.ConnectionsMaxIdle)
	}
}
