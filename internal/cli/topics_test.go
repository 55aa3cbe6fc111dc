package cli

import (
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func TestTopicsLifecycle(t *testing.T) {
	bs := startBroker(t)
	out := mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "orders",
		"--partitions", "3", "--replication-factor", "1", "--config", "retention.ms=3600000", "--config", "cleanup.policy=compact")
	if out != "Created topic orders.\n" {
		t.Fatalf("create output %q", out)
	}
	// Kafka's single-dash spelling and unique-prefix abbreviations.
	out = mustRun(t, "", "topics", "-bootstrap-server", bs, "-create", "-topic", "payments", "--partitions=1")
	if out != "Created topic payments.\n" {
		t.Fatalf("create output %q", out)
	}

	if _, _, err := runCLI(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "orders", "--partitions", "1"); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate create: err = %v, want 'already exists'", err)
	}
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "orders", "--if-not-exists")

	out = mustRun(t, "", "topics", "--bootstrap-server", bs, "--list", "--exclude-internal")
	if out != "orders\npayments\n" {
		t.Fatalf("list output %q", out)
	}
	out = mustRun(t, "", "topics", "--bootstrap-server", bs, "--list", "--topic", "ord.*")
	if out != "orders\n" {
		t.Fatalf("list with regex %q", out)
	}

	out = mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "orders")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("describe: want header + 3 partition lines, got %q", out)
	}
	header := regexp.MustCompile(`^Topic: orders\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: (.*)$`)
	m := header.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("describe header %q", lines[0])
	}
	if !strings.Contains(m[1], "cleanup.policy=compact") || !strings.Contains(m[1], "retention.ms=3600000") {
		t.Fatalf("describe configs %q: want the two overrides", m[1])
	}
	part := regexp.MustCompile(`^\tTopic: orders\tPartition: (\d)\tLeader: \d+\tReplicas: \d+\tIsr: \d+\tElr: [^\t]*\tLastKnownElr: .*$`)
	for i, l := range lines[1:] {
		m := part.FindStringSubmatch(l)
		if m == nil || m[1] != string(rune('0'+i)) {
			t.Fatalf("partition line %d: %q", i, l)
		}
	}
	// Describe by topic id gives the same output.
	id := regexp.MustCompile(`TopicId: (\S+)`).FindStringSubmatch(lines[0])[1]
	if got := mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic-id", id); got != out {
		t.Fatalf("describe by id:\n%s\nwant:\n%s", got, out)
	}
	// A healthy single-broker topic has nothing under-replicated or unavailable.
	for _, report := range []string{"--under-replicated-partitions", "--unavailable-partitions"} {
		if got := mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "orders", report); got != "" {
			t.Fatalf("%s: %q", report, got)
		}
	}
	// min.insync.replicas defaults to 1 and the ISR is 1: every partition is at min ISR.
	got := mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "orders", "--at-min-isr-partitions")
	if strings.Count(got, "\tTopic: orders\tPartition:") != 3 || strings.HasPrefix(got, "Topic:") {
		t.Fatalf("--at-min-isr-partitions: %q", got)
	}
	got = mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topics-with-overrides", "--exclude-internal")
	if !strings.HasPrefix(got, "Topic: orders\t") || strings.Contains(got, "payments") || strings.Contains(got, "Partition:") {
		t.Fatalf("--topics-with-overrides: %q", got)
	}

	mustRun(t, "", "topics", "--bootstrap-server", bs, "--alter", "--topic", "payments", "--partitions", "4")
	got = mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "payments")
	if !strings.Contains(got, "PartitionCount: 4\t") {
		t.Fatalf("after alter: %q", got)
	}
	if _, _, err := runCLI(t, "", "topics", "--bootstrap-server", bs, "--alter", "--topic", "payments", "--partitions", "2"); err == nil {
		t.Fatal("shrinking partitions succeeded")
	}

	mustRun(t, "", "topics", "--bootstrap-server", bs, "--delete", "--topic", "payments")
	if _, _, err := runCLI(t, "", "topics", "--bootstrap-server", bs, "--delete", "--topic", "payments"); err == nil ||
		!strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("delete missing topic: %v", err)
	}
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--delete", "--topic", "payments", "--if-exists")
	if _, _, err := runCLI(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "payments"); err == nil {
		t.Fatal("describe of deleted topic succeeded")
	}
}

func TestTopicsBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1"}, "exactly one action"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--list", "--create"}, "exactly one action"},
		{[]string{"topics", "--create", "--topic", "x"}, "--bootstrap-server must be specified"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--create"}, "[topic]"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--alter", "--topic", "x"}, "[partitions]"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--alter", "--topic", "x", "--partitions", "2", "--config", "a=b"}, "kafka-configs"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--list", "--replication-factor", "2"}, "replication-factor"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--create", "--topic", "x", "--partitions", "zero"}, "partitions"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--create", "--topic", "x", "--partitions", "0"}, "greater than 0"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--create", "--topic", "x", "--replication-factor", "0"}, "between 1 and 32767"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--create", "--topic", "x", "--config", "novalue"}, "key=val"},
		{[]string{"topics", "--bootstrap-server", "127.0.0.1:1", "--list", "--no-such-flag"}, "no-such-flag"},
		{[]string{"topics", "--bootstrap-server", "nohost", "--list"}, "HOST:PORT"},
	}
	for _, tc := range tests {
		_, _, err := runCLI(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want containing %q", tc.args, err, tc.want)
		}
	}
}

func TestToolAliases(t *testing.T) {
	want := map[string]string{
		"kafka-topics": "topics", "kafka-configs": "configs", "kafka-console-producer": "console-producer",
		"kafka-console-consumer": "console-consumer", "kafka-get-offsets": "get-offsets",
		"kafka-producer-perf-test": "producer-perf-test", "kafka-consumer-perf-test": "consumer-perf-test",
	}
	for tool, sub := range want {
		if got := toolAliases[tool]; len(got) != 1 || got[0] != sub {
			t.Errorf("alias %s = %v, want [%s]", tool, got, sub)
		}
	}

	bs := startBroker(t)
	quietStdio(t)
	if code := Main([]string{"/opt/kafka/bin/kafka-topics.sh", "--bootstrap-server", bs, "--create", "--topic", "via-alias"}); code != 0 {
		t.Fatalf("kafka-topics.sh --create exited %d", code)
	}
	if out := mustRun(t, "", "topics", "--bootstrap-server", bs, "--list"); out != "via-alias\n" {
		t.Fatalf("list after alias create: %q", out)
	}
	if code := Main([]string{"/x/kafka-topics", "--bootstrap-server", bs, "--create", "--topic", "via-alias"}); code == 0 {
		t.Fatal("creating an existing topic through the alias exited 0")
	}
}

func TestTopicsMinISRReports(t *testing.T) {
	bs := startBroker(t)
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "strict", "--partitions", "2",
		"--replication-factor", "1", "--config", "min.insync.replicas=2")
	out := mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "strict", "--under-min-isr-partitions")
	if strings.Count(out, "\tTopic: strict\tPartition: ") != 2 || strings.HasPrefix(out, "Topic:") {
		t.Fatalf("--under-min-isr-partitions: %q", out)
	}
	if out := mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "strict", "--at-min-isr-partitions"); out != "" {
		t.Fatalf("--at-min-isr-partitions: %q", out)
	}
}

func TestTopicsReplicaAssignment(t *testing.T) {
	bs := startBroker(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(bs))
	if err != nil {
		t.Fatal(err)
	}
	brokers, err := kadm.NewClient(cl).ListBrokers(context.Background())
	cl.Close()
	if err != nil || len(brokers) == 0 {
		t.Fatalf("list brokers: %v", err)
	}
	id := strconv.Itoa(int(brokers[0].NodeID))
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "placed", "--replica-assignment", id+","+id)
	out := mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "placed")
	if !strings.Contains(out, "\tPartitionCount: 2\tReplicationFactor: 1\t") || strings.Count(out, "\tReplicas: "+id+"\t") != 2 {
		t.Fatalf("describe after create with assignment: %q", out)
	}
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--alter", "--topic", "placed", "--partitions", "3", "--replica-assignment", id+","+id+","+id)
	out = mustRun(t, "", "topics", "--bootstrap-server", bs, "--describe", "--topic", "placed")
	if !strings.Contains(out, "\tPartitionCount: 3\t") {
		t.Fatalf("describe after alter with assignment: %q", out)
	}
	if _, _, err := runCLI(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "dup", "--replica-assignment", id+":"+id); err == nil ||
		!strings.Contains(err.Error(), "duplicate entries") {
		t.Fatalf("duplicate replicas: %v", err)
	}
}

// quietStdio sends the process's stdout and stderr to the null device for
// the rest of the test, for code that writes to them directly (Main).
func quietStdio(t *testing.T) {
	t.Helper()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = null, null
	t.Cleanup(func() {
		os.Stdout, os.Stderr = stdout, stderr
		null.Close()
	})
}
