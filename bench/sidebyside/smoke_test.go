//go:build interop

package main

// The harness end to end with tiny sizes against a real Apache Kafka and
// Odradek: `make bench-smoke`, part of `make test`. It checks that the run
// completes on both systems and that the JSON and the table come out; the
// numbers of such a short run mean nothing and are not looked at.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSmokeRunsBothSystems(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(repo, "test/interop/lib")
	if m, _ := filepath.Glob(filepath.Join(lib, "kafka_2.13-*.jar")); len(m) == 0 {
		t.Fatalf("no Kafka jars in %s: run bash test/interop/install-deps.sh (make interop-deps)", lib)
	}
	bin := os.Getenv("ODRADEK_BIN")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "odradek")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/odradek/odradek/cmd/odradek").CombinedOutput(); err != nil {
			t.Fatalf("building odradek: %v\n%s", err, out)
		}
	}
	work := t.TempDir()
	docs := filepath.Join(work, "benchmarks.md")
	orig, err := os.ReadFile(filepath.Join(repo, "docs/benchmarks.md"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(docs, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	plot := ""
	python := filepath.Join(repo, "bench/.venv/bin/python")
	if _, err := os.Stat(python); err == nil {
		plot = filepath.Join(work, "latency.png")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	path, err := run(ctx, options{profile: "smoke", repo: repo, odradekBin: bin, kafkaLib: lib, java: "java",
		kafkaHeap: "1G", nodes: 1, dataRoot: work, outDir: filepath.Join(work, "results"), docs: docs,
		plot: plot, python: python, systems: "kafka,odradek"}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	r, err := readRun(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Systems) != 2 || r.Systems[0].Name != kafkaSys || r.Systems[1].Name != odradekSys {
		t.Fatalf("systems in the JSON: %+v", r.Systems)
	}
	for _, s := range r.Systems {
		for step, e := range s.Errors {
			t.Errorf("%s, %s: %s", s.Name, step, e)
		}
		if s.StartToReadyMs <= 0 || len(s.Produce) != 4 || len(s.Latency) != 5 || len(s.Consume) != 4 ||
			s.ManyPartitions == nil || s.Recovery == nil || s.PeakRSSMiB <= 0 {
			t.Errorf("%s: incomplete results: ready %.0f ms, %d produce, %d latency, %d consume, partitions %v, recovery %v, rss %.0f",
				s.Name, s.StartToReadyMs, len(s.Produce), len(s.Latency), len(s.Consume), s.ManyPartitions != nil, s.Recovery != nil, s.PeakRSSMiB)
		}
	}
	if r.Physical.DiskWriteBufferedMiBs <= 0 || r.Physical.LoopbackMiBs <= 0 {
		t.Errorf("physical limits missing: %+v", r.Physical)
	}
	got, err := os.ReadFile(docs)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(got)
	for _, want := range []string{markerBegin, markerEnd, "| workload | physical limit | Apache Kafka | Odradek |",
		"max produce, 2 producers, Kafka's ProducerPerformance", "kill -9 with", filepath.Base(path)} {
		if !strings.Contains(doc, want) {
			t.Errorf("generated docs lack %q", want)
		}
	}
	if strings.Contains(doc, "failed:") {
		t.Errorf("generated table reports failures")
	}
	// The hand-written sections around the generated one stay.
	if !strings.Contains(doc, "## Storage hot paths") {
		t.Errorf("generated docs lost the storage section")
	}
	if plot != "" {
		if st, err := os.Stat(plot); err != nil || st.Size() == 0 {
			t.Errorf("no plot at %s: %v", plot, err)
		}
	}
	t.Logf("smoke run took %.0fs", r.DurationSec)
}
