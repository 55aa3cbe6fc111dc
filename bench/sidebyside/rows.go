package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
)

func findProduce(s *SystemResult, workload, tool string) (float64, float64, bool) {
	for _, p := range s.Produce {
		if p.Workload == workload && p.Tool == tool {
			return p.MiBPerS, p.P99Ms, true
		}
	}
	return 0, 0, false
}

func findLatency(s *SystemResult, workload, tool string) *LatencyResult {
	for i := range s.Latency {
		if s.Latency[i].Workload == workload && s.Latency[i].Tool == tool {
			return &s.Latency[i]
		}
	}
	return nil
}

func findConsume(s *SystemResult, workload, toolPrefix string) float64 {
	for _, c := range s.Consume {
		if c.Workload == workload && strings.HasPrefix(c.Tool, toolPrefix) {
			return c.MiBPerS
		}
	}
	return 0
}

func findResource(s *SystemResult, workload string) *ResourceResult {
	for i := range s.Resources {
		if s.Resources[i].Workload == workload {
			return &s.Resources[i]
		}
	}
	return nil
}

// stepErr is the error of the step a missing value belongs to.
func stepErr(s *SystemResult, v float64, step string, zeroOK bool) string {
	if !math.IsNaN(v) && (v != 0 || zeroOK) {
		return ""
	}
	if e, ok := s.Errors[step]; ok {
		return e
	}
	if e, ok := s.Errors["start"]; ok {
		return e
	}
	if e, ok := s.Errors["setup"]; ok {
		return e
	}
	return ""
}

func buildRows(r *Run, k, o *SystemResult) []row {
	var rows []row
	add := func(step string, rw row, fk, fo func(*SystemResult) float64) {
		rw.kafka, rw.odr = fk(k), fo(o)
		rw.kErr, rw.oErr = stepErr(k, rw.kafka, step, rw.zeroOK), stepErr(o, rw.odr, step, rw.zeroOK)
		rows = append(rows, rw)
	}
	both := func(f func(*SystemResult) float64) (func(*SystemResult) float64, func(*SystemResult) float64) {
		return f, f
	}
	ph := r.Physical
	s := r.Settings
	diskW := limit(ph.DiskWriteBufferedMiBs, "MiB/s disk write")
	for _, v := range []struct{ name, wl, tool string }{
		{fmt.Sprintf("max produce, %d producers, Kafka's ProducerPerformance", s.Producers), "max produce", toolKafkaProducer},
		{fmt.Sprintf("max produce, %d producers, odradek producer-perf-test", s.Producers), "max produce", toolOdradekPerf},
		{fmt.Sprintf("max produce, keyed, %d producers (harness)", s.Producers), "max produce, keyed", toolHarness},
		{fmt.Sprintf("max produce, %d producers (harness)", s.ManyProducers), "max produce, many producers", toolHarness},
	} {
		fk, fo := both(func(x *SystemResult) float64 { m, _, _ := findProduce(x, v.wl, v.tool); return m })
		add("max produce", row{name: v.name, unit: "MiB/s", limit: diskW, dir: higherBetter, goal: 2}, fk, fo)
	}
	rate := fmt.Sprintf("%s records/s", commas(int64(math.Round(s.FixedRate))))
	toolRate := func(tool string) string {
		for _, x := range []*SystemResult{k, o} {
			if l := findLatency(x, "produce", tool); l != nil && l.RatePerS > 0 {
				return fmt.Sprintf("%s records/s", commas(int64(math.Round(l.RatePerS))))
			}
		}
		return rate
	}
	for _, v := range []struct {
		name, wl, tool, pct string
		goal                float64
	}{
		{"produce latency p50 at " + rate + ", open loop (harness)", "produce", toolHarness, "50", 0},
		{"produce latency p99 at " + rate + ", open loop (harness)", "produce", toolHarness, "99", 0.2},
		{"produce latency p99.9 at " + rate + ", open loop (harness)", "produce", toolHarness, "99.9", 0},
		{"end-to-end latency p50 at " + rate + ", open loop (harness)", "end-to-end", toolHarness, "50", 0},
		{"end-to-end latency p99 at " + rate + ", open loop (harness)", "end-to-end", toolHarness, "99", 0.2},
		{"end-to-end latency p99.9 at " + rate + ", open loop (harness)", "end-to-end", toolHarness, "99.9", 0},
		{"produce latency p99 at " + toolRate(toolKafkaProducer) + ", Kafka's ProducerPerformance (closed loop)", "produce", toolKafkaProducer, "99", 0.2},
		{"produce latency p99 at " + toolRate(toolOdradekPerf) + ", odradek producer-perf-test (open loop)", "produce", toolOdradekPerf, "99", 0.2},
		{"end-to-end latency p50, one record at a time, Kafka's EndToEndLatency", "end-to-end", toolKafkaE2E, "50", 0},
		{"end-to-end latency p99, one record at a time, Kafka's EndToEndLatency", "end-to-end", toolKafkaE2E, "99", 0},
	} {
		fk, fo := both(func(x *SystemResult) float64 {
			if l := findLatency(x, v.wl, v.tool); l != nil {
				if q, ok := l.Percentiles[v.pct]; ok {
					return q
				}
			}
			return math.NaN()
		})
		add("fixed rate", row{name: v.name, unit: "ms", dir: lowerBetter, goal: v.goal, zeroOK: true}, fk, fo)
	}
	for _, v := range []struct{ name, wl, tool, lim string }{
		{"consume, cold log (page cache evicted, server restarted)", "consume, cold log", toolHarness, limit(ph.DiskReadDirectMiBs, "MiB/s disk read")},
		{"consume, warm log", "consume, warm log", toolHarness, limit(math.Min(ph.DiskReadCachedMiBs, ph.LoopbackMiBs), "MiB/s cached read, loopback")},
		{"consume, warm log, group, Kafka's ConsumerPerformance", "consume, warm log, group", toolKafkaConsumer, ""},
		{"consume, warm log, group, odradek consumer-perf-test", "consume, warm log, group", "odradek", ""},
	} {
		fk, fo := both(func(x *SystemResult) float64 { return findConsume(x, v.wl, v.tool) })
		add("consume", row{name: v.name, unit: "MiB/s", limit: v.lim, dir: higherBetter}, fk, fo)
	}
	np := fmt.Sprintf("%s partitions", commas(int64(s.ManyPartitions)))
	mp := func(f func(*PartitionsResult) float64) func(*SystemResult) float64 {
		return func(x *SystemResult) float64 {
			if x.ManyPartitions == nil {
				return 0
			}
			return f(x.ManyPartitions)
		}
	}
	for _, v := range []struct {
		name, unit string
		f          func(*PartitionsResult) float64
	}{
		{np + ": create until every partition has a leader", "s", func(p *PartitionsResult) float64 { return p.CreateSec }},
		{np + ": idle server CPU", "%", func(p *PartitionsResult) float64 { return p.IdleCPUPercent }},
		{np + ": idle resident memory", "MiB", func(p *PartitionsResult) float64 { return p.IdleRSSMiB }},
		{np + ": produce p99 at " + fmtRateOf(k, o) + " spread over all", "ms", func(p *PartitionsResult) float64 { return p.ActiveP99Ms }},
		{np + ": server CPU under that load", "%", func(p *PartitionsResult) float64 { return p.ActiveCPUPerc }},
		{np + ": restart until every partition has a leader", "ms", func(p *PartitionsResult) float64 { return p.RestartReadyMs }},
	} {
		fk, fo := both(mp(v.f))
		add("many partitions", row{name: v.name, unit: v.unit, dir: lowerBetter}, fk, fo)
	}
	fk, fo := both(func(x *SystemResult) float64 { return x.StartToReadyMs })
	add("start", row{name: "start to ready, empty log (exec → Metadata lists the node)", unit: "ms", dir: lowerBetter, absMax: 100}, fk, fo)
	fk, fo = both(func(x *SystemResult) float64 { return x.Extra["restart_with_data_to_ready_ms"] })
	add("consume", row{name: "restart to ready with the produce workloads' log", unit: "ms", dir: lowerBetter}, fk, fo)
	rec := func(f func(*RecoveryResult) float64) func(*SystemResult) float64 {
		return func(x *SystemResult) float64 {
			if x.Recovery == nil {
				return 0
			}
			return f(x.Recovery)
		}
	}
	logSize := recoverySize(k, o)
	fk, fo = both(rec(func(x *RecoveryResult) float64 { return x.ServeMs }))
	add("recovery", row{name: "kill -9 with " + logSize + " of log → produce and fetch on every partition again", unit: "ms", dir: lowerBetter}, fk, fo)
	fk, fo = both(rec(func(x *RecoveryResult) float64 { return x.CleanStartMs }))
	add("recovery", row{name: "clean restart with " + logSize + " of log → serving again", unit: "ms", dir: lowerBetter}, fk, fo)
	fk, fo = both(func(x *SystemResult) float64 { return x.PeakRSSMiB })
	add("max produce", row{name: "peak resident memory over all workloads", unit: "MiB", dir: lowerBetter, goal: 0.1}, fk, fo)
	prodWL := "max produce, " + toolOdradekPerf
	fk, fo = both(func(x *SystemResult) float64 {
		if u := findResource(x, prodWL); u != nil {
			return u.CPUSecPerGiB
		}
		return 0
	})
	add("max produce", row{name: "server CPU per GiB produced (odradek producer-perf-test run)", unit: "CPU-s/GiB", dir: lowerBetter}, fk, fo)
	fk, fo = both(func(x *SystemResult) float64 {
		if u := findResource(x, "consume, warm log"); u != nil {
			return u.CPUSecPerGiB
		}
		return 0
	})
	add("consume", row{name: "server CPU per GiB consumed (warm log)", unit: "CPU-s/GiB", dir: lowerBetter}, fk, fo)
	return rows
}

func limit(v float64, what string) string {
	if v <= 0 || math.IsNaN(v) {
		return ""
	}
	return fmtNum(v) + " " + what
}

func fmtRateOf(k, o *SystemResult) string {
	for _, s := range []*SystemResult{k, o} {
		if s.ManyPartitions != nil && s.ManyPartitions.ActiveRate > 0 {
			return commas(int64(s.ManyPartitions.ActiveRate)) + " records/s"
		}
	}
	return "a fixed rate"
}

func recoverySize(k, o *SystemResult) string {
	gib := func(n int64) string { return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)) }
	var sizes []string
	for _, s := range []*SystemResult{k, o} {
		r := s.Recovery
		switch {
		case r == nil || r.LogBytes == 0:
		case r.TopicBytes > 0:
			sizes = append(sizes, gib(r.TopicBytes)+" just written, "+gib(r.LogBytes)+" in all")
		default:
			sizes = append(sizes, gib(r.LogBytes))
		}
	}
	if len(sizes) == 0 {
		return "a filled log"
	}
	if len(sizes) == 2 && sizes[0] != sizes[1] {
		return sizes[0] + " (Kafka) / " + sizes[1] + " (Odradek)"
	}
	return sizes[0]
}

func writeMethod(b *strings.Builder, r *Run) {
	ph := r.Physical
	s := r.Settings
	b.WriteString("How it was measured:\n\n")
	fmt.Fprintf(b, "- Physical limits, same script, same filesystem as the data dirs (%s of data): dd write with O_DIRECT %s MiB/s, "+
		"buffered write + fdatasync %s MiB/s, O_DIRECT read %s MiB/s, page-cache read %s MiB/s; loopback TCP %s MiB/s over %d connection(s).%s\n",
		fmtBytes(ph.DiskTestBytes), fmtNum(ph.DiskWriteDirectMiBs), fmtNum(ph.DiskWriteBufferedMiBs), fmtNum(ph.DiskReadDirectMiBs),
		fmtNum(ph.DiskReadCachedMiBs), fmtNum(ph.LoopbackMiBs), ph.LoopbackConns, errNote(ph.Error))
	fmt.Fprintf(b, "- Kafka heap: `-Xms%s -Xmx%s`, kafka-server-start.sh's default; Kafka's docs suggest 6 GB with G1 for production "+
		"brokers, which would only add unused heap to its resident memory on this workload.\n", s.KafkaHeap, s.KafkaHeap)
	b.WriteString("- Max produce: each producer is its own process (ProducerPerformance or `odradek producer-perf-test`, `--throughput -1`); " +
		"throughput is the sum of the processes' rates. The harness rows use one franz-go client per producer in one process; " +
		"keyed records take one of 4,096 keys at random.\n")
	fmt.Fprintf(b, "- Fixed rate: %s records/s (half of Kafka's best unkeyed maximum above, whichever client reached it) for %.0f s. "+
		"The harness sends open loop: record i is due at start + i/rate whatever happened before, latency counts from that "+
		"intended time (no coordinated omission) and the first tenth of the run is warm-up. End-to-end latency is intended send "+
		"time to receipt by a consumer reading the topic, the same franz-go client for both systems. "+
		"`odradek producer-perf-test` also measures from the intended time; Kafka's ProducerPerformance measures from the send() "+
		"call and its throttle sleeps when behind, so a stall delays later sends instead of showing in their latency. "+
		"EndToEndLatency sends the next record only after consuming the last, a round trip on an otherwise idle server, in whole ms.\n",
		commas(int64(math.Round(s.FixedRate))), s.FixedRateSeconds)
	b.WriteString("- Consume: the cold read follows a clean restart after the log's pages were dropped from the page cache " +
		"(posix_fadvise DONTNEED on every file of the data dir, not a machine-wide drop); the warm read repeats it. " +
		"Group rows use each tool's consumer group.\n")
	fmt.Fprintf(b, "- Recovery: the log is filled with big batches and acks=1 (target %s, actual size in the row), the server "+
		"is killed with SIGKILL straight away and the clock runs from the restart's exec until one acks=all record has been "+
		"produced to and fetched from every partition. The size counts segment files; the other workloads' topics, deleted or not, "+
		"are still on disk. Both systems fence the restarted broker until its old session times out "+
		"(broker.session.timeout.ms, 9 s by default), which is most of both restart times.\n", fmtBytes(s.RecoveryTarget))
	fmt.Fprintf(b, "- Both servers ran with an open-file limit of %s (RLIMIT_NOFILE, inherited from the harness).\n", commas(int64(s.OpenFilesLimit)))
	b.WriteString("- Memory is the largest sum of VmRSS over the server processes, sampled every 200 ms; CPU is utime+stime " +
		"from /proc/<pid>/stat over the workload. Client processes run on the same cores.\n")
	for _, n := range r.Notes {
		fmt.Fprintf(b, "- %s\n", n)
	}
	b.WriteString("\n")
}

func errNote(e string) string {
	if e == "" {
		return ""
	}
	return " (" + shorten(e, 200) + ")"
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// writeCommands lists the server settings and one command line of each kind
// the run executed, with the machine-specific paths shortened.
func writeCommands(b *strings.Builder, r *Run) {
	b.WriteString("Commands (`make bench` runs all of them; `$DATA` is the run's temporary data dir, `$LIB` the Kafka jars, bench/lib):\n\n```sh\n")
	b.WriteString("go run ./bench/sidebyside -profile " + r.Profile + "\n")
	b.WriteString("# server.properties, both systems (plus node.id, listeners, log.dirs; Odradek also http.listener=127.0.0.1:0)\n")
	for _, l := range r.Settings.ServerProperties {
		b.WriteString("#   " + l + "\n")
	}
	seen := map[string]bool{}
	for _, c := range r.Commands {
		key := commandKind(c)
		if seen[key] {
			continue
		}
		seen[key] = true
		b.WriteString(shortenPaths(c, r.Machine.DataDir) + "\n")
	}
	b.WriteString("```\n")
}

// commandKind groups command lines by program, Kafka class or subcommand.
func commandKind(c string) string {
	f := strings.Fields(c)
	if len(f) == 0 {
		return ""
	}
	key := filepath.Base(f[0])
	for i, a := range f {
		switch {
		case strings.HasPrefix(a, "org.apache.kafka.") || a == "kafka.Kafka" || a == "kafka.tools.StorageTool":
			return key + " " + a
		case i == 1 && !strings.HasPrefix(a, "-"):
			key += " " + a
		case strings.HasPrefix(a, "oflag=") || strings.HasPrefix(a, "iflag=") || strings.HasPrefix(a, "conv="):
			key += " " + a
		}
	}
	return key
}

// shortenPaths replaces machine-specific paths with $DATA, $LIB and
// repo-relative ones; applying it twice changes nothing.
func shortenPaths(c, dataDir string) string {
	f := strings.Fields(c)
	for i, a := range f {
		if dataDir != "" && strings.Contains(a, dataDir) {
			a = strings.ReplaceAll(a, dataDir, "$DATA")
		}
		if j := strings.Index(a, "test/interop/lib"); j >= 0 {
			a = "$LIB" + a[j+len("test/interop/lib"):]
		}
		if j := strings.Index(a, "test/interop/java/"); j >= 0 {
			a = strings.SplitN(a, "=", 2)[0] + "=" + a[j:]
		}
		if strings.HasSuffix(a, "/bin/odradek") {
			a = "bin/odradek"
		}
		if j := strings.Index(a, "bench/lib"); j >= 0 && strings.HasPrefix(a, "/") {
			a = "$LIB" + a[j+len("bench/lib"):]
		}
		if strings.Contains(a, "*") && !strings.HasPrefix(a, "'") {
			a = "'" + a + "'"
		}
		f[i] = a
	}
	return strings.Join(f, " ")
}
