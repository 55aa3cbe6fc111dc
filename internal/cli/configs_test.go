package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestConfigsTopicLifecycle(t *testing.T) {
	bs := startBroker(t)
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "events", "--partitions", "1")

	out := mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--entity-type", "topics", "--entity-name", "events")
	if out != "Dynamic configs for topic events are:\n" {
		t.Fatalf("describe with no overrides: %q", out)
	}

	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--entity-type", "topics", "--entity-name", "events",
		"--add-config", "retention.ms=86400000,cleanup.policy=[compact,delete]")
	if out != "Completed updating config for topic events.\n" {
		t.Fatalf("alter output %q", out)
	}
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--topic", "events")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || lines[0] != "Dynamic configs for topic events are:" ||
		!strings.HasPrefix(lines[1], "  cleanup.policy=compact,delete sensitive=false synonyms={") ||
		!strings.HasPrefix(lines[2], "  retention.ms=86400000 sensitive=false synonyms={") {
		t.Fatalf("describe after alter:\n%s", out)
	}

	// --add-config-file, then delete one key.
	file := filepath.Join(t.TempDir(), "add.properties")
	if err := os.WriteFile(file, []byte("# topic overrides\nmax.message.bytes=2048\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--topic", "events", "--add-config-file", file)
	mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--topic", "events", "--delete-config", "retention.ms,cleanup.policy")
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--topic", "events")
	if !strings.Contains(out, "  max.message.bytes=2048 ") || strings.Contains(out, "retention.ms") || strings.Contains(out, "cleanup.policy") {
		t.Fatalf("describe after file add and delete:\n%s", out)
	}
	// Deleting a config that is not set succeeds, as in Kafka 4.3.
	mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--topic", "events", "--delete-config", "retention.ms")

	// --all includes defaults.
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--topic", "events", "--all")
	if !strings.HasPrefix(out, "All configs for topic events are:\n") || !strings.Contains(out, "  max.message.bytes=2048 ") ||
		!strings.Contains(out, "  retention.ms=") {
		t.Fatalf("describe --all:\n%s", out)
	}

	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--topic", "nope")
	if out != "The topic 'nope' doesn't exist and doesn't have dynamic config.\n" {
		t.Fatalf("describe missing topic: %q", out)
	}
	if _, _, err := runCLI(t, "", "configs", "--bootstrap-server", bs, "--alter", "--topic", "missing", "--add-config", "retention.ms=1"); err == nil {
		t.Fatal("altering a missing topic succeeded")
	}
}

func TestConfigsBrokers(t *testing.T) {
	bs := startBroker(t)
	out := mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--entity-type", "brokers", "--entity-default")
	if !strings.HasPrefix(out, "Default configs for brokers in the cluster are:\n") {
		t.Fatalf("describe broker defaults: %q", out)
	}
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--entity-type", "brokers")
	m := regexp.MustCompile(`(?m)^Dynamic configs for broker (\d+) are:$`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "Default configs for brokers in the cluster are:\n") {
		t.Fatalf("describe all brokers: want a section per broker and the defaults, got %q", out)
	}
	broker := m[1]
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--broker-defaults", "--add-config", "log.retention.ms=7200000")
	if out != "Completed updating default config for brokers in the cluster.\n" {
		t.Fatalf("alter broker defaults: %q", out)
	}
	// The cluster-wide default is now the broker's effective value.
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--broker", broker, "--all")
	if !strings.HasPrefix(out, "All configs for broker "+broker+" are:\n") || !strings.Contains(out, "  log.retention.ms=7200000 sensitive=false synonyms={") {
		t.Fatalf("describe broker after altering defaults:\n%s", out)
	}
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--broker", "4242")
	if out != "The broker '4242' doesn't exist and doesn't have dynamic config.\n" {
		t.Fatalf("describe missing broker: %q", out)
	}
}

func TestConfigsBadInput(t *testing.T) {
	bs := "127.0.0.1:1"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"configs", "--bootstrap-server", bs, "--entity-type", "topics"}, "exactly one action"},
		{[]string{"configs", "--describe", "--topic", "x"}, "--bootstrap-server"},
		{[]string{"configs", "--bootstrap-server", bs, "--describe"}, "at least one entity type"},
		{[]string{"configs", "--bootstrap-server", bs, "--describe", "--entity-type", "tables"}, "invalid entity type tables"},
		{[]string{"configs", "--bootstrap-server", bs, "--alter", "--entity-type", "topics", "--add-config", "a=b"}, "entity name must be specified"},
		{[]string{"configs", "--bootstrap-server", bs, "--alter", "--topic", "x"}, "at least one of --add-config"},
		{[]string{"configs", "--bootstrap-server", bs, "--alter", "--topic", "x", "--add-config", "novalue"}, "key=val"},
		{[]string{"configs", "--bootstrap-server", bs, "--alter", "--topic", "x", "--add-config", "bad key=1"}, "invalid character"},
		{[]string{"configs", "--bootstrap-server", bs, "--describe", "--broker", "one"}, "valid integer broker id"},
		{[]string{"configs", "--bootstrap-server", bs, "--describe", "--topic", "x", "--entity-type", "topics"}, "duplicate entity type"},
		{[]string{"configs", "--bootstrap-server", bs, "--describe", "--topic", "x", "--entity-name", "y"}, "should not be used in conjunction"},
		{[]string{"configs", "--bootstrap-server", bs, "--describe", "--topic", "x", "--broker", "1"}, "may be specified together"},
		{[]string{"configs", "--bootstrap-server", bs, "--describe", "--topic", "x", "--add-config", "a=b"}, "can't be used"},
	}
	for _, tc := range tests {
		_, _, err := runCLI(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want containing %q", tc.args, err, tc.want)
		}
	}
}

func TestParseAddConfig(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{in: "a=1", want: map[string]string{"a": "1"}},
		{in: "a = 1 , b=[x,y,z],c=", want: map[string]string{"a": "1", "b": "x,y,z", "c": ""}},
		{in: "leader.replication.throttled.replicas=[0:1,1:2]", want: map[string]string{"leader.replication.throttled.replicas": "0:1,1:2"}},
		{in: "a", wantErr: true},
		{in: "a=b=c", wantErr: true},
	}
	for _, tc := range tests {
		got, err := parseAddConfig(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err = %v", tc.in, err)
			continue
		}
		if !tc.wantErr && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	for in, want := range map[float64]string{1024: "1024.0", 1.5: "1.5", 1.5e7: "1.5E7", 0: "0.0", 1e7: "1.0E7", 0.0001: "1.0E-4"} {
		if got := javaDouble(in); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigsQuotas(t *testing.T) {
	bs := startBroker(t)
	requireAPIs(t, bs, 48, 49) // DescribeClientQuotas, AlterClientQuotas
	out := mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--entity-type", "users", "--entity-name", "alice",
		"--add-config", "producer_byte_rate=1024,consumer_byte_rate=2048")
	if out != "Completed updating config for user alice.\n" {
		t.Fatalf("alter user quota: %q", out)
	}
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--user-defaults", "--add-config", "producer_byte_rate=10")
	if out != "Completed updating default config for users in the cluster.\n" {
		t.Fatalf("alter default user quota: %q", out)
	}
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--user", "alice")
	if out != "Quota configs for user-principal 'alice' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0\n" {
		t.Fatalf("describe user quota: %q", out)
	}
	mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--user", "alice", "--delete-config", "producer_byte_rate")
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--user", "alice")
	if out != "Quota configs for user-principal 'alice' are consumer_byte_rate=2048.0\n" {
		t.Fatalf("describe after delete: %q", out)
	}
	mustRun(t, "", "configs", "--bootstrap-server", bs, "--alter", "--ip", "127.0.0.1", "--add-config", "connection_creation_rate=5")
	out = mustRun(t, "", "configs", "--bootstrap-server", bs, "--describe", "--ip", "127.0.0.1")
	if out != "Quota configs for ip '127.0.0.1' are connection_creation_rate=5.0\n" {
		t.Fatalf("describe ip quota: %q", out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--alter", "--user", "alice", "--delete-config", "producer_byte_rate"}, "invalid config(s): producer_byte_rate"},
		{[]string{"--alter", "--user", "alice", "--add-config", "retention.ms=1"}, "Unexpected config names: retention.ms"},
		{[]string{"--alter", "--user", "alice", "--add-config", "producer_byte_rate=fast"}, "cannot parse quota configuration value"},
		{[]string{"--alter", "--user", "alice", "--add-config", "SCRAM-SHA-256=[password=x]"}, "SCRAM"},
		{[]string{"--alter", "--ip", "not an ip", "--add-config", "connection_creation_rate=1"}, "valid IP"},
	} {
		if _, _, err := runCLI(t, "", append([]string{"configs", "--bootstrap-server", bs}, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want containing %q", tc.args, err, tc.want)
		}
	}
}
