package cli

// kafka-consumer-perf-test: consumes --messages records as a group member and
// reports throughput, rebalance time and fetch time in the CSV-like layout of
// Kafka's ConsumerPerformance.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/odradek/odradek/internal/clock"
	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func init() {
	register(newConsumerPerfCmd)
	registerAlias("kafka-consumer-perf-test", "consumer-perf-test")
}

type consumerPerfOpts struct {
	bootstrap, topic, include string
	group                     string
	fetchSize                 int
	fromLatest                bool
	socketBuffer              int
	consumerConfig            string
	commandConfig             string
	commandProps              []string
	printMetrics              bool
	detailed                  bool
	timeoutMs                 int64
	messages                  int64
	reportingInterval         int64
	dateFormat                string
	hideHeader                bool
}

func newConsumerPerfCmd() *cobra.Command {
	o := &consumerPerfOpts{}
	cmd := &cobra.Command{
		Use:   "consumer-perf-test",
		Short: "Measure consumer throughput (kafka-consumer-perf-test)",
	}
	f := cmd.Flags()
	f.StringVar(&o.bootstrap, "bootstrap-server", "", "REQUIRED: The server(s) to connect to.")
	f.StringVar(&o.topic, "topic", "", "The topic to consume from.")
	f.StringVar(&o.include, "include", "", "Regular expression specifying list of topics to include for consumption.")
	f.StringVar(&o.group, "group", fmt.Sprintf("perf-consumer-%d", rand.IntN(100_000)), "The group id to consume on.")
	f.IntVar(&o.fetchSize, "fetch-size", 1024*1024, "The amount of data to fetch in a single request (max.partition.fetch.bytes).")
	f.BoolVar(&o.fromLatest, "from-latest", false, "If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message.")
	f.IntVar(&o.socketBuffer, "socket-buffer-size", 2*1024*1024, "The size of the tcp RECV size.")
	f.StringVar(&o.consumerConfig, "consumer.config", "", "(DEPRECATED) Consumer config properties file. Use --command-config instead.")
	f.StringVar(&o.commandConfig, "command-config", "", "Config properties file.")
	f.StringArrayVar(&o.commandProps, "command-property", nil, "Kafka consumer related configuration properties like client.id (prop1=val1). These configs take precedence over those passed via --command-config or --consumer.config.")
	f.BoolVar(&o.printMetrics, "print-metrics", false, "Print out the metrics.")
	f.BoolVar(&o.detailed, "show-detailed-stats", false, "If set, stats are reported for each reporting interval as configured by reporting-interval.")
	f.Int64Var(&o.timeoutMs, "timeout", 10_000, "The maximum allowed time in milliseconds between returned records.")
	f.Lookup("timeout").NoOptDefVal = "10000"
	f.Int64Var(&o.messages, "num-records", 0, "REQUIRED: The number of records to consume.")
	f.Int64Var(&o.messages, "messages", 0, "(DEPRECATED) The number of records to consume. Use --num-records instead.")
	f.Int64Var(&o.reportingInterval, "reporting-interval", 5000, "Interval in milliseconds at which to print progress info.")
	f.StringVar(&o.dateFormat, "date-format", "yyyy-MM-dd HH:mm:ss:SSS", "The date format to use for formatting the time field (java.text.SimpleDateFormat patterns).")
	f.BoolVar(&o.hideHeader, "hide-header", false, "If set, skips printing the header for the stats.")
	return kafkaTool(cmd, func(cmd *cobra.Command) error { return runConsumerPerf(cmd, o) })
}

// javaDateLayout converts a java.text.SimpleDateFormat pattern into a Go
// time layout for the letters the perf tools use.
func javaDateLayout(pattern string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			if i+1 < len(pattern) && pattern[i+1] == '\'' { // '' is a literal quote
				b.WriteByte('\'')
				i += 2
				continue
			}
			i++
			for {
				if i >= len(pattern) {
					return "", fmt.Errorf("invalid --date-format %q: unterminated quote", pattern)
				}
				if pattern[i] == '\'' {
					if i+1 < len(pattern) && pattern[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(pattern[i])
				i++
			}
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(pattern) && pattern[i+n] == c {
			n++
		}
		var layout string
		switch {
		case c == 'y' && n == 2:
			layout = "06"
		case c == 'y':
			layout = "2006"
		case c == 'M' && n >= 4:
			layout = "January"
		case c == 'M' && n == 3:
			layout = "Jan"
		case c == 'M':
			layout = map[bool]string{true: "01", false: "1"}[n == 2]
		case c == 'd':
			layout = map[bool]string{true: "02", false: "2"}[n == 2]
		case c == 'H':
			layout = "15" // Go has no unpadded 24-hour form
		case c == 'h':
			layout = map[bool]string{true: "03", false: "3"}[n == 2]
		case c == 'm':
			layout = map[bool]string{true: "04", false: "4"}[n == 2]
		case c == 's':
			layout = map[bool]string{true: "05", false: "5"}[n == 2]
		case c == 'S':
			layout = strings.Repeat("0", n)
		case c == 'a':
			layout = "PM"
		case c == 'E' && n >= 4:
			layout = "Monday"
		case c == 'E':
			layout = "Mon"
		case c == 'Z':
			layout = "-0700"
		case c == 'X':
			layout = "Z07:00"
		case c == 'z':
			layout = "MST"
		default:
			return "", fmt.Errorf("invalid --date-format %q: pattern letter %q is not supported", pattern, c)
		}
		if c == 'S' {
			// Go writes fractional seconds only after a '.' or ','; emit
			// milliseconds through a placeholder replaced at format time.
			layout = "\x00" + strconv.Itoa(min(n, 9))
		}
		b.WriteString(layout)
		i += n
	}
	return b.String(), nil
}

// formatJavaDate renders t with a layout from javaDateLayout.
func formatJavaDate(t time.Time, layout string) string {
	if !strings.Contains(layout, "\x00") {
		return t.Format(layout)
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(layout, 0)
		if i < 0 {
			b.WriteString(t.Format(layout))
			return b.String()
		}
		b.WriteString(t.Format(layout[:i]))
		n := int(layout[i+1] - '0')
		b.WriteString(fmt.Sprintf("%0*d", n, t.Nanosecond()/int(time.Millisecond)))
		layout = layout[i+2:]
	}
}

// javaFloat4 prints like Java's %.4f, including Infinity and NaN.
func javaFloat4(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'f', 4, 64)
}

// rebalanceTimer tracks time spent without an assignment, as Kafka's
// ConsumerPerfRebListener does.
type rebalanceTimer struct {
	mu         sync.Mutex
	clk        clock.Clock
	assigned   map[string]map[int32]bool
	joinStart  time.Time
	total      time.Duration
	sinceReset time.Duration
}

func (r *rebalanceTimer) count() int {
	n := 0
	for _, ps := range r.assigned {
		n += len(ps)
	}
	return n
}

func (r *rebalanceTimer) onAssigned(ps map[string][]int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count() == 0 {
		d := r.clk.Now().Sub(r.joinStart)
		r.total += d
		r.sinceReset += d
	}
	for t, parts := range ps {
		if r.assigned[t] == nil {
			r.assigned[t] = map[int32]bool{}
		}
		for _, p := range parts {
			r.assigned[t][p] = true
		}
	}
}

func (r *rebalanceTimer) onRevoked(ps map[string][]int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for t, parts := range ps {
		for _, p := range parts {
			delete(r.assigned[t], p)
		}
	}
	if r.count() == 0 {
		r.joinStart = r.clk.Now()
	}
}

// takeRound returns the rebalance time since the last call and resets it.
func (r *rebalanceTimer) takeRound() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.sinceReset
	r.sinceReset = 0
	return d
}

func (r *rebalanceTimer) totalTime() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

func runConsumerPerf(cmd *cobra.Command, o *consumerPerfOpts) error {
	set := cmd.Flags().Changed
	if set("messages") {
		fmt.Fprintln(cmd.ErrOrStderr(), "Warning: --messages is deprecated. Use --num-records instead.")
	} else if !set("num-records") {
		return errors.New(`missing required argument "[num-records]"`)
	}
	if set("consumer.config") {
		fmt.Fprintln(cmd.ErrOrStderr(), "Warning: --consumer.config is deprecated. Use --command-config instead.")
		if o.commandConfig == "" {
			o.commandConfig = o.consumerConfig
		}
	}
	if (o.topic == "") == (o.include == "") {
		return errors.New("exactly one of --topic or --include must be specified")
	}
	if o.bootstrap == "" {
		return errors.New(`missing required argument "[bootstrap-server]"`)
	}
	if o.reportingInterval <= 0 {
		return errors.New("reporting interval must be greater than 0")
	}
	layout, err := javaDateLayout(o.dateFormat)
	if err != nil {
		return err
	}
	props := map[string]string{}
	if o.commandConfig != "" {
		if props, err = loadProperties(o.commandConfig); err != nil {
			return err
		}
	}
	kv, err := parseKeyValueArgs(o.commandProps)
	if err != nil {
		return err
	}
	props = mergeProps(props, kv)
	props["group.id"] = o.group
	props["receive.buffer.bytes"] = strconv.Itoa(o.socketBuffer)
	props["max.partition.fetch.bytes"] = strconv.Itoa(o.fetchSize)
	props["auto.offset.reset"] = "earliest"
	if o.fromLatest {
		props["auto.offset.reset"] = "latest"
	}
	props["check.crcs"] = "false"
	if _, ok := props["client.id"]; !ok {
		props["client.id"] = "perf-consumer-client"
	}
	clk := clock.Real{}
	reb := &rebalanceTimer{clk: clk, assigned: map[string]map[int32]bool{}, joinStart: clk.Now()}
	autoCommit := !strings.EqualFold(strings.TrimSpace(props["enable.auto.commit"]), "false")
	opts := []kgo.Opt{
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { reb.onAssigned(ps) }),
		kgo.OnPartitionsRevoked(func(ctx context.Context, cl *kgo.Client, ps map[string][]int32) {
			reb.onRevoked(ps)
			if autoCommit {
				_ = cl.CommitUncommittedOffsets(ctx) // what the default revoke handler would do
			}
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, ps map[string][]int32) { reb.onRevoked(ps) }),
	}
	if o.include != "" {
		opts = append(opts, kgo.ConsumeTopics(o.include), kgo.ConsumeRegex())
	} else {
		opts = append(opts, kgo.ConsumeTopics(o.topic))
	}
	out := cmd.OutOrStdout()
	if !o.hideHeader {
		fields := "start.time, end.time"
		if o.detailed {
			fields = "time, threadId"
		}
		fmt.Fprintf(out, "%s, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n", fields)
	}
	cl, err := newClient(cmd, o.bootstrap, props, roleConsumer, opts...)
	if err != nil {
		return err
	}
	start := clk.Now()
	msgs, bytes, err := consumePerf(cmdContext(cmd), cl, o, clk, reb, out, layout)
	end := clk.Now()
	cl.Close()
	if err != nil {
		return err
	}
	if !o.detailed {
		elapsed := end.Sub(start).Seconds()
		fetchMs := end.Sub(start).Milliseconds() - reb.totalTime().Milliseconds()
		mb := float64(bytes) / (1024 * 1024)
		fmt.Fprintf(out, "%s, %s, %s, %s, %d, %s, %d, %d, %s, %s\n",
			formatJavaDate(start, layout), formatJavaDate(end, layout),
			javaFloat4(mb), javaFloat4(mb/elapsed), msgs, javaFloat4(float64(msgs)/elapsed),
			reb.totalTime().Milliseconds(), fetchMs,
			javaFloat4(mb/(float64(fetchMs)/1000)), javaFloat4(float64(msgs)/(float64(fetchMs)/1000)))
	}
	if o.printMetrics {
		fmt.Fprintf(out, "\n%-45s   %s\n", "Metric Name", "Value")
		fmt.Fprintf(out, "%-45s : %d.000\n", "consumer-fetch-manager-metrics:records-consumed-total", msgs)
		fmt.Fprintf(out, "%-45s : %d.000\n", "consumer-fetch-manager-metrics:bytes-consumed-total", bytes)
	}
	return nil
}

// consumePerf polls until --messages records arrived or none arrived for
// --timeout, printing detailed progress when asked.
func consumePerf(ctx context.Context, cl *kgo.Client, o *consumerPerfOpts, clk clock.Clock, reb *rebalanceTimer, out io.Writer, layout string) (int64, int64, error) {
	var msgs, bytes, lastMsgs, lastBytes int64
	now := clk.Now()
	lastReport, lastConsumed := now, now
	timeout := time.Duration(o.timeoutMs) * time.Millisecond
	interval := time.Duration(o.reportingInterval) * time.Millisecond
	for msgs < o.messages && now.Sub(lastConsumed) <= timeout {
		pollCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		fetches := cl.PollRecords(pollCtx, int(min(o.messages-msgs, math.MaxInt32)))
		cancel()
		if ctx.Err() != nil {
			return msgs, bytes, ctx.Err()
		}
		var fetchErr error
		fetches.EachError(func(t string, p int32, err error) {
			// Retriable errors are retried by the client; only others end the test.
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) && !kerr.IsRetriable(err) && fetchErr == nil {
				fetchErr = fmt.Errorf("consume %s partition %d: %w", t, p, err)
			}
		})
		if fetchErr != nil {
			return msgs, bytes, fetchErr
		}
		now = clk.Now()
		records := fetches.Records()
		if len(records) > 0 {
			lastConsumed = now
		}
		for _, r := range records {
			msgs++
			bytes += int64(len(r.Key) + len(r.Value))
			if now.Sub(lastReport) >= interval {
				if o.detailed {
					printConsumerProgress(out, layout, msgs, bytes, lastMsgs, lastBytes, lastReport, now, reb.takeRound())
				} else {
					reb.takeRound()
				}
				lastReport, lastMsgs, lastBytes = now, msgs, bytes
			}
		}
	}
	if msgs < o.messages {
		fmt.Fprintf(out, "WARNING: Exiting before consuming the expected number of records: timeout (%d ms) exceeded. You can use the --timeout option to increase the timeout.\n", o.timeoutMs)
	}
	return msgs, bytes, nil
}

func printConsumerProgress(out io.Writer, layout string, msgs, bytes, lastMsgs, lastBytes int64, start, end time.Time, rebalance time.Duration) {
	elapsedMs := float64(end.Sub(start).Milliseconds())
	totalMB := float64(bytes) / (1024 * 1024)
	intervalMB := float64(bytes-lastBytes) / (1024 * 1024)
	fetchMs := end.Sub(start).Milliseconds() - rebalance.Milliseconds()
	fetchMBps, fetchMsgps := 0.0, 0.0
	if fetchMs > 0 {
		fetchMBps = 1000 * intervalMB / float64(fetchMs)
		fetchMsgps = 1000 * float64(msgs-lastMsgs) / float64(fetchMs)
	}
	fmt.Fprintf(out, "%s, %d, %s, %s, %d, %s, %d, %d, %s, %s\n",
		formatJavaDate(end, layout), 0, javaFloat4(totalMB), javaFloat4(1000*intervalMB/elapsedMs),
		msgs, javaFloat4(float64(msgs-lastMsgs)/elapsedMs*1000),
		rebalance.Milliseconds(), fetchMs, javaFloat4(fetchMBps), javaFloat4(fetchMsgps))
}
