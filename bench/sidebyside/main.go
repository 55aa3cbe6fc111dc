// Command sidebyside runs Apache Kafka and Odradek in turn on this machine
// with matching settings and the same clients, measures the machine's own
// disk and loopback limits beside them, and writes a JSON file per run, the
// comparison table in docs/benchmarks.md and a latency plot. `make bench`
// runs it; see the README beside this file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

type options struct {
	profile    string
	repo       string
	odradekBin string
	kafkaLib   string
	java       string
	kafkaHeap  string
	nodes      int
	rf         int
	dataRoot   string
	outDir     string
	docs       string
	plot       string
	python     string
	systems    string
	rate       float64
	reportOnly string
	steps      string
	noFile     uint64
}

func main() {
	var o options
	flag.StringVar(&o.profile, "profile", "full", "workload sizes: full (make bench) or smoke")
	flag.StringVar(&o.repo, "repo", ".", "repository root")
	flag.StringVar(&o.odradekBin, "odradek", "bin/odradek", "odradek binary")
	flag.StringVar(&o.kafkaLib, "kafka-lib", "test/interop/lib", "directory of the Apache Kafka jars")
	flag.StringVar(&o.java, "java", "java", "java binary")
	flag.StringVar(&o.kafkaHeap, "kafka-heap", "1G", "Kafka's -Xms/-Xmx (kafka-server-start.sh's default)")
	flag.IntVar(&o.nodes, "nodes", 1, "combined broker+controller nodes per system")
	flag.IntVar(&o.rf, "replication-factor", 0, "replication factor of every topic (default: min(nodes, 3))")
	flag.StringVar(&o.dataRoot, "data-root", os.TempDir(), "where the data dirs go (the disk being measured)")
	flag.StringVar(&o.outDir, "out", "bench/results", "directory for the run's JSON file")
	flag.StringVar(&o.docs, "docs", "docs/benchmarks.md", "markdown file whose side-by-side section is regenerated (empty: none)")
	flag.StringVar(&o.plot, "plot", "docs/bench-latency.png", "latency plot to draw (empty: none)")
	flag.StringVar(&o.python, "python", "bench/.venv/bin/python", "python with matplotlib, for the plot")
	flag.StringVar(&o.systems, "systems", "kafka,odradek", "systems to run, in order")
	flag.Float64Var(&o.rate, "rate", 0, "fixed rate of the latency workload in records/s (default: half of Kafka's maximum)")
	flag.StringVar(&o.reportOnly, "report", "", "regenerate docs and plot from this JSON file instead of running")
	flag.StringVar(&o.steps, "steps", "", "comma-separated steps to run (max-produce, fixed-rate, consume, many-partitions, recovery; default all)")
	flag.Uint64Var(&o.noFile, "open-files", 262144, "open-file limit (RLIMIT_NOFILE) for both servers; Kafka's docs ask for 100,000 or more")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	path, err := run(ctx, o, func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sidebyside:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}

// run does one side-by-side run (or only the report) and returns the JSON path.
func run(ctx context.Context, o options, logf func(string, ...any)) (string, error) {
	repo, err := filepath.Abs(o.repo)
	if err != nil {
		return "", fmt.Errorf("repository path: %w", err)
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(repo, p)
	}
	if o.reportOnly != "" {
		r, err := readRun(abs(o.reportOnly))
		if err != nil {
			return "", err
		}
		return abs(o.reportOnly), publish(ctx, r, abs(o.reportOnly), abs(o.docs), abs(o.plot), abs(o.python), repo, logf)
	}
	prof, err := profileNamed(o.profile)
	if err != nil {
		return "", err
	}
	if o.nodes < 1 {
		return "", fmt.Errorf("-nodes must be at least 1, got %d", o.nodes)
	}
	rf := o.rf
	if rf == 0 {
		rf = min(o.nodes, 3)
	}
	if rf > o.nodes {
		return "", fmt.Errorf("-replication-factor %d is more than -nodes %d", rf, o.nodes)
	}
	stepf = logf
	var commands, notes []string
	steps, err := parseSteps(o.steps)
	if err != nil {
		return "", err
	}
	openFiles, err := raiseOpenFiles(o.noFile)
	if err != nil {
		notes = append(notes, err.Error())
	}
	e := &env{repo: repo, kafkaLib: abs(o.kafkaLib), odradekBin: abs(o.odradekBin), java: o.java,
		kafkaHeap: o.kafkaHeap, toolLog4j: filepath.Join(repo, "test/interop/java/log4j2.properties"), commands: &commands,
		quickJVM: prof.quickJVM, logf: logf}
	if err := e.check(); err != nil {
		return "", err
	}
	root, err := os.MkdirTemp(o.dataRoot, "odradek-bench-")
	if err != nil {
		return "", fmt.Errorf("data root: %w", err)
	}
	defer os.RemoveAll(root)

	started := time.Now()
	out := &Run{Started: started.UTC(), Profile: prof.name, Machine: describeMachine(ctx, e, root)}
	out.Settings = Settings{Nodes: o.nodes, ReplicationFactor: rf, Partitions: prof.partitions,
		RecordSize: prof.recordSize, Producers: prof.producers, ManyProducers: prof.manyProducers,
		KafkaHeap: o.kafkaHeap, KafkaJVMOpts: strings.Join(e.kafkaJVMOpts(), " "),
		KafkaVersion: e.kafkaVersion(), OdradekVersion: gitVersion(ctx, repo),
		FixedRateSeconds: prof.fixedRateSecs, RecoveryTarget: prof.recoveryBytes, ManyPartitions: prof.manyPartitions,
		OpenFilesLimit: openFiles}
	out.Settings.ServerProperties = append(commonProps([]*node{{id: 1, cport: 9093}}, rf), prof.serverProps...)

	logf("physical limits of %s", root)
	out.Physical = measurePhysical(ctx, e, root, prof.diskBytes, prof.loopback)
	r := &runner{env: e, prof: prof, root: root, nodes: o.nodes, rf: rf, rate: o.rate, toolRates: map[string]float64{}, notes: &notes, logf: logf, steps: steps}
	for _, sys := range strings.Split(o.systems, ",") {
		sys = strings.TrimSpace(sys)
		if sys != kafkaSys && sys != odradekSys {
			return "", fmt.Errorf("unknown system %q in -systems (kafka, odradek)", sys)
		}
		res := r.runSystem(ctx, sys)
		res.Version = out.Settings.KafkaVersion
		if sys == odradekSys {
			res.Version = out.Settings.OdradekVersion
		}
		out.Systems = append(out.Systems, res)
		if ctx.Err() != nil {
			break
		}
	}
	out.Settings.FixedRate = r.rate
	out.DurationSec = time.Since(started).Seconds()
	// The JSON is committed: no machine paths in it.
	for i := range commands {
		commands[i] = shortenPaths(commands[i], out.Machine.DataDir)
	}
	out.Commands = commands
	out.Notes = notes
	if err := os.MkdirAll(abs(o.outDir), 0o755); err != nil {
		return "", fmt.Errorf("results dir: %w", err)
	}
	path := filepath.Join(abs(o.outDir), started.UTC().Format("20060102T150405Z")+".json")
	if err := writeJSON(path, out); err != nil {
		return "", err
	}
	if ctx.Err() != nil {
		return path, fmt.Errorf("interrupted; partial results in %s: %w", path, ctx.Err())
	}
	return path, publish(ctx, out, path, abs(o.docs), abs(o.plot), abs(o.python), repo, logf)
}

// publish regenerates the docs table and the plot from a run.
func publish(ctx context.Context, r *Run, jsonPath, docs, plot, python, repo string, logf func(string, ...any)) error {
	if docs != "" {
		rel, err := filepath.Rel(filepath.Dir(docs), jsonPath)
		if err != nil {
			rel = jsonPath
		}
		plotRel := ""
		if plot != "" {
			plotRel, _ = filepath.Rel(filepath.Dir(docs), plot)
		}
		if err := updateDocs(docs, renderReport(r, rel, plotRel)); err != nil {
			return err
		}
	}
	if plot == "" {
		return nil
	}
	if _, err := os.Stat(python); err != nil {
		logf("no %s: skipping the plot (run bench/install-deps.sh)", python)
		return nil
	}
	cmd := exec.CommandContext(ctx, python, filepath.Join(repo, "bench/sidebyside/plot.py"), jsonPath, plot)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("plotting %s: %w\n%s", plot, err, out)
	}
	return nil
}

func (e *env) check() error {
	var errs []error
	if _, err := os.Stat(e.odradekBin); err != nil {
		errs = append(errs, fmt.Errorf("odradek binary: %w (make build)", err))
	}
	if m, _ := filepath.Glob(filepath.Join(e.kafkaLib, "kafka_2.13-*.jar")); len(m) == 0 {
		errs = append(errs, fmt.Errorf("no kafka_2.13 jar in %s (bash test/interop/install-deps.sh)", e.kafkaLib))
	}
	if _, err := exec.LookPath(e.java); err != nil {
		errs = append(errs, fmt.Errorf("java: %w", err))
	}
	return errors.Join(errs...)
}

func (e *env) kafkaVersion() string {
	m, _ := filepath.Glob(filepath.Join(e.kafkaLib, "kafka_2.13-*.jar"))
	if len(m) == 0 {
		return "unknown"
	}
	return strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m[0]), "kafka_2.13-"), ".jar")
}

func gitVersion(ctx context.Context, repo string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", repo, "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func describeMachine(ctx context.Context, e *env, dir string) Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), DataDir: dir}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kib float64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %f kB", &kib); err == nil {
			m.MemGiB = kib / (1 << 20)
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	if out, err := exec.CommandContext(ctx, e.java, "-version").CombinedOutput(); err == nil {
		m.JavaVersion = strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]
	}
	if out, err := exec.CommandContext(ctx, "df", "-T", dir).Output(); err == nil {
		if l := strings.Split(strings.TrimSpace(string(out)), "\n"); len(l) == 2 {
			if f := strings.Fields(l[1]); len(f) >= 2 {
				m.Filesystem = f[1] + " on " + f[0]
			}
		}
	}
	return m
}

// allSteps are the workloads of a run, in order.
var allSteps = []string{"max-produce", "fixed-rate", "consume", "many-partitions", "recovery"}

func parseSteps(list string) (map[string]bool, error) {
	if list == "" {
		return nil, nil
	}
	out := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if !slices.Contains(allSteps, s) {
			return nil, fmt.Errorf("unknown step %q in -steps (%s)", s, strings.Join(allSteps, ", "))
		}
		out[s] = true
	}
	return out, nil
}

// raiseOpenFiles sets the harness's open-file limit, which the servers it
// starts inherit: one partition costs a server two or more descriptors, and
// the many-partitions workload has 10,000. Raising the hard limit needs root;
// otherwise the soft limit goes as high as the hard one allows.
func raiseOpenFiles(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("reading the open-file limit: %w", err)
	}
	if lim.Cur >= want {
		return lim.Cur, nil
	}
	next := syscall.Rlimit{Cur: want, Max: max(want, lim.Max)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &next); err != nil {
		next = syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
		if err2 := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &next); err2 != nil {
			return lim.Cur, fmt.Errorf("open-file limit stays at %d: %w", lim.Cur, err2)
		}
		return lim.Max, fmt.Errorf("open-file limit raised only to the hard limit %d, not %d: %w", lim.Max, want, err)
	}
	return want, nil
}
