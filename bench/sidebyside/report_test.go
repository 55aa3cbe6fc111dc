package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUpdateDocs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		before  string
		want    string
		wantErr bool
	}{
		{
			name:   "appends a section",
			before: "# Benchmarks\n\nold numbers\n",
			want:   "# Benchmarks\n\nold numbers\n\n## Side by side with Apache Kafka\n\n" + markerBegin + "\nNEW\n" + markerEnd + "\n",
		},
		{
			name:   "replaces between markers only",
			before: "intro\n" + markerBegin + "\nOLD\n" + markerEnd + "\nanalysis\n",
			want:   "intro\n" + markerBegin + "\nNEW\n" + markerEnd + "\nanalysis\n",
		},
		{name: "one marker", before: "intro\n" + markerEnd + "\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "b.md")
			if err := os.WriteFile(path, []byte(tc.before), 0o644); err != nil {
				t.Fatal(err)
			}
			err := updateDocs(path, "NEW\n")
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			got, _ := os.ReadFile(path)
			if !tc.wantErr && string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name        string
		rw          row
		ratio       float64
		verdict     string
		goalContain string
	}{
		{"throughput win meets goal", row{dir: higherBetter, kafka: 100, odr: 250, goal: 2}, 2.5, "Odradek wins", "(met)"},
		{"throughput win misses goal", row{dir: higherBetter, kafka: 100, odr: 150, goal: 2}, 1.5, "Odradek wins", "not met"},
		{"latency loss", row{dir: lowerBetter, kafka: 10, odr: 20, goal: 0.2}, 2, "**Odradek loses**", "not met"},
		{"odradek failed", row{dir: lowerBetter, kafka: 10, oErr: "boom"}, math.NaN(), "**Odradek loses** (failed)", ""},
		{"absolute goal", row{dir: lowerBetter, kafka: 3000, odr: 40, absMax: 100, unit: "ms"}, 40.0 / 3000, "Odradek wins", "< 100 ms (met)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ratio, verdict, goal := judge(tc.rw)
			if !(ratio == tc.ratio || math.IsNaN(ratio) && math.IsNaN(tc.ratio)) || verdict != tc.verdict || !strings.Contains(goal, tc.goalContain) {
				t.Errorf("judge = %v, %q, %q; want %v, %q, goal containing %q", ratio, verdict, goal, tc.ratio, tc.verdict, tc.goalContain)
			}
		})
	}
}

func TestRenderReportMarksFailuresAndGaps(t *testing.T) {
	k := &SystemResult{Name: kafkaSys, StartToReadyMs: 3000, PeakRSSMiB: 500,
		Produce: []ProduceResult{{Workload: "max produce", Tool: toolKafkaProducer, MiBPerS: 100}}}
	o := &SystemResult{Name: odradekSys, StartToReadyMs: 20, PeakRSSMiB: 40,
		Produce: []ProduceResult{{Workload: "max produce", Tool: toolKafkaProducer, MiBPerS: 50}},
		Errors:  map[string]string{"consume": "consumer-perf-test: exit status 1"}}
	r := &Run{Started: time.Date(2026, 11, 21, 18, 0, 0, 0, time.UTC), Profile: "full", Systems: []*SystemResult{k, o},
		Settings: Settings{Producers: 4, ManyProducers: 32, FixedRate: 1000, ManyPartitions: 10000},
		Commands: []string{"/x/bin/odradek server --config /tmp/odradek-bench-1/odradek/odradek-1/server.properties"},
		Machine:  Machine{DataDir: "/tmp/odradek-bench-1"}}
	out := renderReport(r, "results/x.json", "bench-latency.png")
	for _, want := range []string{
		"| max produce, 4 producers, Kafka's ProducerPerformance | — | 100 MiB/s | 50.0 MiB/s | 0.50× | ≥ 2× (**not met**) | **Odradek loses** |",
		"| start to ready, empty log (exec → Metadata lists the node) | — | 3,000 ms | 20.0 ms | 0.01× | < 100 ms (met) | Odradek wins |",
		"failed: consumer-perf-test: exit status 1",
		"Largest gap where Odradek loses: **max produce, 4 producers, Kafka's ProducerPerformance** (2.0× worse than Kafka)",
		"bin/odradek server --config $DATA/odradek/odradek-1/server.properties",
		"![latency percentiles](bench-latency.png)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q\n%s", want, out)
		}
	}
}

func TestCommandKind(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"dd if=/dev/zero of=x bs=1M count=1 oflag=direct conv=fsync", "dd if=/dev/zero of=x bs=1M count=9 oflag=direct conv=fsync"},
		{"java -Xmx1G -cp l/* org.apache.kafka.tools.ProducerPerformance --topic a", "java -cp l/* org.apache.kafka.tools.ProducerPerformance --topic b"},
	} {
		if commandKind(tc.a) != commandKind(tc.b) {
			t.Errorf("%q and %q are different kinds", tc.a, tc.b)
		}
	}
	if commandKind("dd if=a of=b iflag=direct") == commandKind("dd if=a of=b") {
		t.Error("direct and cached dd reads are one kind")
	}
	if commandKind("odradek server --config x") == commandKind("odradek storage format") {
		t.Error("server and storage are one kind")
	}
}
