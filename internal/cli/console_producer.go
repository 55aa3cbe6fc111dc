package cli

// kafka-console-producer: reads lines from standard input and produces one
// record per line, parsing keys and headers as Kafka's LineMessageReader does.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"
)

func init() {
	register(newConsoleProducerCmd)
	registerAlias("kafka-console-producer", "console-producer")
}

// defaultLineReaders are the reader class names that mean "our line reader".
var defaultLineReaders = map[string]bool{
	"org.apache.kafka.tools.LineMessageReader":      true,
	"kafka.tools.LineMessageReader":                 true,
	"kafka.tools.ConsoleProducer$LineMessageReader": true,
}

type consoleProducerOpts struct {
	topic, bootstrap, brokerList string
	sync                         bool
	compression                  string
	batchSize                    int
	retries                      int
	retryBackoff                 int64
	lingerMs                     int64
	acks                         string
	requestTimeout               int
	metadataExpiry, maxBlock     int64
	maxMemory                    int64
	maxPartitionMemory           int
	lineReader                   string
	socketBuffer                 int
	readerProps, readerConfig    []string
	producerProps, producerCfg   []string
}

func newConsoleProducerCmd() *cobra.Command {
	o := &consoleProducerOpts{}
	cmd := &cobra.Command{
		Use:   "console-producer",
		Short: "Read data from standard input and publish it to a topic (kafka-console-producer)",
	}
	f := cmd.Flags()
	f.StringVar(&o.topic, "topic", "", "REQUIRED: The topic name to produce messages to.")
	f.StringVar(&o.bootstrap, "bootstrap-server", "", "REQUIRED: The server(s) to connect to, HOST1:PORT1,HOST2:PORT2.")
	f.StringVar(&o.brokerList, "broker-list", "", "DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.")
	f.BoolVar(&o.sync, "sync", false, "If set message send requests to the brokers are synchronously, one at a time as they arrive.")
	f.StringVar(&o.compression, "compression-codec", "none", "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'. If specified without value, then it defaults to 'gzip'.")
	f.Lookup("compression-codec").NoOptDefVal = "gzip"
	f.IntVar(&o.batchSize, "batch-size", 16*1024, "Batch size in bytes when not sending synchronously (batch.size).")
	f.IntVar(&o.retries, "message-send-max-retries", 3, "Number of retries before the producer gives up on a record (retries).")
	f.Int64Var(&o.retryBackoff, "retry-backoff-ms", 100, "Wait before each retry (retry.backoff.ms).")
	f.Int64Var(&o.lingerMs, "timeout", 1000, "Maximum time in ms a record waits for a batch to fill (linger.ms).")
	f.StringVar(&o.acks, "request-required-acks", "-1", "The required acks of the producer requests.")
	f.IntVar(&o.requestTimeout, "request-timeout-ms", 1500, "The ack timeout of the producer requests.")
	f.Int64Var(&o.metadataExpiry, "metadata-expiry-ms", 5*60*1000, "Metadata refresh period (metadata.max.age.ms).")
	f.Int64Var(&o.maxBlock, "max-block-ms", 60*1000, "The max time that the producer will block for during a send request.")
	f.Int64Var(&o.maxMemory, "max-memory-bytes", 32*1024*1024, "Total memory for buffering unsent records (buffer.memory).")
	f.IntVar(&o.maxPartitionMemory, "max-partition-memory-bytes", 16*1024, "Buffer size per partition (batch.size).")
	f.StringVar(&o.lineReader, "line-reader", "org.apache.kafka.tools.LineMessageReader", "The class used to read lines from standard in; only the default line reader is available.")
	f.IntVar(&o.socketBuffer, "socket-buffer-size", 100*1024, "The size of the tcp send buffer (send.buffer.bytes).")
	f.StringArrayVar(&o.readerProps, "property", nil, "Properties for the line reader in the form key=value: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error.")
	f.StringArrayVar(&o.readerProps, "reader-property", nil, "Same as --property, which it replaces.")
	f.StringArrayVar(&o.readerConfig, "reader-config", nil, "Config properties file for the line reader; --property takes precedence.")
	f.StringArrayVar(&o.producerProps, "producer-property", nil, "Producer config properties in the form key=value.")
	f.StringArrayVar(&o.producerProps, "command-property", nil, "Same as --producer-property, which it replaces.")
	f.StringArrayVar(&o.producerCfg, "producer.config", nil, "Producer config properties file; --producer-property takes precedence.")
	f.StringArrayVar(&o.producerCfg, "command-config", nil, "Same as --producer.config, which it replaces.")
	return kafkaTool(cmd, func(cmd *cobra.Command) error { return runConsoleProducer(cmd, o) })
}

// producerProps assembles the producer properties with Kafka's precedence:
// config file, then --producer-property, then explicitly given tool flags,
// with the tool's own defaults filling whatever is still unset.
func (o *consoleProducerOpts) producerProperties(cmd *cobra.Command) (map[string]string, error) {
	props := map[string]string{}
	for _, path := range o.producerCfg {
		file, err := loadProperties(path)
		if err != nil {
			return nil, err
		}
		props = mergeProps(props, file)
	}
	kv, err := parseKeyValueArgs(o.producerProps)
	if err != nil {
		return nil, err
	}
	props = mergeProps(props, kv)
	merge := func(flag, key, value string) {
		if _, ok := props[key]; cmd.Flags().Changed(flag) || !ok {
			props[key] = value
		}
	}
	merge("timeout", "linger.ms", strconv.FormatInt(o.lingerMs, 10))
	merge("request-required-acks", "acks", o.acks)
	merge("request-timeout-ms", "request.timeout.ms", strconv.Itoa(o.requestTimeout))
	merge("message-send-max-retries", "retries", strconv.Itoa(o.retries))
	merge("retry-backoff-ms", "retry.backoff.ms", strconv.FormatInt(o.retryBackoff, 10))
	merge("socket-buffer-size", "send.buffer.bytes", strconv.Itoa(o.socketBuffer))
	merge("max-memory-bytes", "buffer.memory", strconv.FormatInt(o.maxMemory, 10))
	merge("batch-size", "batch.size", strconv.Itoa(o.batchSize))
	if cmd.Flags().Changed("max-partition-memory-bytes") {
		props["batch.size"] = strconv.Itoa(o.maxPartitionMemory)
	}
	merge("metadata-expiry-ms", "metadata.max.age.ms", strconv.FormatInt(o.metadataExpiry, 10))
	merge("max-block-ms", "max.block.ms", strconv.FormatInt(o.maxBlock, 10))
	codec := o.compression
	if codec == "" {
		codec = "gzip"
	}
	props["compression.type"] = codec
	if _, ok := props["client.id"]; !ok {
		props["client.id"] = "console-producer"
	}
	return props, nil
}

func runConsoleProducer(cmd *cobra.Command, o *consoleProducerOpts) error {
	err := checkRenamed(cmd, "Warning: --%s is deprecated and will be removed in a future version. Use --%[2]s instead.",
		"options --%[2]s and --%[1]s cannot be specified together",
		renamedOption{"producer.config", "command-config"}, renamedOption{"producer-property", "command-property"},
		renamedOption{"property", "reader-property"})
	if err != nil {
		return err
	}
	if cmd.Flags().Changed("max-partition-memory-bytes") {
		fmt.Fprintln(cmd.ErrOrStderr(), "Warning: --max-partition-memory-bytes is deprecated and will be removed in Apache Kafka 5.0. Use --batch-size instead.")
	}
	if o.topic == "" {
		return errors.New(`missing required argument "[topic]"`)
	}
	bootstrap := o.bootstrap
	if bootstrap == "" {
		bootstrap = o.brokerList
	}
	if bootstrap == "" {
		return errors.New(`missing required argument "[bootstrap-server]"`)
	}
	if _, err := splitBootstrap(bootstrap); err != nil {
		return err
	}
	if !defaultLineReaders[o.lineReader] {
		return fmt.Errorf("line reader %q is not available: only org.apache.kafka.tools.LineMessageReader is supported", o.lineReader)
	}
	readerCfg := map[string]string{}
	for _, path := range o.readerConfig {
		file, err := loadProperties(path)
		if err != nil {
			return err
		}
		readerCfg = mergeProps(readerCfg, file)
	}
	kv, err := parseKeyValueArgs(o.readerProps)
	if err != nil {
		return err
	}
	reader, err := newLineReader(o.topic, mergeProps(readerCfg, kv))
	if err != nil {
		return err
	}
	props, err := o.producerProperties(cmd)
	if err != nil {
		return err
	}
	// The Java producer lets a broker with auto.create.topics.enable create
	// the topic on first use.
	cl, err := newClient(cmd, bootstrap, props, roleProducer, kgo.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer cl.Close()
	// Like Kafka's shutdown hook, an interrupt stops reading but still
	// delivers what was already read.
	ctx, stop := signal.NotifyContext(cmdContext(cmd), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Records are produced under the command's context, not the signal one:
	// kgo fails buffered records whose context ends, and an interrupt must
	// still deliver them.
	p := &lineProducer{cl: cl, produceCtx: cmdContext(cmd), reader: reader, sync: o.sync, topic: o.topic, errOut: cmd.ErrOrStderr()}
	if isTerminal(cmd.InOrStdin()) {
		p.prompt = cmd.OutOrStdout()
	}
	runErr := p.run(ctx, cmd.InOrStdin())
	// Records buffered before a bad line or an interrupt are still sent;
	// kgo's Close alone would drop them.
	flushCtx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	if err := cl.Flush(flushCtx); err != nil && runErr == nil {
		runErr = fmt.Errorf("flush records: %w", err)
	}
	if runErr == nil {
		runErr = p.sendError()
	}
	return runErr
}

// flushTimeout bounds the final flush, like the Java producer's close.
const flushTimeout = 30 * time.Second

// lineProducer sends one record per input line.
type lineProducer struct {
	cl         *kgo.Client
	produceCtx context.Context
	reader     *lineReader
	sync       bool
	topic      string
	prompt     io.Writer // non-nil when stdin is a terminal
	errOut     io.Writer

	mu       sync.Mutex
	failed   int64
	firstErr error
}

type lineOrErr struct {
	line string
	err  error
}

func (p *lineProducer) run(ctx context.Context, in io.Reader) error {
	lines := make(chan lineOrErr)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(lines)
		br := bufio.NewReaderSize(in, 64*1024)
		for {
			if p.prompt != nil {
				fmt.Fprint(p.prompt, ">")
			}
			line, err := readLine(br)
			if errors.Is(err, io.EOF) {
				return
			}
			select {
			case lines <- lineOrErr{line, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		var l lineOrErr
		var ok bool
		select {
		case <-ctx.Done():
			return &exitError{code: 130, err: errors.New("interrupted")}
		case l, ok = <-lines:
		}
		if !ok {
			return nil
		}
		if l.err != nil {
			return fmt.Errorf("read standard input: %w", l.err)
		}
		rec, err := p.reader.parse(l.line)
		if err != nil {
			return err
		}
		if p.sync {
			if err := p.cl.ProduceSync(p.produceCtx, rec).FirstErr(); err != nil {
				return fmt.Errorf("send record to topic %s: %w", p.topic, err)
			}
			continue
		}
		p.cl.Produce(p.produceCtx, rec, p.onSent)
	}
}

func (p *lineProducer) onSent(r *kgo.Record, err error) {
	if err == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failed++
	if p.firstErr == nil {
		p.firstErr = err
	}
	fmt.Fprintf(p.errOut, "Error when sending message to topic %s with key: %s, value: %s with error: %v\n",
		r.Topic, byteCount(r.Key), byteCount(r.Value), err)
}

// sendError reports asynchronous send failures, which Kafka's tool only
// logs; exiting non-zero keeps lost records from going unnoticed.
func (p *lineProducer) sendError() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failed > 0 {
		return fmt.Errorf("%d record(s) could not be sent to topic %s: %w", p.failed, p.topic, p.firstErr)
	}
	return nil
}

func byteCount(b []byte) string {
	if b == nil {
		return "null"
	}
	return fmt.Sprintf("%d bytes", len(b))
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readLine returns the next line without its terminator ("\n" or "\r\n"),
// io.EOF once input is exhausted. A last line without a newline counts.
func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	line = strings.TrimSuffix(line, "\n")
	return strings.TrimSuffix(line, "\r"), nil
}

// lineReader parses input lines into records like Kafka's LineMessageReader:
// "[headers<delimiter>][key<separator>]value".
type lineReader struct {
	topic               string
	parseKey            bool
	keySeparator        string
	parseHeaders        bool
	headersDelimiter    string
	headersSeparator    *regexp.Regexp
	headersKeySeparator string
	ignoreError         bool
	nullMarker          *string
	lineNumber          int
}

func newLineReader(topic string, props map[string]string) (*lineReader, error) {
	r := &lineReader{topic: topic, keySeparator: "\t", headersDelimiter: "\t", headersKeySeparator: ":"}
	isTrue := func(k string) bool { return strings.EqualFold(strings.TrimSpace(props[k]), "true") }
	r.parseKey = isTrue("parse.key")
	r.parseHeaders = isTrue("parse.headers")
	r.ignoreError = isTrue("ignore.error")
	if v, ok := props["key.separator"]; ok {
		r.keySeparator = v
	}
	if v, ok := props["headers.delimiter"]; ok {
		r.headersDelimiter = v
	}
	headersSeparator := ","
	if v, ok := props["headers.separator"]; ok {
		headersSeparator = v
	}
	if v, ok := props["headers.key.separator"]; ok {
		r.headersKeySeparator = v
	}
	// Kafka treats headers.separator as a regular expression.
	sep, err := regexp.Compile(headersSeparator)
	if err != nil {
		return nil, fmt.Errorf("invalid headers.separator %q: %w", headersSeparator, err)
	}
	r.headersSeparator = sep
	if v, ok := props["null.marker"]; ok {
		r.nullMarker = &v
	}
	distinct := []struct{ a, b, an, bn string }{
		{r.headersDelimiter, headersSeparator, "headers.delimiter", "headers.separator"},
		{r.headersDelimiter, r.headersKeySeparator, "headers.delimiter", "headers.key.separator"},
		{headersSeparator, r.headersKeySeparator, "headers.separator", "headers.key.separator"},
	}
	if r.nullMarker != nil {
		m := *r.nullMarker
		distinct = append(distinct,
			struct{ a, b, an, bn string }{m, r.keySeparator, "null.marker", "key.separator"},
			struct{ a, b, an, bn string }{m, headersSeparator, "null.marker", "headers.separator"},
			struct{ a, b, an, bn string }{m, r.headersDelimiter, "null.marker", "headers.delimiter"},
			struct{ a, b, an, bn string }{m, r.headersKeySeparator, "null.marker", "headers.key.separator"})
	}
	for _, d := range distinct {
		if d.a == d.b {
			return nil, fmt.Errorf("%s and %s may not be equal", d.an, d.bn)
		}
	}
	return r, nil
}

func (r *lineReader) isNull(s string) bool { return r.nullMarker != nil && s == *r.nullMarker }

// field cuts line at the first sep at or after start; ok is false when the
// field is not being parsed or (with ignore.error) the separator is missing.
func (r *lineReader) field(enabled bool, line string, start int, sep, name string) (string, bool, error) {
	if !enabled {
		return "", false, nil
	}
	i := strings.Index(line[start:], sep)
	if i < 0 {
		if r.ignoreError {
			return "", false, nil
		}
		return "", false, fmt.Errorf("no %s found on line number %d: '%s'", name, r.lineNumber, line)
	}
	return line[start : start+i], true, nil
}

func (r *lineReader) parse(line string) (*kgo.Record, error) {
	r.lineNumber++
	headers, hasHeaders, err := r.field(r.parseHeaders, line, 0, r.headersDelimiter, "headers delimiter")
	if err != nil {
		return nil, err
	}
	offset := 0
	if hasHeaders {
		offset = len(headers) + len(r.headersDelimiter)
	}
	key, hasKey, err := r.field(r.parseKey, line, offset, r.keySeparator, "key separator")
	if err != nil {
		return nil, err
	}
	if hasKey {
		offset += len(key) + len(r.keySeparator)
	}
	value := line[offset:]
	rec := &kgo.Record{Topic: r.topic}
	if hasKey && !r.isNull(key) {
		rec.Key = []byte(key)
	}
	if !r.isNull(value) {
		rec.Value = []byte(value)
	}
	if hasHeaders && !r.isNull(headers) {
		pairs := r.headersSeparator.Split(headers, -1)
		// Java's String.split drops trailing empty strings.
		for len(pairs) > 0 && pairs[len(pairs)-1] == "" {
			pairs = pairs[:len(pairs)-1]
		}
		for _, pair := range pairs {
			k, v, found := strings.Cut(pair, r.headersKeySeparator)
			if !found {
				if r.ignoreError {
					rec.Headers = append(rec.Headers, kgo.RecordHeader{Key: pair})
					continue
				}
				return nil, fmt.Errorf("no header key separator found in pair '%s' on line number %d", pair, r.lineNumber)
			}
			if r.isNull(k) {
				return nil, fmt.Errorf("header keys should not be equal to the null marker '%s' as they can't be null", k)
			}
			h := kgo.RecordHeader{Key: k}
			if !r.isNull(v) {
				h.Value = []byte(v)
			}
			rec.Headers = append(rec.Headers, h)
		}
	}
	return rec, nil
}
