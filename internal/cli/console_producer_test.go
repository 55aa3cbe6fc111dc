package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestLineReader(t *testing.T) {
	null := "NULL"
	tests := []struct {
		name    string
		props   map[string]string
		line    string
		key     []byte
		value   []byte
		headers []kgo.RecordHeader
		wantErr string
	}{
		{name: "value only", line: "hello\tworld", value: []byte("hello\tworld")},
		{name: "key", props: map[string]string{"parse.key": "true"}, line: "k\tv\tw", key: []byte("k"), value: []byte("v\tw")},
		{name: "custom key separator", props: map[string]string{"parse.key": "true", "key.separator": "::"}, line: "k::v", key: []byte("k"), value: []byte("v")},
		{name: "missing key separator", props: map[string]string{"parse.key": "true"}, line: "novalue", wantErr: "no key separator found on line number 1: 'novalue'"},
		{name: "ignore error", props: map[string]string{"parse.key": "true", "ignore.error": "true"}, line: "novalue", value: []byte("novalue")},
		{name: "headers and key", props: map[string]string{"parse.key": "true", "parse.headers": "true"}, line: "h1:v1,h2:v2\tk\tv",
			key: []byte("k"), value: []byte("v"), headers: []kgo.RecordHeader{{Key: "h1", Value: []byte("v1")}, {Key: "h2", Value: []byte("v2")}}},
		{name: "header without separator", props: map[string]string{"parse.headers": "true"}, line: "h1\tv", wantErr: "no header key separator found in pair 'h1'"},
		{name: "null marker", props: map[string]string{"parse.key": "true", "parse.headers": "true", "null.marker": null}, line: "h:NULL\tNULL\tNULL",
			headers: []kgo.RecordHeader{{Key: "h"}}},
		{name: "null header key", props: map[string]string{"parse.headers": "true", "null.marker": null}, line: "NULL:x\tv", wantErr: "null marker"},
		{name: "equal separators", props: map[string]string{"headers.delimiter": ",", "headers.separator": ","}, wantErr: "headers.delimiter and headers.separator may not be equal"},
		{name: "marker equals key separator", props: map[string]string{"null.marker": "\t"}, wantErr: "null.marker and key.separator may not be equal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := newLineReader("t", tc.props)
			if err == nil {
				var rec *kgo.Record
				rec, err = r.parse(tc.line)
				if err == nil {
					if !reflect.DeepEqual(rec.Key, tc.key) || !reflect.DeepEqual(rec.Value, tc.value) || !reflect.DeepEqual(rec.Headers, tc.headers) {
						t.Fatalf("got key %q value %q headers %v, want %q %q %v", rec.Key, rec.Value, rec.Headers, tc.key, tc.value, tc.headers)
					}
				}
			}
			if tc.wantErr == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestProduceAndConsume(t *testing.T) {
	bs := startBroker(t)
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "lines", "--partitions", "1")

	stdin := "h1:v1,h2:v2\tk1:first\n\tk2:second\r\nh3:x\tk3:third"
	_, errOut, err := runCLI(t, stdin, "console-producer", "--bootstrap-server", bs, "--topic", "lines",
		"--property", "parse.key=true", "--property", "key.separator=:", "--property", "parse.headers=true")
	if err != nil || errOut != "Warning: --property is deprecated and will be removed in a future version. Use --reader-property instead.\n" {
		t.Fatalf("produce with --property: err %v, stderr %q", err, errOut)
	}

	// Lines from a file, with a producer config file and synchronous sends.
	dir := t.TempDir()
	cfg := filepath.Join(dir, "producer.properties")
	if err := os.WriteFile(cfg, []byte("acks=all\nlinger.ms=5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(data, []byte("fourth\nfifth\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, errOut, err = runCLIFrom(t, f, "console-producer", "--bootstrap-server", bs, "--topic", "lines",
		"--producer.config", cfg, "--sync", "--compression-codec", "lz4"); err != nil {
		t.Fatalf("produce from file: %v: %s", err, errOut)
	}

	out, errOut, err := runCLI(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "lines", "--from-beginning",
		"--max-messages", "5", "--formatter-property", "print.key=true", "--formatter-property", "print.headers=true",
		"--formatter-property", "print.partition=true", "--formatter-property", "print.offset=true", "--formatter-property", "key.separator=|")
	if err != nil {
		t.Fatalf("consume: %v: %s", err, errOut)
	}
	want := "Partition:0|Offset:0|h1:v1,h2:v2|k1|first\n" +
		"Partition:0|Offset:1|NO_HEADERS|k2|second\n" +
		"Partition:0|Offset:2|h3:x|k3|third\n" +
		"Partition:0|Offset:3|NO_HEADERS|null|fourth\n" +
		"Partition:0|Offset:4|NO_HEADERS|null|fifth\n"
	if out != want {
		t.Fatalf("consumed:\n%s\nwant:\n%s", out, want)
	}
	if errOut != "Processed a total of 5 messages\n" {
		t.Fatalf("stderr %q", errOut)
	}

	// --partition/--offset, and a timestamp column.
	out = mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "lines", "--partition", "0",
		"--offset", "3", "--max-messages", "2", "--property", "print.timestamp=true")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "CreateTime:") || !strings.HasSuffix(lines[0], "\tfourth") ||
		!strings.HasSuffix(lines[1], "\tfifth") {
		t.Fatalf("consume from offset 3: %q", out)
	}
	out = mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "lines", "--partition", "0",
		"--offset", "earliest", "--max-messages", "1")
	if out != "first\n" {
		t.Fatalf("consume from earliest: %q", out)
	}

	// --timeout-ms ends a consumer that has caught up, without an error.
	out, errOut, err = runCLI(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "lines", "--from-beginning", "--timeout-ms", "1000")
	if err != nil || strings.Count(out, "\n") != 5 || errOut != "Processed a total of 5 messages\n" {
		t.Fatalf("consume with timeout: err %v out %q stderr %q", err, out, errOut)
	}

}

func TestConsoleConsumerGroup(t *testing.T) {
	bs := startBroker(t)
	requireAPIs(t, bs, 10, 11, 12, 14, 8, 9) // FindCoordinator, JoinGroup, Heartbeat, SyncGroup, OffsetCommit, OffsetFetch
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "lines", "--partitions", "1")
	mustRun(t, "first\nsecond\nthird\nfourth\nfifth\n", "console-producer", "--bootstrap-server", bs, "--topic", "lines")

	// A group resumes where its previous member stopped.
	out := mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "lines", "--group", "g1", "--from-beginning", "--max-messages", "2")
	if out != "first\nsecond\n" {
		t.Fatalf("group first run: %q", out)
	}
	out = mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "lines", "--group", "g1", "--from-beginning", "--max-messages", "3")
	if out != "third\nfourth\nfifth\n" {
		t.Fatalf("group second run: %q", out)
	}
	// Without auto commit nothing is committed: a new group reads from the start again.
	for i := 0; i < 2; i++ {
		out = mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "lines", "--group", "g2", "--from-beginning",
			"--max-messages", "1", "--consumer-property", "enable.auto.commit=false")
		if out != "first\n" {
			t.Fatalf("run %d without auto commit: %q", i, out)
		}
	}
}

func TestConsoleToolsBadInput(t *testing.T) {
	bs := "127.0.0.1:1"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"console-producer", "--bootstrap-server", bs}, "[topic]"},
		{[]string{"console-producer", "--topic", "t"}, "bootstrap-server"},
		{[]string{"console-producer", "--bootstrap-server", bs, "--topic", "t", "--compression-codec", "brotli"}, "brotli"},
		{[]string{"console-producer", "--bootstrap-server", bs, "--topic", "t", "--request-required-acks", "2"}, "acks"},
		{[]string{"console-producer", "--bootstrap-server", bs, "--topic", "t", "--line-reader", "com.example.Reader"}, "line reader"},
		{[]string{"console-producer", "--bootstrap-server", bs, "--topic", "t", "--producer-property", "security.protocol=SSL"}, "security.protocol"},
		{[]string{"console-producer", "--bootstrap-server", bs, "--topic", "t", "--producer.config", "/no/such/file"}, "/no/such/file"},
		{[]string{"console-producer", "--bootstrap-server", bs, "--topic", "t", "--property", "a=b", "--reader-property", "c=d"}, "options --reader-property and --property cannot be specified together"},
		{[]string{"console-producer", "--bootstrap-server", bs, "--topic", "t", "--producer.config", "x", "--command-config", "y"}, "cannot be specified together"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--property", "a=b", "--formatter-property", "c=d"}, "options --property and --formatter-property cannot be specified together"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--consumer-property", "a=b", "--command-property", "c=d"}, "cannot be specified together"},
		{[]string{"console-consumer", "--bootstrap-server", bs}, "--topic or --include"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--offset", "5"}, "partition is required"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--partition", "0", "--offset", "-5"}, "offset value '-5' is incorrect"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--partition", "0", "--offset", "1", "--from-beginning"}, "cannot be specified together"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--partition", "0", "--group", "g"}, "group and partition"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--group", "a", "--consumer-property", "group.id=b"}, "do not match"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--isolation-level", "dirty"}, "isolation"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--property", "key.deserializer=com.example.Custom"}, "not available"},
		{[]string{"console-consumer", "--bootstrap-server", bs, "--topic", "t", "--from-beginning", "--consumer-property", "auto.offset.reset=latest"}, "from-beginning"},
	}
	for _, tc := range tests {
		_, _, err := runCLI(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want containing %q", tc.args, err, tc.want)
		}
	}
}

func TestConsoleProducerBadLineKeepsEarlierRecords(t *testing.T) {
	bs := startBroker(t)
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "partial", "--partitions", "1")
	_, _, err := runCLI(t, "k1\tv1\nnokey\nk3\tv3\n", "console-producer", "--bootstrap-server", bs, "--topic", "partial",
		"--property", "parse.key=true")
	if err == nil || !strings.Contains(err.Error(), "no key separator found on line number 2: 'nokey'") {
		t.Fatalf("err = %v, want the line-2 parse error", err)
	}
	if out := mustRun(t, "", "get-offsets", "--bootstrap-server", bs, "--topic", "partial"); out != "partial:0:1\n" {
		t.Fatalf("records before the bad line: %q, want partial:0:1", out)
	}
}

func TestConsoleToolsConfigFiles(t *testing.T) {
	bs := startBroker(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	admin := write("admin.properties", "security.protocol=PLAINTEXT\nclient.id=cli-test\n")
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--command-config", admin, "--create", "--topic", "cfg", "--partitions", "1")

	reader := write("reader.properties", "parse.key=true\nkey.separator=|\n")
	mustRun(t, "a|1\nb|2\n", "console-producer", "--bootstrap-server", bs, "--topic", "cfg", "--reader-config", reader,
		"--command-config", write("producer.properties", "acks=1\ncompression.type=gzip\n"))
	formatter := write("formatter.properties", "print.key=true\nkey.separator==\n")
	out := mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--topic", "cfg", "--from-beginning", "--max-messages", "2",
		"--formatter-config", formatter, "--formatter-property", "print.offset=true",
		"--command-config", write("consumer.properties", "fetch.max.wait.ms=100\n"))
	if out != "Offset:0=a=1\nOffset:1=b=2\n" {
		t.Fatalf("consumed %q", out)
	}
	ssl := write("ssl.properties", "security.protocol=SSL\n")
	if _, _, err := runCLI(t, "", "topics", "--bootstrap-server", bs, "--command-config", ssl, "--list"); err == nil ||
		!strings.Contains(err.Error(), "security.protocol=SSL") {
		t.Fatalf("SSL command config: %v", err)
	}
}

// An interrupt stops reading input but still delivers the lines already read.
func TestConsoleProducerInterruptDelivers(t *testing.T) {
	bs := startBroker(t)
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "intr", "--partitions", "1")
	cl, err := kgo.NewClient(kgo.SeedBrokers(bs), kgo.ProducerLinger(time.Minute)) // nothing leaves before the flush
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	reader, err := newLineReader("intr", nil)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, interrupt := context.WithCancel(context.Background())
	p := &lineProducer{cl: cl, produceCtx: context.Background(), reader: reader, topic: "intr", errOut: io.Discard}
	done := make(chan error, 1)
	go func() { done <- p.run(ctx, pr) }()
	if _, err := io.WriteString(pw, "one\ntwo\n"); err != nil {
		t.Fatal(err)
	}
	// The pipe hands over each write only once it is read, so both lines
	// are with the producer once this write returns.
	if _, err := io.WriteString(pw, "three"); err != nil {
		t.Fatal(err)
	}
	interrupt()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("run after interrupt: %v", err)
	}
	if err := cl.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "", "get-offsets", "--bootstrap-server", bs, "--topic", "intr"); out != "intr:0:2\n" {
		t.Fatalf("after interrupt: %q, want the two complete lines", out)
	}
}
