package main

// Running the client tools both systems are measured with: Kafka's own
// ProducerPerformance, ConsumerPerformance and EndToEndLatency (from the
// kafka-tools jar) and Odradek's producer-perf-test and consumer-perf-test
// (franz-go), and reading their summaries.

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// javaTool is the command line of one of Kafka's tool classes.
func (e *env) javaTool(class string, args ...string) []string {
	cmd := []string{e.java, "-Xmx512M", "-XX:+UseG1GC", "-Djava.awt.headless=true"}
	if e.quickJVM {
		cmd = append(cmd, "-XX:TieredStopAtLevel=1")
	}
	cmd = append(cmd, "-Dlog4j2.configurationFile="+e.toolLog4j, "-cp", e.kafkaLib+"/*", class)
	return append(cmd, args...)
}

func (e *env) odradekTool(args ...string) []string {
	return append([]string{e.odradekBin}, args...)
}

// runTool runs a client tool to completion and returns its stdout.
func (e *env) runTool(ctx context.Context, timeout time.Duration, args []string) (string, error) {
	e.record(args)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	t0 := time.Now()
	err := cmd.Run()
	if e.logf != nil {
		e.logf("  %s took %.1fs", shortCmd(args), time.Since(t0).Seconds())
	}
	if err != nil {
		return out.String(), fmt.Errorf("%s: %w\n%s", shortCmd(args), err, lastLines(errOut.String()+out.String(), 15))
	}
	return out.String(), nil
}

// shortCmd names a command by its program and, for Java, its class.
func shortCmd(args []string) string {
	for _, a := range args {
		if strings.HasPrefix(a, "org.apache.kafka.") || strings.HasPrefix(a, "kafka.") {
			return a
		}
	}
	if len(args) > 1 {
		return args[0] + " " + args[1]
	}
	return args[0]
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// perfSummary is the closing line of kafka-producer-perf-test.
type perfSummary struct {
	records   int64
	recPerSec float64
	mibPerSec float64
	avgMs     float64
	maxMs     float64
	p50, p95  float64
	p99, p999 float64
}

var producerSummaryRE = regexp.MustCompile(`(?m)^(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.`)

func parseProducerPerf(out string) (perfSummary, error) {
	m := producerSummaryRE.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return perfSummary{}, fmt.Errorf("no producer-perf-test summary line in output:\n%s", lastLines(out, 5))
	}
	f := m[len(m)-1]
	n, _ := strconv.ParseInt(f[1], 10, 64)
	v := make([]float64, 9)
	for i := 2; i <= 9; i++ {
		x, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return perfSummary{}, fmt.Errorf("bad number %q in summary %q", f[i], f[0])
		}
		v[i-2] = x
	}
	return perfSummary{records: n, recPerSec: v[0], mibPerSec: v[1], avgMs: v[2], maxMs: v[3],
		p50: v[4], p95: v[5], p99: v[6], p999: v[7]}, nil
}

// consumerSummary is the data line of kafka-consumer-perf-test.
type consumerSummary struct {
	mib         float64
	mibPerSec   float64
	records     int64
	recPerSec   float64
	rebalanceMs float64
	fetchMs     float64
	fetchMiBs   float64
	fetchRecs   float64
}

func parseConsumerPerf(out string) (consumerSummary, error) {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "data.consumed.in.MB") || i+1 >= len(lines) {
			continue
		}
		f := strings.Split(strings.TrimSpace(lines[i+1]), ", ")
		if len(f) != 10 {
			return consumerSummary{}, fmt.Errorf("consumer-perf-test data line has %d fields, want 10: %q", len(f), lines[i+1])
		}
		var v [8]float64
		for j := range v {
			x, err := strconv.ParseFloat(f[j+2], 64)
			if err != nil {
				return consumerSummary{}, fmt.Errorf("bad number %q in consumer-perf-test line %q", f[j+2], lines[i+1])
			}
			v[j] = x
		}
		return consumerSummary{mib: v[0], mibPerSec: v[1], records: int64(v[2]), recPerSec: v[3],
			rebalanceMs: v[4], fetchMs: v[5], fetchMiBs: v[6], fetchRecs: v[7]}, nil
	}
	return consumerSummary{}, fmt.Errorf("no consumer-perf-test header in output:\n%s", lastLines(out, 5))
}

var (
	e2eAvgRE = regexp.MustCompile(`Avg latency: ([\d.]+) ms`)
	e2ePctRE = regexp.MustCompile(`Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)`)
)

// parseEndToEnd reads Kafka's EndToEndLatency summary (whole milliseconds).
func parseEndToEnd(out string) (map[string]float64, error) {
	a := e2eAvgRE.FindStringSubmatch(out)
	p := e2ePctRE.FindStringSubmatch(out)
	if a == nil || p == nil {
		return nil, fmt.Errorf("no EndToEndLatency summary in output:\n%s", lastLines(out, 5))
	}
	res := map[string]float64{}
	for k, s := range map[string]string{"avg": a[1], "50": p[1], "99": p[2], "99.9": p[3]} {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q in EndToEndLatency output", s)
		}
		res[k] = v
	}
	return res, nil
}
