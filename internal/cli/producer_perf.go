package cli

// kafka-producer-perf-test: produces --num-records records as fast as
// allowed by --throughput and reports throughput and send->ack latency the
// way Kafka's ProducerPerformance does.
//
// Latency is measured per record from its intended send time: with a
// --throughput limit, record i is due at start + i/throughput, so time a
// record spends waiting behind a slow broker (or a full send buffer) is
// counted instead of hidden (no coordinated omission).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/odradek/odradek/internal/clock"
	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"
)

func init() {
	register(newProducerPerfCmd)
	registerAlias("kafka-producer-perf-test", "producer-perf-test")
}

const (
	// perfMaxSamples bounds the latency samples kept for percentiles; above
	// it every k-th record is sampled, as Kafka does.
	perfMaxSamples = 1_000_000
	// perfPayloadPool is how many distinct start offsets random payloads have.
	perfPayloadPool = 1 << 20
)

type producerPerfOpts struct {
	topic             string
	numRecords        int64
	recordSize        int
	payloadFile       string
	payloadDelimiter  string
	payloadMonotonic  bool
	throughput        float64
	producerProps     []string
	commandProps      []string
	producerConfig    string
	commandConfig     string
	reportingInterval int64
	bootstrap         string
	printMetrics      bool
	transactionalID   string
	transactionMs     int64
	warmupRecords     int64
}

func newProducerPerfCmd() *cobra.Command {
	o := &producerPerfOpts{}
	cmd := &cobra.Command{
		Use:   "producer-perf-test",
		Short: "Measure producer throughput and latency (kafka-producer-perf-test)",
	}
	f := cmd.Flags()
	f.StringVar(&o.topic, "topic", "", "produce messages to this topic")
	f.Int64Var(&o.numRecords, "num-records", 0, "number of messages to produce")
	f.IntVar(&o.recordSize, "record-size", 0, "message size in bytes (exactly one of --record-size, --payload-file or --payload-monotonic)")
	f.StringVar(&o.payloadFile, "payload-file", "", "file to read the message payloads from; a payload is picked at random for each record")
	f.StringVar(&o.payloadDelimiter, "payload-delimiter", `\n`, "delimiter (a regular expression) between payloads in --payload-file")
	f.BoolVar(&o.payloadMonotonic, "payload-monotonic", false, "payload is a monotonically increasing integer")
	f.Float64Var(&o.throughput, "throughput", 0, "throttle maximum message throughput to approximately THROUGHPUT messages/sec; -1 disables throttling")
	f.StringArrayVar(&o.producerProps, "producer-props", nil, "producer configuration properties: PROP-NAME=PROP-VALUE ...")
	markNargs(cmd, "producer-props")
	f.StringArrayVar(&o.commandProps, "command-property", nil, "producer configuration properties: PROP-NAME=PROP-VALUE ... (replaces --producer-props)")
	markNargs(cmd, "command-property")
	f.StringVar(&o.producerConfig, "producer.config", "", "producer config properties file")
	f.StringVar(&o.commandConfig, "command-config", "", "producer config properties file (replaces --producer.config)")
	f.Int64Var(&o.reportingInterval, "reporting-interval", 5000, "interval in milliseconds at which to print progress info")
	f.StringVar(&o.bootstrap, "bootstrap-server", "", "The server(s) to connect to; overrides bootstrap.servers in the producer properties.")
	f.BoolVar(&o.printMetrics, "print-metrics", false, "print out metrics at the end of the test")
	f.StringVar(&o.transactionalID, "transactional-id", "", "The transactional id to use; enables transactions.")
	f.Int64Var(&o.transactionMs, "transaction-duration-ms", 0, "The max age of each transaction; enables transactions (default 3000 when transactions are enabled).")
	f.Int64Var(&o.warmupRecords, "warmup-records", 0, "The number of records to treat as warmup; a separate steady-state summary follows.")
	return kafkaTool(cmd, func(cmd *cobra.Command) error { return runProducerPerf(cmd, o) })
}

func (o *producerPerfOpts) validate(cmd *cobra.Command) error {
	set := cmd.Flags().Changed
	if o.topic == "" {
		return errors.New("argument --topic is required")
	}
	if !set("num-records") {
		return errors.New("argument --num-records is required")
	}
	if !set("throughput") {
		return errors.New("argument --throughput is required")
	}
	payloads := 0
	for _, fl := range []string{"record-size", "payload-file", "payload-monotonic"} {
		if set(fl) {
			payloads++
		}
	}
	if payloads != 1 {
		return errors.New("exactly one of --record-size, --payload-file or --payload-monotonic must be specified")
	}
	if o.numRecords <= 0 {
		return errors.New("--num-records should be greater than zero")
	}
	if o.warmupRecords < 0 {
		o.warmupRecords = 0
	}
	if o.warmupRecords >= o.numRecords {
		return errors.New("the value for --warmup-records must be strictly fewer than the number of records in the test, --num-records")
	}
	if set("record-size") && o.recordSize <= 0 {
		return errors.New("--record-size should be greater than zero")
	}
	if len(o.producerProps) == 0 && len(o.commandProps) == 0 && o.producerConfig == "" && o.commandConfig == "" && o.bootstrap == "" {
		return errors.New("at least one of --bootstrap-server, --command-property, --producer-props, --producer.config or --command-config must be specified")
	}
	if set("command-property") && set("producer-props") {
		return errors.New("--command-property and --producer-props cannot be specified together")
	}
	if set("command-config") && set("producer.config") {
		return errors.New("--command-config and --producer.config cannot be specified together")
	}
	if o.reportingInterval <= 0 {
		return errors.New("--reporting-interval should be greater than zero")
	}
	if set("producer-props") {
		fmt.Fprintln(cmd.ErrOrStderr(), "Option --producer-props has been deprecated and will be removed in a future version. Use --command-property instead.")
		o.commandProps = o.producerProps
	}
	if set("producer.config") {
		fmt.Fprintln(cmd.ErrOrStderr(), "Option --producer.config has been deprecated and will be removed in a future version. Use --command-config instead.")
		o.commandConfig = o.producerConfig
	}
	if set("transaction-duration-ms") && o.transactionMs <= 0 {
		return errors.New("--transaction-duration-ms should be greater than zero")
	}
	return nil
}

// readPayloads splits the payload file on the delimiter regular expression.
func readPayloads(out io.Writer, path, delimiter string) ([][]byte, error) {
	if delimiter == `\n` {
		delimiter = "\n"
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("payload file %s: %w", path, err)
	}
	fmt.Fprintf(out, "Reading payloads from: %s\n", abs)
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return nil, fmt.Errorf("file does not exist or empty file provided: %s", path)
	}
	re, err := regexp.Compile(delimiter)
	if err != nil {
		return nil, fmt.Errorf("invalid --payload-delimiter %q: %w", delimiter, err)
	}
	var payloads [][]byte
	for _, p := range re.Split(string(data), -1) {
		if p != "" {
			payloads = append(payloads, []byte(p))
		}
	}
	fmt.Fprintf(out, "Number of records read: %d\n", len(payloads))
	if len(payloads) == 0 {
		return nil, fmt.Errorf("no payloads found in %s", path)
	}
	return payloads, nil
}

func runProducerPerf(cmd *cobra.Command, o *producerPerfOpts) error {
	if err := o.validate(cmd); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	props := map[string]string{}
	if o.commandConfig != "" {
		file, err := loadProperties(o.commandConfig)
		if err != nil {
			return err
		}
		props = mergeProps(props, file)
	}
	for _, kv := range o.commandProps {
		k, v, ok := splitPerfProp(kv)
		if !ok {
			return fmt.Errorf("invalid property: %s", kv)
		}
		props[k] = v
	}
	if _, ok := props["client.id"]; !ok {
		props["client.id"] = "perf-producer-client"
	}
	txnDuration := time.Duration(o.transactionMs) * time.Millisecond
	txnID := o.transactionalID
	if txnID == "" {
		txnID = props["transactional.id"]
	}
	transactions := txnID != "" || o.transactionMs > 0
	if transactions {
		if txnID == "" {
			txnID = fmt.Sprintf("performance-producer-%016x%016x", rand.Uint64(), rand.Uint64())
		}
		props["transactional.id"] = txnID
		if txnDuration == 0 {
			txnDuration = 3000 * time.Millisecond
		}
	}
	var payloads [][]byte
	if o.payloadFile != "" {
		var err error
		if payloads, err = readPayloads(out, o.payloadFile, o.payloadDelimiter); err != nil {
			return err
		}
	}
	cl, err := newClient(cmd, o.bootstrap, props, roleProducer, kgo.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx := cmdContext(cmd)
	run := &perfRun{
		o: o, cl: cl, clk: clock.Real{}, sleep: time.Sleep, out: out, errOut: cmd.ErrOrStderr(),
		payloads: payloads, rng: rand.New(rand.NewPCG(0, 0)),
		transactions: transactions, txnDuration: txnDuration,
	}
	return run.run(ctx)
}

// splitPerfProp splits k=v where, as in Kafka, the value may not contain '='.
func splitPerfProp(kv string) (string, string, bool) {
	k, v, ok := cutOnce(kv)
	return k, v, ok && k != ""
}

func cutOnce(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			for j := i + 1; j < len(kv); j++ {
				if kv[j] == '=' {
					return "", "", false
				}
			}
			return kv[:i], kv[i+1:], true
		}
	}
	return "", "", false
}

type perfRun struct {
	o            *producerPerfOpts
	cl           *kgo.Client
	clk          clock.Clock
	sleep        func(time.Duration)
	out, errOut  io.Writer
	payloads     [][]byte
	pool         []byte // read-only: records share it
	rng          *rand.Rand
	transactions bool
	txnDuration  time.Duration

	errMu    sync.Mutex
	failed   int64
	firstErr error
}

func (r *perfRun) payload(i int64) []byte {
	switch {
	case len(r.payloads) > 0:
		return r.payloads[r.rng.IntN(len(r.payloads))]
	case r.o.payloadMonotonic:
		return []byte(strconv.FormatInt(i, 10))
	}
	// Random uppercase letters like Kafka's payloads, cut from a pool made
	// once so that generating payloads never limits the measured producer.
	if r.pool == nil {
		r.pool = make([]byte, r.o.recordSize+perfPayloadPool)
		for j := range r.pool {
			r.pool[j] = byte('A' + r.rng.IntN(26))
		}
	}
	off := r.rng.IntN(perfPayloadPool)
	return r.pool[off : off+r.o.recordSize : off+r.o.recordSize]
}

func (r *perfRun) run(ctx context.Context) error {
	o := r.o
	if o.warmupRecords > 0 {
		fmt.Fprintf(r.out, "Warmup first %d records. Steady state results will print after the complete test summary.\n", o.warmupRecords)
	}
	interval := time.Duration(o.reportingInterval) * time.Millisecond
	stats := newPerfStats(r.clk, r.out, o.numRecords, false, interval)
	var steady *perfStats
	start := r.clk.Now()
	var pace time.Duration
	if o.throughput > 0 {
		pace = time.Duration(float64(time.Second) / o.throughput)
	}
	var txnStart time.Time
	txnSize := 0
	for i := int64(0); i < o.numRecords; i++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		value := r.payload(i)
		if r.transactions && txnSize == 0 {
			if err := r.cl.BeginTransaction(); err != nil {
				return fmt.Errorf("begin transaction: %w", err)
			}
			txnStart = r.clk.Now()
		}
		now := r.clk.Now()
		intended := now
		if pace > 0 {
			intended = start.Add(time.Duration(i) * pace)
			if wait := intended.Sub(now); wait > 0 {
				r.sleep(wait)
			}
		}
		if o.warmupRecords > 0 && i == o.warmupRecords {
			steady = newPerfStats(r.clk, r.out, o.numRecords-o.warmupRecords, true, interval)
			stats.suppress()
		}
		st, ss, size := stats, steady, len(value)
		r.cl.Produce(ctx, &kgo.Record{Topic: o.topic, Value: value}, func(_ *kgo.Record, err error) {
			if err != nil {
				r.recordError(err)
				return
			}
			done := r.clk.Now()
			st.record(done.Sub(intended), size, done)
			if ss != nil {
				ss.record(done.Sub(intended), size, done)
			}
		})
		txnSize++
		if r.transactions && r.clk.Now().Sub(txnStart) >= r.txnDuration {
			if err := r.commit(ctx); err != nil {
				return err
			}
			txnSize = 0
		}
	}
	if r.transactions && txnSize > 0 {
		if err := r.commit(ctx); err != nil {
			return err
		}
	}
	if err := r.cl.Flush(ctx); err != nil {
		return fmt.Errorf("flush records: %w", err)
	}
	stats.printTotal()
	if steady != nil {
		steady.printTotal()
	}
	if o.printMetrics {
		printPerfMetrics(r.out, r.cl, stats, r.failures())
	}
	if n := r.failures(); n > 0 {
		return fmt.Errorf("%d of %d records failed: %w", n, o.numRecords, r.firstErr)
	}
	return nil
}

func (r *perfRun) commit(ctx context.Context) error {
	if err := r.cl.Flush(ctx); err != nil {
		return fmt.Errorf("flush transaction: %w", err)
	}
	if err := r.cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

func (r *perfRun) failures() int64 {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.failed
}

func (r *perfRun) recordError(err error) {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	r.failed++
	if r.firstErr == nil {
		r.firstErr = err
		fmt.Fprintf(r.errOut, "Error sending record: %v\n", err)
	}
}

// printPerfMetrics prints the client-side metrics this tool tracks, in the
// layout of Kafka's metrics table.
func printPerfMetrics(out io.Writer, cl *kgo.Client, s *perfStats, failed int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := cl.OptValue(kgo.ClientID)
	tags := fmt.Sprintf("{client-id=%v}", id)
	avgSize := 0.0
	if s.count > 0 {
		avgSize = float64(s.bytes) / float64(s.count)
	}
	metrics := [][2]string{
		{"producer-metrics:byte-total:" + tags, strconv.FormatInt(s.bytes, 10) + ".000"},
		{"producer-metrics:record-error-total:" + tags, strconv.FormatInt(failed, 10) + ".000"},
		{"producer-metrics:record-send-total:" + tags, strconv.FormatInt(s.count, 10) + ".000"},
		{"producer-metrics:record-size-avg:" + tags, strconv.FormatFloat(avgSize, 'f', 3, 64)},
	}
	width := len("Metric Name")
	for _, m := range metrics {
		width = max(width, len(m[0]))
	}
	fmt.Fprintf(out, "\n%-*s   %s\n", width, "Metric Name", "Value")
	for _, m := range metrics {
		fmt.Fprintf(out, "%-*s : %s\n", width, m[0], m[1])
	}
}

// perfStats accumulates acknowledged records: totals, a reporting window,
// and sampled latencies for percentiles.
type perfStats struct {
	mu          sync.Mutex
	clk         clock.Clock
	out         io.Writer
	steady      bool
	quiet       bool
	start       time.Time
	windowStart time.Time
	interval    time.Duration
	sampleEvery int64
	iteration   int64
	samples     []time.Duration

	count, bytes      int64
	total, maxLatency time.Duration
	wCount, wBytes    int64
	wTotal, wMax      time.Duration
}

func newPerfStats(clk clock.Clock, out io.Writer, numRecords int64, steady bool, interval time.Duration) *perfStats {
	now := clk.Now()
	every := numRecords / min(numRecords, perfMaxSamples)
	return &perfStats{
		clk: clk, out: out, steady: steady, start: now, windowStart: now, interval: interval,
		sampleEvery: max(every, 1), samples: make([]time.Duration, 0, numRecords/max(every, 1)+1),
	}
}

func (s *perfStats) suppress() {
	s.mu.Lock()
	s.quiet = true
	s.mu.Unlock()
}

func (s *perfStats) record(latency time.Duration, bytes int, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	s.bytes += int64(bytes)
	s.total += latency
	s.maxLatency = max(s.maxLatency, latency)
	s.wCount++
	s.wBytes += int64(bytes)
	s.wTotal += latency
	s.wMax = max(s.wMax, latency)
	if s.iteration%s.sampleEvery == 0 {
		s.samples = append(s.samples, latency)
	}
	s.iteration++
	if now.Sub(s.windowStart) >= s.interval {
		if s.steady && s.count == s.wCount {
			fmt.Fprintln(s.out, "In steady state.")
		}
		if !s.quiet {
			s.printWindow(now)
		}
		s.windowStart, s.wCount, s.wBytes, s.wTotal, s.wMax = now, 0, 0, 0, 0
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (s *perfStats) printWindow(now time.Time) {
	elapsed := now.Sub(s.windowStart).Seconds()
	fmt.Fprintf(s.out, "%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.\n",
		s.wCount, float64(s.wCount)/elapsed, float64(s.wBytes)/elapsed/(1024*1024),
		ms(s.wTotal)/float64(s.wCount), ms(s.wMax))
}

// percentiles returns the latency at each quantile, in whole milliseconds.
func (s *perfStats) percentiles(qs ...float64) []int64 {
	sorted := append([]time.Duration(nil), s.samples...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	out := make([]int64, len(qs))
	for i, q := range qs {
		if len(sorted) > 0 {
			out[i] = sorted[min(int(q*float64(len(sorted))), len(sorted)-1)].Milliseconds()
		}
	}
	return out
}

func (s *perfStats) printTotal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	elapsed := s.clk.Now().Sub(s.start).Seconds()
	rate, mb, avg := 0.0, 0.0, 0.0
	if elapsed > 0 {
		rate = float64(s.count) / elapsed
		mb = float64(s.bytes) / elapsed / (1024 * 1024)
	}
	if s.count > 0 {
		avg = ms(s.total) / float64(s.count)
	}
	p := s.percentiles(0.5, 0.95, 0.99, 0.999)
	label := ""
	if s.steady {
		label = " steady state"
	}
	fmt.Fprintf(s.out, "%d%s records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.\n",
		s.count, label, rate, mb, avg, ms(s.maxLatency), p[0], p[1], p[2], p[3])
}
