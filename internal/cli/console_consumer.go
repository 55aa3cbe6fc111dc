package cli

// kafka-console-consumer: consumes a topic and prints records with Kafka's
// DefaultMessageFormatter layout. Without --group it reads partitions
// directly (no consumer group); with --group it joins the group.

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func init() {
	register(newConsoleConsumerCmd)
	registerAlias("kafka-console-consumer", "console-consumer")
}

var defaultFormatters = map[string]bool{
	"kafka.tools.DefaultMessageFormatter":                     true,
	"org.apache.kafka.tools.consumer.DefaultMessageFormatter": true,
}

type consoleConsumerOpts struct {
	topic, include             string
	partition                  int32
	offset                     string
	consumerProps, consumerCfg []string
	formatter                  string
	formatterProps             []string
	formatterConfig            []string
	fromBeginning              bool
	maxMessages                int
	timeoutMs                  int64
	skipOnError                bool
	bootstrap                  string
	keyDeserializer            string
	valueDeserializer          string
	systestEvents              bool
	isolationLevel             string
	group                      string
}

func newConsoleConsumerCmd() *cobra.Command {
	o := &consoleConsumerOpts{}
	cmd := &cobra.Command{
		Use:   "console-consumer",
		Short: "Read data from topics and write it to standard output (kafka-console-consumer)",
	}
	f := cmd.Flags()
	f.StringVar(&o.topic, "topic", "", "The topic to consume from.")
	f.StringVar(&o.include, "include", "", "Regular expression specifying list of topics to include for consumption.")
	f.Int32Var(&o.partition, "partition", 0, "The partition to consume from. Consumption starts from the end of the partition unless '--offset' is specified.")
	f.StringVar(&o.offset, "offset", "latest", "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end.")
	f.StringArrayVar(&o.consumerProps, "consumer-property", nil, "Consumer config properties in the form key=value.")
	f.StringArrayVar(&o.consumerProps, "command-property", nil, "Same as --consumer-property, which it replaces.")
	f.StringArrayVar(&o.consumerCfg, "consumer.config", nil, "Consumer config properties file; --consumer-property takes precedence.")
	f.StringArrayVar(&o.consumerCfg, "command-config", nil, "Same as --consumer.config, which it replaces.")
	f.StringVar(&o.formatter, "formatter", "org.apache.kafka.tools.consumer.DefaultMessageFormatter", "The formatter class; only the default formatter is available.")
	f.StringArrayVar(&o.formatterProps, "property", nil, "Formatter properties: print.timestamp, print.key, print.offset, print.epoch, print.delivery, print.partition, print.headers, print.value, key.separator, line.separator, headers.separator, null.literal, key.deserializer, value.deserializer, headers.deserializer.")
	f.StringArrayVar(&o.formatterProps, "formatter-property", nil, "Same as --property, which it replaces.")
	f.StringArrayVar(&o.formatterConfig, "formatter-config", nil, "Config properties file to initialize the message formatter; --property takes precedence.")
	f.BoolVar(&o.fromBeginning, "from-beginning", false, "If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.")
	f.IntVar(&o.maxMessages, "max-messages", -1, "The maximum number of messages to consume before exiting. If not set, consumption is continual.")
	f.Int64Var(&o.timeoutMs, "timeout-ms", -1, "If specified, exit if no message is available for consumption for the specified interval.")
	f.BoolVar(&o.skipOnError, "skip-message-on-error", false, "If there is an error when processing a message, skip it instead of halt.")
	f.StringVar(&o.bootstrap, "bootstrap-server", "", "REQUIRED: The server(s) to connect to.")
	f.StringVar(&o.keyDeserializer, "key-deserializer", "", "The name of the class to use for deserializing keys.")
	f.StringVar(&o.valueDeserializer, "value-deserializer", "", "The name of the class to use for deserializing values.")
	f.BoolVar(&o.systestEvents, "enable-systest-events", false, "Log lifecycle events of the consumer (system tests only; accepted and ignored).")
	f.StringVar(&o.isolationLevel, "isolation-level", "read_uncommitted", "Set to read_committed in order to filter out transactional messages which are not committed.")
	f.StringVar(&o.group, "group", "", "The consumer group id of the consumer.")
	return kafkaTool(cmd, func(cmd *cobra.Command) error { return runConsoleConsumer(cmd, o) })
}

// startOffset is where direct (group-less) consumption begins.
func (o *consoleConsumerOpts) startOffset(cmd *cobra.Command) (kgo.Offset, error) {
	if cmd.Flags().Changed("offset") {
		switch strings.ToLower(o.offset) {
		case "earliest":
			return kgo.NewOffset().AtStart(), nil
		case "latest":
			return kgo.NewOffset().AtEnd(), nil
		}
		n, err := strconv.ParseInt(o.offset, 10, 64)
		if err != nil || n < 0 {
			return kgo.Offset{}, fmt.Errorf("the provided offset value '%s' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long", o.offset)
		}
		return kgo.NewOffset().At(n), nil
	}
	if o.fromBeginning {
		return kgo.NewOffset().AtStart(), nil
	}
	return kgo.NewOffset().AtEnd(), nil
}

// Without --offset, a single partition starts where auto.offset.reset says.
func startFromReset(props map[string]string, fallback kgo.Offset) kgo.Offset {
	switch strings.ToLower(strings.TrimSpace(props["auto.offset.reset"])) {
	case "earliest":
		return kgo.NewOffset().AtStart()
	case "latest":
		return kgo.NewOffset().AtEnd()
	}
	return fallback
}

func (o *consoleConsumerOpts) validate(cmd *cobra.Command) error {
	set := cmd.Flags().Changed
	if (o.topic == "") == (o.include == "") {
		return errors.New("exactly one of --topic or --include must be specified")
	}
	if set("partition") {
		if o.topic == "" {
			return errors.New("the topic is required when partition is specified")
		}
		if o.fromBeginning && set("offset") {
			return errors.New("options from-beginning and offset cannot be specified together")
		}
	} else if set("offset") {
		return errors.New("the partition is required when offset is specified")
	}
	if o.bootstrap == "" {
		return errors.New(`missing required argument "[bootstrap-server]"`)
	}
	if !defaultFormatters[o.formatter] {
		return fmt.Errorf("formatter %q is not available: only org.apache.kafka.tools.consumer.DefaultMessageFormatter is supported", o.formatter)
	}
	return nil
}

// consumerProperties merges the consumer config file and properties and
// applies the tool's own options, as ConsoleConsumerOptions does.
func (o *consoleConsumerOpts) consumerProperties(cmd *cobra.Command) (map[string]string, string, error) {
	props := map[string]string{}
	for _, path := range o.consumerCfg {
		file, err := loadProperties(path)
		if err != nil {
			return nil, "", err
		}
		props = mergeProps(props, file)
	}
	kv, err := parseKeyValueArgs(o.consumerProps)
	if err != nil {
		return nil, "", err
	}
	props = mergeProps(props, kv)

	groups := map[string]bool{}
	if o.group != "" {
		groups[o.group] = true
	}
	if g, ok := props["group.id"]; ok {
		groups[g] = true
	}
	if len(groups) > 1 {
		return nil, "", errors.New("the group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match")
	}
	group := ""
	for g := range groups {
		group = g
	}
	if group != "" && cmd.Flags().Changed("partition") {
		return nil, "", errors.New("options group and partition cannot be specified together")
	}
	if reset, ok := props["auto.offset.reset"]; ok {
		if o.fromBeginning && reset != "earliest" {
			return nil, "", fmt.Errorf("can't simultaneously specify --from-beginning and 'auto.offset.reset=%s', please remove one option", reset)
		}
	} else if o.fromBeginning {
		props["auto.offset.reset"] = "earliest"
	} else {
		props["auto.offset.reset"] = "latest"
	}
	if _, ok := props["client.id"]; !ok {
		props["client.id"] = "console-consumer"
	}
	if _, ok := props["isolation.level"]; !ok || cmd.Flags().Changed("isolation-level") {
		props["isolation.level"] = o.isolationLevel
	}
	if group != "" {
		props["group.id"] = group
	}
	return props, group, nil
}

func runConsoleConsumer(cmd *cobra.Command, o *consoleConsumerOpts) error {
	err := checkRenamed(cmd, "Option --%s is deprecated and will be removed in a future version. Use --%s instead.",
		"options --%s and --%s cannot be specified together",
		renamedOption{"consumer-property", "command-property"}, renamedOption{"consumer.config", "command-config"},
		renamedOption{"property", "formatter-property"})
	if err != nil {
		return err
	}
	if err := o.validate(cmd); err != nil {
		return err
	}
	start, err := o.startOffset(cmd)
	if err != nil {
		return err
	}
	fmtProps := map[string]string{}
	for _, path := range o.formatterConfig {
		file, err := loadProperties(path)
		if err != nil {
			return err
		}
		fmtProps = mergeProps(fmtProps, file)
	}
	if o.keyDeserializer != "" {
		fmtProps["key.deserializer"] = o.keyDeserializer
	}
	if o.valueDeserializer != "" {
		fmtProps["value.deserializer"] = o.valueDeserializer
	}
	kv, err := parseKeyValueArgs(o.formatterProps)
	if err != nil {
		return err
	}
	formatter, err := newMessageFormatter(mergeProps(fmtProps, kv))
	if err != nil {
		return err
	}
	props, group, err := o.consumerProperties(cmd)
	if err != nil {
		return err
	}

	var extra []kgo.Opt
	switch {
	case group != "":
		// Commit only what was printed, so --max-messages never skips records
		// for the next consumer of the group.
		if !strings.EqualFold(strings.TrimSpace(props["enable.auto.commit"]), "false") {
			extra = append(extra, kgo.AutoCommitMarks())
		}
		if o.include != "" {
			extra = append(extra, kgo.ConsumeTopics(o.include), kgo.ConsumeRegex())
		} else {
			extra = append(extra, kgo.ConsumeTopics(o.topic))
		}
	case cmd.Flags().Changed("partition"):
		if !cmd.Flags().Changed("offset") {
			start = startFromReset(props, start)
		}
		extra = append(extra, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{o.topic: {o.partition: start}}))
	case o.include != "":
		// auto.offset.reset (from --from-beginning unless given) sets the start.
		extra = append(extra, kgo.ConsumeTopics(o.include), kgo.ConsumeRegex())
	default:
		extra = append(extra, kgo.ConsumeTopics(o.topic))
	}
	if group == "" {
		// Without a group there is nothing to commit; group-only
		// properties would make kgo reject the configuration.
		for _, k := range []string{"enable.auto.commit", "auto.commit.interval.ms", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "group.instance.id"} {
			delete(props, k)
		}
	}
	cl, err := newClient(cmd, o.bootstrap, props, roleConsumer, extra...)
	if err != nil {
		return err
	}
	defer cl.Close()

	ctx, stop := signal.NotifyContext(cmdContext(cmd), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := bufio.NewWriterSize(cmd.OutOrStdout(), 64*1024)
	count, err := consumeAndPrint(ctx, cl, o, formatter, out, cmd.ErrOrStderr(), group != "")
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write standard output: %w", ferr)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "Processed a total of %d messages\n", count)
	return err
}

// consumeAndPrint polls until --max-messages, --timeout-ms of silence, or
// cancellation, printing each record.
func consumeAndPrint(ctx context.Context, cl *kgo.Client, o *consoleConsumerOpts, f *messageFormatter, out *bufio.Writer, warn io.Writer, grouped bool) (int, error) {
	count := 0
	warned := map[string]bool{}
	for o.maxMessages < 0 || count < o.maxMessages {
		// Records already printed reach the terminal before we block again.
		if err := out.Flush(); err != nil {
			return count, fmt.Errorf("write standard output: %w", err)
		}
		pollCtx, cancel := ctx, context.CancelFunc(func() {})
		if o.timeoutMs >= 0 {
			pollCtx, cancel = context.WithTimeout(ctx, time.Duration(o.timeoutMs)*time.Millisecond)
		}
		fetches := cl.PollRecords(pollCtx, maxInt(o.maxMessages-count))
		timedOut := pollCtx.Err() != nil && ctx.Err() == nil
		cancel()
		if ctx.Err() != nil {
			return count, nil // interrupted: report the count and exit cleanly
		}
		if fetches.IsClientClosed() {
			return count, nil
		}
		var fetchErr error
		fetches.EachError(func(t string, p int32, err error) {
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				return
			}
			if kerr.IsRetriable(err) {
				// The client retries these itself (leader moves, topic
				// still being created); the Java tool only logs them.
				if msg := fmt.Sprintf("WARN consume %s partition %d: %v (retrying)", t, p, err); !warned[msg] {
					warned[msg] = true // once each, not on every retry
					fmt.Fprintln(warn, msg)
				}
				return
			}
			if fetchErr == nil {
				fetchErr = fmt.Errorf("consume %s partition %d: %w", t, p, err)
			}
		})
		if fetchErr != nil {
			return count, fetchErr
		}
		if fetches.NumRecords() == 0 && timedOut {
			// Kafka's tool logs the timeout and exits normally.
			return count, nil
		}
		for _, r := range fetches.Records() {
			if err := f.write(out, r); err != nil {
				if !o.skipOnError {
					return count, fmt.Errorf("write record: %w", err)
				}
				continue
			}
			count++
			if grouped {
				cl.MarkCommitRecords(r)
			}
			if o.maxMessages >= 0 && count >= o.maxMessages {
				break
			}
		}
	}
	return count, nil
}

func maxInt(n int) int {
	if n < 0 {
		return -1 // no limit
	}
	return n
}

// messageFormatter prints records as Kafka's DefaultMessageFormatter does.
type messageFormatter struct {
	printTimestamp, printKey, printValue    bool
	printPartition, printOffset             bool
	printDelivery, printEpoch, printHeaders bool
	keySep, lineSep, headersSep, nullLit    []byte
	keyDeser, valueDeser, headersDeser      deserializer
}

type deserializer func([]byte) ([]byte, error)

func newMessageFormatter(props map[string]string) (*messageFormatter, error) {
	f := &messageFormatter{printValue: true, keySep: []byte("\t"), lineSep: []byte("\n"), headersSep: []byte(","), nullLit: []byte("null")}
	bools := map[string]*bool{
		"print.timestamp": &f.printTimestamp, "print.key": &f.printKey, "print.offset": &f.printOffset,
		"print.delivery": &f.printDelivery, "print.epoch": &f.printEpoch, "print.partition": &f.printPartition, "print.headers": &f.printHeaders,
		"print.value": &f.printValue,
	}
	for k, p := range bools {
		if v, ok := props[k]; ok {
			*p = strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	strs := map[string]*[]byte{"key.separator": &f.keySep, "line.separator": &f.lineSep, "headers.separator": &f.headersSep, "null.literal": &f.nullLit}
	for k, p := range strs {
		if v, ok := props[k]; ok {
			*p = []byte(v)
		}
	}
	for k, p := range map[string]*deserializer{"key.deserializer": &f.keyDeser, "value.deserializer": &f.valueDeser, "headers.deserializer": &f.headersDeser} {
		if v, ok := props[k]; ok {
			d, err := deserializerFor(v)
			if err != nil {
				return nil, err
			}
			*p = d
		}
	}
	return f, nil
}

var deserializerClass = regexp.MustCompile(`^org\.apache\.kafka\.common\.serialization\.(\w+)Deserializer$`)

// deserializerFor maps Kafka's built-in deserializer classes onto Go; custom
// classes cannot be loaded and are rejected.
func deserializerFor(class string) (deserializer, error) {
	m := deserializerClass.FindStringSubmatch(strings.TrimSpace(class))
	if m == nil {
		return nil, fmt.Errorf("deserializer %q is not available: only org.apache.kafka.common.serialization built-in deserializers are supported", class)
	}
	fixed := func(n int, conv func([]byte) string) deserializer {
		return func(b []byte) ([]byte, error) {
			if len(b) != n {
				return nil, fmt.Errorf("%sDeserializer: size of data received is %d, not %d", m[1], len(b), n)
			}
			return []byte(conv(b)), nil
		}
	}
	switch m[1] {
	case "String", "ByteArray", "Bytes", "ByteBuffer", "UUID":
		return func(b []byte) ([]byte, error) { return b, nil }, nil
	case "Void":
		return func([]byte) ([]byte, error) { return []byte("null"), nil }, nil
	case "Short":
		return fixed(2, func(b []byte) string { return strconv.Itoa(int(int16(binary.BigEndian.Uint16(b)))) }), nil
	case "Integer":
		return fixed(4, func(b []byte) string { return strconv.Itoa(int(int32(binary.BigEndian.Uint32(b)))) }), nil
	case "Long":
		return fixed(8, func(b []byte) string { return strconv.FormatInt(int64(binary.BigEndian.Uint64(b)), 10) }), nil
	case "Float":
		return fixed(4, func(b []byte) string { return javaDouble(float64(math.Float32frombits(binary.BigEndian.Uint32(b)))) }), nil
	case "Double":
		return fixed(8, func(b []byte) string { return javaDouble(math.Float64frombits(binary.BigEndian.Uint64(b))) }), nil
	}
	return nil, fmt.Errorf("deserializer %q is not available", class)
}

func (f *messageFormatter) bytes(b []byte, d deserializer) ([]byte, error) {
	if b == nil {
		b = f.nullLit
	}
	if d == nil {
		return b, nil
	}
	return d(b)
}

// write prints one record: each enabled column followed by key.separator,
// the last one by line.separator.
func (f *messageFormatter) write(out io.Writer, r *kgo.Record) error {
	var buf []byte
	sep := func(more bool) {
		if more {
			buf = append(buf, f.keySep...)
		} else {
			buf = append(buf, f.lineSep...)
		}
	}
	if f.printTimestamp {
		switch r.Attrs.TimestampType() {
		case 0:
			buf = append(buf, "CreateTime:"+strconv.FormatInt(r.Timestamp.UnixMilli(), 10)...)
		case 1:
			buf = append(buf, "LogAppendTime:"+strconv.FormatInt(r.Timestamp.UnixMilli(), 10)...)
		default:
			buf = append(buf, "NO_TIMESTAMP"...)
		}
		sep(f.printPartition || f.printOffset || f.printDelivery || f.printEpoch || f.printHeaders || f.printKey || f.printValue)
	}
	if f.printPartition {
		buf = append(buf, "Partition:"+strconv.Itoa(int(r.Partition))...)
		sep(f.printOffset || f.printDelivery || f.printEpoch || f.printHeaders || f.printKey || f.printValue)
	}
	if f.printOffset {
		buf = append(buf, "Offset:"+strconv.FormatInt(r.Offset, 10)...)
		sep(f.printDelivery || f.printEpoch || f.printHeaders || f.printKey || f.printValue)
	}
	if f.printDelivery {
		buf = append(buf, "Delivery:NOT_PRESENT"...) // only share groups count deliveries
		sep(f.printEpoch || f.printHeaders || f.printKey || f.printValue)
	}
	if f.printEpoch {
		if r.LeaderEpoch >= 0 {
			buf = append(buf, "Epoch:"+strconv.Itoa(int(r.LeaderEpoch))...)
		} else {
			buf = append(buf, "Epoch:NOT_PRESENT"...)
		}
		sep(f.printHeaders || f.printKey || f.printValue)
	}
	if f.printHeaders {
		if len(r.Headers) == 0 {
			buf = append(buf, "NO_HEADERS"...)
		}
		for i, h := range r.Headers {
			v, err := f.bytes(h.Value, f.headersDeser)
			if err != nil {
				return fmt.Errorf("header %s: %w", h.Key, err)
			}
			buf = append(buf, h.Key+":"...)
			buf = append(buf, v...)
			if i < len(r.Headers)-1 {
				buf = append(buf, f.headersSep...)
			}
		}
		sep(f.printKey || f.printValue)
	}
	if f.printKey {
		k, err := f.bytes(r.Key, f.keyDeser)
		if err != nil {
			return fmt.Errorf("key: %w", err)
		}
		buf = append(buf, k...)
		sep(f.printValue)
	}
	if f.printValue {
		v, err := f.bytes(r.Value, f.valueDeser)
		if err != nil {
			return fmt.Errorf("value: %w", err)
		}
		buf = append(buf, v...)
		buf = append(buf, f.lineSep...)
	}
	_, err := out.Write(buf)
	return err
}
