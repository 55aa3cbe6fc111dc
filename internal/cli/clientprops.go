package cli

// Shared plumbing of the Kafka-compatible tools: Kafka's command-line
// conventions (single-dash long flags, unique-prefix abbreviations, optional
// and multi-valued arguments), Java .properties files, and the mapping of
// Kafka client properties onto franz-go options.

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/config"
)

// nargsAnnotation marks a flag that, like argparse's nargs="+", takes every
// following argument up to the next flag (producer-perf-test --producer-props).
const nargsAnnotation = "odradek/nargs"

// kafkaTool turns cmd into a Kafka-style tool: flags are parsed by us rather
// than by cobra, so the spellings Kafka's scripts accept keep working.
func kafkaTool(cmd *cobra.Command, run func(cmd *cobra.Command) error) *cobra.Command {
	cmd.DisableFlagParsing = true
	cmd.SilenceUsage = true
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		fs := cmd.Flags()
		if fs.Lookup("help") == nil {
			fs.BoolP("help", "h", false, "Print usage information.")
		}
		if err := fs.Parse(normalizeKafkaArgs(fs, args)); err != nil {
			return err
		}
		if help, _ := fs.GetBool("help"); help {
			return cmd.Help()
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q (options take the form --name value)", fs.Arg(0))
		}
		err := run(cmd)
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w (timed out waiting for the cluster: is --bootstrap-server reachable?)", err)
		}
		return err
	}
	return cmd
}

// markNargs declares that flag name collects all following non-flag arguments.
func markNargs(cmd *cobra.Command, name string) {
	_ = cmd.Flags().SetAnnotation(name, nargsAnnotation, []string{"true"})
}

// normalizeKafkaArgs rewrites Kafka tool arguments into what pflag parses:
// "-topic" and unique prefixes ("--bootstrap") become full "--name" flags,
// an optional-argument flag followed by a value gets "=value", and nargs
// flags are repeated once per value.
func normalizeKafkaArgs(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' || isNumber(a) {
			out = append(out, a)
			continue
		}
		body := strings.TrimLeft(a, "-")
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(body) == 1 {
			out = append(out, a) // a real shorthand such as -h
			continue
		}
		name, value, hasValue := strings.Cut(body, "=")
		f := lookupFlag(fs, name)
		if f == nil {
			out = append(out, a) // let pflag report the unknown flag
			continue
		}
		flag := "--" + f.Name
		switch {
		case hasValue:
			out = append(out, flag+"="+value)
		case f.Annotations[nargsAnnotation] != nil:
			n := 0
			for i+1 < len(args) && !looksLikeFlag(args[i+1]) {
				i++
				n++
				out = append(out, flag+"="+args[i])
			}
			if n == 0 {
				out = append(out, flag) // pflag reports the missing value
			}
		case f.NoOptDefVal != "":
			if f.Value.Type() != "bool" && i+1 < len(args) && !looksLikeFlag(args[i+1]) {
				i++
				out = append(out, flag+"="+args[i])
			} else {
				out = append(out, flag)
			}
		default:
			out = append(out, flag)
			if i+1 < len(args) {
				// Values may start with '-' (--time -1, --offset -2).
				i++
				out = append(out, args[i])
			}
		}
	}
	return out
}

func looksLikeFlag(s string) bool { return strings.HasPrefix(s, "-") && !isNumber(s) }

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// lookupFlag finds a flag by its full name or, as Kafka's option parser
// allows, by an unambiguous prefix.
func lookupFlag(fs *pflag.FlagSet, name string) *pflag.Flag {
	if f := fs.Lookup(name); f != nil {
		return f
	}
	var match *pflag.Flag
	ambiguous := false
	fs.VisitAll(func(f *pflag.Flag) {
		if strings.HasPrefix(f.Name, name) {
			if match != nil {
				ambiguous = true
			}
			match = f
		}
	})
	if ambiguous {
		return nil
	}
	return match
}

// loadProperties reads a Java .properties file (comments, "k=v", "k:v" or
// "k v", backslash continuations and escapes).
func loadProperties(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read properties file: %w", err)
	}
	defer f.Close()
	props, err := parseProperties(f)
	if err != nil {
		return nil, fmt.Errorf("properties file %s: %w", path, err)
	}
	return props, nil
}

// parseProperties reads a Java properties file with the same parser the
// server uses for server.properties.
func parseProperties(r io.Reader) (map[string]string, error) {
	text, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return config.ParseProperties(string(text))
}

// parseKeyValueArgs parses "key=value" arguments as Kafka's tools do: the
// value is everything after the first '=', and a missing value is empty.
func parseKeyValueArgs(args []string) (map[string]string, error) {
	props := map[string]string{}
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		if strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("invalid property %q: expected key=value", a)
		}
		props[k] = v
	}
	return props, nil
}

// mergeProps returns the union of layers; later layers win, as in Kafka where
// --x-property overrides --x.config.
func mergeProps(layers ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, l := range layers {
		for k, v := range l {
			out[k] = v
		}
	}
	return out
}

// clientRole selects which Kafka client properties apply.
type clientRole int

const (
	roleAdmin clientRole = iota
	roleProducer
	roleConsumer
)

type propMapper func(v string) ([]kgo.Opt, error)

// commonProps are the Kafka client properties every client understands.
var commonProps = map[string]propMapper{
	"bootstrap.servers": func(v string) ([]kgo.Opt, error) {
		seeds, err := splitBootstrap(v)
		if err != nil {
			return nil, err
		}
		return []kgo.Opt{kgo.SeedBrokers(seeds...)}, nil
	},
	"client.id": func(v string) ([]kgo.Opt, error) { return []kgo.Opt{kgo.ClientID(v)}, nil },
	"security.protocol": func(v string) ([]kgo.Opt, error) {
		if strings.EqualFold(strings.TrimSpace(v), "PLAINTEXT") {
			return nil, nil
		}
		return nil, fmt.Errorf("security.protocol=%s is not supported by this tool yet (only PLAINTEXT)", v)
	},
	"retry.backoff.ms": durationProp("retry.backoff.ms", func(d time.Duration) kgo.Opt {
		return kgo.RetryBackoffFn(func(int) time.Duration { return d })
	}),
	"metadata.max.age.ms":                durationProp("metadata.max.age.ms", func(d time.Duration) kgo.Opt { return kgo.MetadataMaxAge(d) }),
	"connections.max.idle.ms":            durationProp("connections.max.idle.ms", func(d time.Duration) kgo.Opt { return kgo.ConnIdleTimeout(d) }),
	"socket.connection.setup.timeout.ms": durationProp("socket.connection.setup.timeout.ms", func(d time.Duration) kgo.Opt { return kgo.DialTimeout(d) }),
	"request.timeout.ms":                 durationProp("request.timeout.ms", func(d time.Duration) kgo.Opt { return kgo.RequestTimeoutOverhead(d) }),
}

// producerProps are the producer properties mapped onto kgo.
var producerProps = map[string]propMapper{
	"acks": func(v string) ([]kgo.Opt, error) {
		switch strings.TrimSpace(strings.ToLower(v)) {
		case "all", "-1":
			return []kgo.Opt{kgo.RequiredAcks(kgo.AllISRAcks())}, nil
		case "1":
			return []kgo.Opt{kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite()}, nil
		case "0":
			return []kgo.Opt{kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite()}, nil
		}
		return nil, fmt.Errorf("invalid value %q for acks: expected all, -1, 0 or 1", v)
	},
	"enable.idempotence": boolProp("enable.idempotence", func(b bool) []kgo.Opt {
		if b {
			return nil
		}
		return []kgo.Opt{kgo.DisableIdempotentWrite()}
	}),
	"linger.ms":           durationProp("linger.ms", func(d time.Duration) kgo.Opt { return kgo.ProducerLinger(d) }),
	"buffer.memory":       intProp("buffer.memory", 1, func(n int) kgo.Opt { return kgo.MaxBufferedBytes(n) }),
	"retries":             intProp("retries", 0, func(n int) kgo.Opt { return kgo.RecordRetries(n) }),
	"delivery.timeout.ms": durationProp("delivery.timeout.ms", func(d time.Duration) kgo.Opt { return kgo.RecordDeliveryTimeout(d) }),
	"max.in.flight.requests.per.connection": intProp("max.in.flight.requests.per.connection", 1, func(n int) kgo.Opt {
		return kgo.MaxProduceRequestsInflightPerBroker(n)
	}),
	"compression.type": func(v string) ([]kgo.Opt, error) {
		c, err := compressionCodec(v)
		if err != nil {
			return nil, err
		}
		return []kgo.Opt{kgo.ProducerBatchCompression(c)}, nil
	},
	"transactional.id":       func(v string) ([]kgo.Opt, error) { return []kgo.Opt{kgo.TransactionalID(v)}, nil },
	"transaction.timeout.ms": durationProp("transaction.timeout.ms", func(d time.Duration) kgo.Opt { return kgo.TransactionTimeout(d) }),
	// The producer sends request.timeout.ms to the broker as the ack timeout.
	"request.timeout.ms": durationProp("request.timeout.ms", func(d time.Duration) kgo.Opt { return kgo.ProduceRequestTimeout(d) }),
	// kgo's batch limit is a hard per-batch maximum like max.request.size;
	// Kafka's batch.size is only a target, so it has no kgo counterpart.
	"max.request.size": intProp("max.request.size", 1, func(n int) kgo.Opt { return kgo.ProducerBatchMaxBytes(int32(n)) }),
}

// consumerProps are the consumer properties mapped onto kgo.
var consumerProps = map[string]propMapper{
	"group.id": func(v string) ([]kgo.Opt, error) { return []kgo.Opt{kgo.ConsumerGroup(v)}, nil },
	"auto.offset.reset": func(v string) ([]kgo.Opt, error) {
		switch strings.TrimSpace(strings.ToLower(v)) {
		case "earliest":
			return []kgo.Opt{kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, nil
		case "latest":
			return []kgo.Opt{kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd())}, nil
		case "none":
			return []kgo.Opt{kgo.ConsumeResetOffset(kgo.NoResetOffset())}, nil
		}
		return nil, fmt.Errorf("invalid value %q for auto.offset.reset: expected earliest, latest or none", v)
	},
	"isolation.level": func(v string) ([]kgo.Opt, error) {
		l, err := isolationLevel(v)
		if err != nil {
			return nil, err
		}
		return []kgo.Opt{kgo.FetchIsolationLevel(l)}, nil
	},
	"fetch.max.bytes":           intProp("fetch.max.bytes", 1, func(n int) kgo.Opt { return kgo.FetchMaxBytes(int32(n)) }),
	"max.partition.fetch.bytes": intProp("max.partition.fetch.bytes", 1, func(n int) kgo.Opt { return kgo.FetchMaxPartitionBytes(int32(n)) }),
	"fetch.min.bytes":           intProp("fetch.min.bytes", 0, func(n int) kgo.Opt { return kgo.FetchMinBytes(int32(n)) }),
	"fetch.max.wait.ms":         durationProp("fetch.max.wait.ms", func(d time.Duration) kgo.Opt { return kgo.FetchMaxWait(d) }),
	"session.timeout.ms":        durationProp("session.timeout.ms", func(d time.Duration) kgo.Opt { return kgo.SessionTimeout(d) }),
	"heartbeat.interval.ms":     durationProp("heartbeat.interval.ms", func(d time.Duration) kgo.Opt { return kgo.HeartbeatInterval(d) }),
	"max.poll.interval.ms":      durationProp("max.poll.interval.ms", func(d time.Duration) kgo.Opt { return kgo.RebalanceTimeout(d) }),
	"auto.commit.interval.ms":   durationProp("auto.commit.interval.ms", func(d time.Duration) kgo.Opt { return kgo.AutoCommitInterval(d) }),
	"enable.auto.commit": boolProp("enable.auto.commit", func(b bool) []kgo.Opt {
		if b {
			return nil
		}
		return []kgo.Opt{kgo.DisableAutoCommit()}
	}),
	"group.instance.id": func(v string) ([]kgo.Opt, error) { return []kgo.Opt{kgo.InstanceID(v)}, nil },
	"client.rack":       func(v string) ([]kgo.Opt, error) { return []kgo.Opt{kgo.Rack(v)}, nil },
	"check.crcs": boolProp("check.crcs", func(b bool) []kgo.Opt {
		if b {
			return nil
		}
		return []kgo.Opt{kgo.DisableFetchCRCValidation()}
	}),
}

// acceptedProps are valid Kafka client properties that have no franz-go
// counterpart (Java serializers, socket buffers, metrics): accepted silently
// so existing property files keep working.
var acceptedProps = map[string]bool{
	"batch.size": true, "key.serializer": true, "value.serializer": true, "key.deserializer": true, "value.deserializer": true,
	"send.buffer.bytes": true, "receive.buffer.bytes": true, "max.block.ms": true, "partitioner.class": true,
	"reconnect.backoff.ms": true, "reconnect.backoff.max.ms": true, "retry.backoff.max.ms": true,
	"metrics.sample.window.ms": true, "metrics.num.samples": true, "metrics.recording.level": true,
	"metric.reporters": true, "max.poll.records": true, "partition.assignment.strategy": true,
	"group.protocol": true, "default.api.timeout.ms": true, "client.dns.lookup": true,
	"enable.metrics.push": true, "interceptor.classes": true, "allow.auto.create.topics": true,
	"exclude.internal.topics": true, "auto.include.jmx.reporter": true,
}

// clientOpts maps Kafka client properties to kgo options for role. Unknown
// properties are reported on warn, as Kafka's clients log them, and ignored.
func clientOpts(props map[string]string, role clientRole, warn io.Writer) ([]kgo.Opt, error) {
	if role == roleProducer {
		var err error
		if props, err = checkIdempotence(props); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var opts []kgo.Opt
	if role == roleProducer {
		// Kafka's producers send uncompressed unless compression.type says
		// otherwise; franz-go would pick snappy. A compression.type below
		// overrides this.
		opts = append(opts, kgo.ProducerBatchCompression(kgo.NoCompression()))
	}
	for _, k := range keys {
		var m propMapper
		ok := false
		switch role {
		case roleProducer:
			m, ok = producerProps[k]
		case roleConsumer:
			m, ok = consumerProps[k]
		}
		if !ok {
			m, ok = commonProps[k]
		}
		if !ok {
			if !acceptedProps[k] && !strings.HasPrefix(k, "ssl.") && !strings.HasPrefix(k, "sasl.") {
				fmt.Fprintf(warn, "WARNING: The configuration '%s' was supplied but isn't a known config.\n", k)
			}
			continue
		}
		o, err := m(props[k])
		if err != nil {
			return nil, err
		}
		opts = append(opts, o...)
	}
	return opts, nil
}

// checkIdempotence applies the Java producer's idempotence rules: it is on
// unless disabled or acks is not all, and then allows at most 5 requests in
// flight. kgo manages in-flight requests itself when idempotent, so the
// setting is dropped in that case.
func checkIdempotence(props map[string]string) (map[string]string, error) {
	acks := strings.ToLower(strings.TrimSpace(props["acks"]))
	explicit, hasExplicit := props["enable.idempotence"]
	idempotent := !(hasExplicit && strings.EqualFold(strings.TrimSpace(explicit), "false"))
	if acks == "0" || acks == "1" {
		if hasExplicit && strings.EqualFold(strings.TrimSpace(explicit), "true") {
			return nil, errors.New("must set acks to all in order to use the idempotent producer; otherwise we cannot guarantee idempotence")
		}
		idempotent = false
	}
	v, ok := props["max.in.flight.requests.per.connection"]
	if !idempotent || !ok {
		return props, nil
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 5 {
		return nil, errors.New("must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer")
	}
	out := mergeProps(props)
	delete(out, "max.in.flight.requests.per.connection")
	return out, nil
}

func durationProp(name string, f func(time.Duration) kgo.Opt) propMapper {
	return func(v string) ([]kgo.Opt, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("invalid value %q for %s: expected a non-negative number of milliseconds", v, name)
		}
		return []kgo.Opt{f(time.Duration(n) * time.Millisecond)}, nil
	}
}

func intProp(name string, min int, f func(int) kgo.Opt) propMapper {
	return func(v string) ([]kgo.Opt, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < min || n > 1<<31-1 {
			return nil, fmt.Errorf("invalid value %q for %s: expected an integer >= %d", v, name, min)
		}
		return []kgo.Opt{f(n)}, nil
	}
}

func boolProp(name string, f func(bool) []kgo.Opt) propMapper {
	return func(v string) ([]kgo.Opt, error) {
		switch strings.TrimSpace(strings.ToLower(v)) {
		case "true":
			return f(true), nil
		case "false":
			return f(false), nil
		}
		return nil, fmt.Errorf("invalid value %q for %s: expected true or false", v, name)
	}
}

func compressionCodec(v string) (kgo.CompressionCodec, error) {
	switch strings.TrimSpace(strings.ToLower(v)) {
	case "none", "":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.NoCompression(), fmt.Errorf("invalid compression codec %q: expected none, gzip, snappy, lz4 or zstd", v)
}

func isolationLevel(v string) (kgo.IsolationLevel, error) {
	switch strings.TrimSpace(strings.ToLower(v)) {
	case "read_uncommitted":
		return kgo.ReadUncommitted(), nil
	case "read_committed":
		return kgo.ReadCommitted(), nil
	}
	return kgo.ReadUncommitted(), fmt.Errorf("invalid isolation level %q: expected read_committed or read_uncommitted", v)
}

// splitBootstrap validates a HOST1:PORT1,HOST2:PORT2 list.
func splitBootstrap(s string) ([]string, error) {
	var seeds []string
	for _, hp := range strings.Split(s, ",") {
		hp = strings.TrimSpace(hp)
		if hp == "" {
			continue
		}
		i := strings.LastIndexByte(hp, ':')
		if i <= 0 || i == len(hp)-1 {
			return nil, fmt.Errorf("invalid bootstrap server %q: expected HOST:PORT", hp)
		}
		if p, err := strconv.Atoi(hp[i+1:]); err != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("invalid bootstrap server %q: bad port", hp)
		}
		seeds = append(seeds, hp)
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("no bootstrap server given: use --bootstrap-server HOST:PORT")
	}
	return seeds, nil
}

// newClient builds a kgo client for role from merged Kafka properties, with
// bootstrap (the --bootstrap-server flag) taking precedence over
// bootstrap.servers in the properties.
func newClient(cmd *cobra.Command, bootstrap string, props map[string]string, role clientRole, extra ...kgo.Opt) (*kgo.Client, error) {
	props = mergeProps(props)
	if bootstrap != "" {
		props["bootstrap.servers"] = bootstrap
	}
	if _, ok := props["bootstrap.servers"]; !ok {
		return nil, fmt.Errorf("missing required option --bootstrap-server")
	}
	opts, err := clientOpts(props, role, cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	if _, ok := props["delivery.timeout.ms"]; role == roleProducer && !ok {
		// kgo retries a record forever by default; the Java producer gives
		// up after delivery.timeout.ms, so an unreachable broker ends the tool.
		opts = append(opts, kgo.RecordDeliveryTimeout(defaultDeliveryTimeout))
	}
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("create client: %w", err)
	}
	return cl, nil
}

// newAdmin builds an admin client from --bootstrap-server and an optional
// --command-config properties file. Closing the kgo client closes both.
func newAdmin(cmd *cobra.Command, bootstrap, commandConfig string) (*kgo.Client, *kadm.Client, error) {
	props := map[string]string{}
	if commandConfig != "" {
		var err error
		if props, err = loadProperties(commandConfig); err != nil {
			return nil, nil, err
		}
	}
	cl, err := newClient(cmd, bootstrap, props, roleAdmin)
	if err != nil {
		return nil, nil, err
	}
	return cl, kadm.NewClient(cl), nil
}

// cmdContext is the command's context, or Background when run outside
// ExecuteContext.
func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// kafkaError is a broker error code with the broker's message, printed the
// way Kafka's tools print the exception (the message alone when there is one).
type kafkaError struct {
	err error // a *kerr.Error
	msg string
}

func (e *kafkaError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return e.err.Error()
}

func (e *kafkaError) Unwrap() error { return e.err }

// brokerError returns nil for code 0, otherwise the code's error carrying the
// broker's message if it sent one.
func brokerError(code int16, msg *string) error {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil
	}
	e := &kafkaError{err: err}
	if msg != nil {
		e.msg = *msg
	}
	return e
}

// adminTimeout mirrors the Java admin client's default.api.timeout.ms.
const adminTimeout = 60 * time.Second

// defaultDeliveryTimeout is the Java producer's delivery.timeout.ms default.
const defaultDeliveryTimeout = 120 * time.Second

// formatUUID renders a topic ID as Kafka does: URL-safe base64, no padding.
func formatUUID(id [16]byte) string { return base64.RawURLEncoding.EncodeToString(id[:]) }

func parseUUID(s string) ([16]byte, error) {
	var id [16]byte
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return id, fmt.Errorf("invalid topic id %q: expected a 22-character URL-safe base64 UUID", s)
	}
	copy(id[:], b)
	return id, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// keysOf returns the keys of m, sorted.
func keysOf(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// renamedOption is a Kafka option that was renamed; the old name still works.
type renamedOption struct{ old, new string }

// checkRenamed rejects giving both names of a renamed option and prints
// Kafka's deprecation warning (to stderr, keeping stdout for data) when the
// old name is used. warnFormat and bothFormat take the old and new names.
func checkRenamed(cmd *cobra.Command, warnFormat, bothFormat string, opts ...renamedOption) error {
	set := cmd.Flags().Changed
	for _, o := range opts {
		if set(o.old) && set(o.new) {
			return fmt.Errorf(bothFormat, o.old, o.new)
		}
	}
	for _, o := range opts {
		if set(o.old) {
			fmt.Fprintf(cmd.ErrOrStderr(), warnFormat+"\n", o.old, o.new)
		}
	}
	return nil
}

// javaDouble formats f as Java's Double.toString does, which is how Kafka
// prints quota values (1024.0, 1.5E7).
func javaDouble(f float64) string {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs != 0 && (abs < 1e-3 || abs >= 1e7) {
		s := strconv.FormatFloat(f, 'E', -1, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		e, _ := strconv.Atoi(exp)
		return mant + "E" + strconv.Itoa(e)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
