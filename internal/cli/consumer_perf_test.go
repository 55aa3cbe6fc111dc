package cli

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestJavaDateLayout(t *testing.T) {
	ts := time.Date(2026, 3, 4, 5, 6, 7, 89_000_000, time.UTC)
	tests := map[string]string{
		"yyyy-MM-dd HH:mm:ss:SSS": "2026-03-04 05:06:07:089",
		"yy/M/d h:mm a":           "26/3/4 5:06 AM",
		"'at' HH 'o''clock'":      "at 05 o'clock",
	}
	for pattern, want := range tests {
		layout, err := javaDateLayout(pattern)
		if err != nil {
			t.Fatalf("%q: %v", pattern, err)
		}
		if got := formatJavaDate(ts, layout); got != want {
			t.Errorf("%q: got %q, want %q", pattern, got, want)
		}
	}
	if _, err := javaDateLayout("yyyy QQ"); err == nil {
		t.Error("unsupported pattern letter accepted")
	}
}

func TestConsumerPerf(t *testing.T) {
	bs := startBroker(t)
	requireAPIs(t, bs, 10, 11, 12, 14) // the perf consumer is a group member
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "cperf", "--partitions", "2")
	mustRun(t, "", "producer-perf-test", "--topic", "cperf", "--num-records", "30", "--record-size", "100",
		"--throughput", "-1", "--producer-props", "bootstrap.servers="+bs)

	out := mustRun(t, "", "consumer-perf-test", "--bootstrap-server", bs, "--topic", "cperf", "--messages", "30")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	header := "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec"
	num := `(?:-?[0-9]+\.[0-9]{4}|Infinity|NaN)`
	date := `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}`
	row := regexp.MustCompile(`^` + date + `, ` + date + `, 0\.0029, ` + num + `, 30, ` + num + `, \d+, -?\d+, ` + num + `, ` + num + `$`)
	if len(lines) != 2 || lines[0] != header || !row.MatchString(lines[1]) {
		t.Fatalf("output:\n%s", out)
	}

	// Asking for more than exists ends after --timeout with Kafka's warning.
	out = mustRun(t, "", "consumer-perf-test", "--bootstrap-server", bs, "--topic", "cperf", "--num-records", "40",
		"--timeout", "500", "--hide-header", "--group", "perf-g2")
	if !strings.HasPrefix(out, "WARNING: Exiting before consuming the expected number of records: timeout (500 ms) exceeded.") ||
		!strings.Contains(out, ", 30, ") || strings.Contains(out, "start.time") {
		t.Fatalf("timeout output:\n%s", out)
	}

	out = mustRun(t, "", "consumer-perf-test", "--bootstrap-server", bs, "--topic", "cperf", "--messages", "30",
		"--show-detailed-stats", "--reporting-interval", "1")
	if !strings.HasPrefix(out, "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms") {
		t.Fatalf("detailed output:\n%s", out)
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:] {
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, 0, `).MatchString(l) {
			t.Fatalf("detailed line %q", l)
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bootstrap-server", bs, "--topic", "x"}, "[num-records]"},
		{[]string{"--bootstrap-server", bs, "--messages", "1"}, "--topic or --include"},
		{[]string{"--bootstrap-server", bs, "--messages", "1", "--topic", "x", "--reporting-interval", "0"}, "reporting interval"},
		{[]string{"--bootstrap-server", bs, "--messages", "1", "--topic", "x", "--date-format", "QQ"}, "not supported"},
	} {
		if _, _, err := runCLI(t, "", append([]string{"consumer-perf-test"}, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want containing %q", tc.args, err, tc.want)
		}
	}
}
