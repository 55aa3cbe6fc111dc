package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/clock"
)

func TestPerfStats(t *testing.T) {
	clk := clock.NewManual(time.Unix(1000, 0))
	var out bytes.Buffer
	s := newPerfStats(clk, &out, 1000, false, 5*time.Second)
	// Latencies 1..1000 ms, one per record.
	for i := 1; i <= 1000; i++ {
		if i == 500 {
			clk.Advance(5 * time.Second) // a window closes with this record
		}
		s.record(time.Duration(i)*time.Millisecond, 100, clk.Now())
	}
	clk.Advance(5 * time.Second)
	window := "500 records sent, 100.0 records/sec (0.01 MB/sec), 250.5 ms avg latency, 500.0 ms max latency.\n"
	if !strings.HasPrefix(out.String(), window) {
		t.Fatalf("window line %q, want %q", out.String(), window)
	}
	out.Reset()
	s.printTotal()
	want := "1000 records sent, 100.000000 records/sec (0.01 MB/sec), 500.50 ms avg latency, 1000.00 ms max latency, 501 ms 50th, 951 ms 95th, 991 ms 99th, 1000 ms 99.9th.\n"
	if out.String() != want {
		t.Fatalf("total:\n%q\nwant:\n%q", out.String(), want)
	}
}

var perfSummary = regexp.MustCompile(`(?m)^(\d+) records sent, [0-9.]+ records/sec \([0-9.]+ MB/sec\), [0-9.]+ ms avg latency, [0-9.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$`)

func TestProducerPerf(t *testing.T) {
	bs := startBroker(t)
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "perf", "--partitions", "2")

	out := mustRun(t, "", "producer-perf-test", "--topic", "perf", "--num-records", "50", "--record-size", "100",
		"--throughput", "-1", "--producer-props", "bootstrap.servers="+bs, "acks=1", "linger.ms=0")
	if m := perfSummary.FindStringSubmatch(out); m == nil || m[1] != "50" {
		t.Fatalf("summary: %q", out)
	}
	// Throttled, monotonic payloads, with a producer config file.
	cfg := filepath.Join(t.TempDir(), "producer.properties")
	if err := os.WriteFile(cfg, []byte("bootstrap.servers="+bs+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, "", "producer-perf-test", "--topic", "perf", "--num-records", "20", "--payload-monotonic",
		"--throughput", "1000", "--producer.config", cfg, "--print-metrics")
	if m := perfSummary.FindStringSubmatch(out); m == nil || m[1] != "20" {
		t.Fatalf("throttled summary: %q", out)
	}
	if !regexp.MustCompile(`(?m)^producer-metrics:record-send-total:\{client-id=perf-producer-client\} +: 20\.000$`).MatchString(out) {
		t.Fatalf("metrics: %q", out)
	}
	got := mustRun(t, "", "get-offsets", "--bootstrap-server", bs, "--topic", "perf")
	total := 0
	for _, l := range strings.Fields(got) {
		parts := strings.Split(l, ":")
		n, err := strconv.Atoi(parts[2])
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != 70 {
		t.Fatalf("topic holds %d records, want 70: %q", total, got)
	}

	// Payloads from a file, with warmup.
	payloads := filepath.Join(t.TempDir(), "payloads.txt")
	if err := os.WriteFile(payloads, []byte("alpha\nbeta\ngamma\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, "", "producer-perf-test", "--topic", "perf", "--num-records", "10", "--payload-file", payloads,
		"--throughput", "-1", "--producer-props", "bootstrap.servers="+bs, "--warmup-records", "4")
	if !strings.Contains(out, "Number of records read: 3\n") || !strings.Contains(out, "Warmup first 4 records.") ||
		!regexp.MustCompile(`(?m)^6 steady state records sent, `).MatchString(out) {
		t.Fatalf("payload file / warmup output: %q", out)
	}
	if m := perfSummary.FindStringSubmatch(out); m == nil || m[1] != "10" {
		t.Fatalf("summary: %q", out)
	}
	values := mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "perf", "--from-beginning", "--max-messages", "80")
	lines := strings.Split(strings.TrimSuffix(values, "\n"), "\n")
	seen := map[string]int{}
	for _, l := range lines {
		seen[l]++
	}
	if len(lines) != 80 || seen["19"] != 1 || seen["alpha"]+seen["beta"]+seen["gamma"] != 10 {
		t.Fatalf("consumed %d values, counts %v", len(lines), seen)
	}
}

func TestProducerPerfTransactions(t *testing.T) {
	bs := startBroker(t)
	requireAPIs(t, bs, 10, 22, 24, 26) // FindCoordinator, InitProducerId, AddPartitionsToTxn, EndTxn
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "txn", "--partitions", "1")
	out := mustRun(t, "", "producer-perf-test", "--topic", "txn", "--num-records", "10", "--payload-monotonic",
		"--throughput", "-1", "--producer-props", "bootstrap.servers="+bs, "--transactional-id", "perf-txn", "--transaction-duration-ms", "1")
	if m := perfSummary.FindStringSubmatch(out); m == nil || m[1] != "10" {
		t.Fatalf("summary: %q", out)
	}
	values := mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "txn", "--from-beginning",
		"--isolation-level", "read_committed", "--max-messages", "10")
	if values != "0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n" {
		t.Fatalf("committed values: %q", values)
	}
}

func TestProducerPerfBadInput(t *testing.T) {
	props := []string{"--producer-props", "bootstrap.servers=127.0.0.1:1"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--num-records", "1", "--record-size", "1", "--throughput", "-1"}, "--topic"},
		{[]string{"--topic", "t", "--record-size", "1", "--throughput", "-1"}, "--num-records"},
		{[]string{"--topic", "t", "--num-records", "1", "--record-size", "1"}, "--throughput"},
		{[]string{"--topic", "t", "--num-records", "1", "--throughput", "-1"}, "exactly one of"},
		{[]string{"--topic", "t", "--num-records", "1", "--record-size", "1", "--payload-monotonic", "--throughput", "-1"}, "exactly one of"},
		{[]string{"--topic", "t", "--num-records", "0", "--record-size", "1", "--throughput", "-1"}, "greater than zero"},
		{[]string{"--topic", "t", "--num-records", "5", "--record-size", "1", "--throughput", "-1", "--warmup-records", "5"}, "warmup-records"},
		{[]string{"--topic", "t", "--num-records", "1", "--payload-file", "/no/such", "--throughput", "-1"}, "file does not exist"},
		{[]string{"--topic", "t", "--num-records", "1", "--record-size", "1", "--throughput", "-1", "--reporting-interval", "0"}, "--reporting-interval"},
		{[]string{"--topic", "t", "--num-records", "1", "--record-size", "1", "--throughput", "-1", "--command-property", "acks=1"}, "cannot be specified together"},
	}
	for _, tc := range tests {
		args := append(append([]string{"producer-perf-test"}, tc.args...), props...)
		if _, _, err := runCLI(t, "", args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want containing %q", tc.args, err, tc.want)
		}
	}
	if _, _, err := runCLI(t, "", "producer-perf-test", "--topic", "t", "--num-records", "1", "--record-size", "1", "--throughput", "-1"); err == nil ||
		!strings.Contains(err.Error(), "at least one of --bootstrap-server") {
		t.Errorf("missing producer props: %v", err)
	}
	if _, _, err := runCLI(t, "", "producer-perf-test", "--topic", "t", "--num-records", "1", "--record-size", "1", "--throughput", "-1",
		"--producer-props", "a=b=c"); err == nil || !strings.Contains(err.Error(), "invalid property") {
		t.Errorf("bad producer prop: %v", err)
	}
}

// Without a reachable broker, producers give up after delivery.timeout.ms
// (as the Java producer does) instead of retrying forever.
func TestProducersGiveUpWithoutBroker(t *testing.T) {
	_, _, err := runCLI(t, "", "producer-perf-test", "--topic", "x", "--num-records", "3", "--record-size", "10", "--throughput", "-1",
		"--bootstrap-server", "127.0.0.1:1", "--command-property", "delivery.timeout.ms=1000")
	if err == nil || !strings.Contains(err.Error(), "3 of 3 records failed") {
		t.Fatalf("producer-perf-test: err = %v", err)
	}
	_, _, err = runCLI(t, "a\n", "console-producer", "--topic", "x", "--bootstrap-server", "127.0.0.1:1",
		"--command-property", "delivery.timeout.ms=1000")
	if err == nil || !strings.Contains(err.Error(), "1 record(s) could not be sent to topic x") {
		t.Fatalf("console-producer: err = %v", err)
	}
}
