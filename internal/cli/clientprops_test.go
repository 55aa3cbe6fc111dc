package cli

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runCLI runs the odradek command tree in-process with args (a subcommand
// first) and stdin, returning what it printed.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runCLIFrom(t, strings.NewReader(stdin), args...)
}

// runCLIFrom is runCLI reading standard input from in.
func runCLIFrom(t *testing.T, in io.Reader, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	root := NewRoot()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(in)
	root.SetArgs(args)
	err = root.Execute()
	return out.String(), errb.String(), err
}

// requireAPIs skips the test, naming what is missing, when the broker does
// not advertise every API in keys (a Kafka feature the server lacks yet).
func requireAPIs(t *testing.T, bootstrap string, keys ...int16) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	versions, err := kadm.NewClient(cl).ApiVersions(context.Background())
	if err != nil {
		t.Fatalf("ApiVersions: %v", err)
	}
	for _, v := range versions {
		if v.Err != nil {
			t.Fatalf("ApiVersions of broker %d: %v", v.NodeID, v.Err)
		}
		for _, k := range keys {
			if _, ok := v.KeyMaxVersion(k); !ok {
				t.Skipf("broker %d does not support %s yet", v.NodeID, kmsg.NameForKey(k))
			}
		}
	}
}

// mustRun is runCLI that fails the test on error.
func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := runCLI(t, stdin, args...)
	if err != nil {
		t.Fatalf("%v: %v\nstdout: %s\nstderr: %s", args, err, out, errOut)
	}
	return out
}

func TestNormalizeKafkaArgs(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("bootstrap-server", "", "")
	fs.String("time", "", "")
	fs.StringArray("producer-props", nil, "")
	fs.String("compression-codec", "", "")
	fs.Lookup("compression-codec").NoOptDefVal = "gzip"
	fs.Bool("from-beginning", false, "")
	fs.Bool("from-latest", false, "")
	_ = fs.SetAnnotation("producer-props", nargsAnnotation, []string{"true"})
	tests := []struct {
		in, want []string
	}{
		{[]string{"-bootstrap-server", "h:1"}, []string{"--bootstrap-server", "h:1"}},
		{[]string{"--bootstrap", "h:1"}, []string{"--bootstrap-server", "h:1"}},
		{[]string{"--time", "-1"}, []string{"--time", "-1"}},
		{[]string{"--time=-2"}, []string{"--time=-2"}},
		{[]string{"--producer-props", "a=1", "b=2", "--time", "-3"},
			[]string{"--producer-props=a=1", "--producer-props=b=2", "--time", "-3"}},
		{[]string{"--compression-codec", "lz4"}, []string{"--compression-codec=lz4"}},
		{[]string{"--compression-codec", "--from-beginning"}, []string{"--compression-codec", "--from-beginning"}},
		{[]string{"--from"}, []string{"--from"}}, // ambiguous prefix: left for pflag to reject
		{[]string{"-h"}, []string{"-h"}},
	}
	for _, tc := range tests {
		if got := normalizeKafkaArgs(fs, tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("normalizeKafkaArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseProperties(t *testing.T) {
	in := "# comment\n! also comment\n\nbootstrap.servers = a:1,b:2\nclient.id:me\nlinger.ms 5\nmulti=one \\\n   two\nesc=tab\\there\\u0041\nempty=\n"
	got, err := parseProperties(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"bootstrap.servers": "a:1,b:2", "client.id": "me", "linger.ms": "5",
		"multi": "one two", "esc": "tab\there" + "A", "empty": "",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestClientOpts(t *testing.T) {
	tests := []struct {
		props   map[string]string
		role    clientRole
		wantErr string
		warn    string
	}{
		{props: map[string]string{"security.protocol": "PLAINTEXT", "acks": "all", "linger.ms": "5"}, role: roleProducer},
		{props: map[string]string{"security.protocol": "SASL_SSL"}, role: roleAdmin, wantErr: "security.protocol=SASL_SSL"},
		{props: map[string]string{"acks": "2"}, role: roleProducer, wantErr: "acks"},
		{props: map[string]string{"linger.ms": "soon"}, role: roleProducer, wantErr: "linger.ms"},
		{props: map[string]string{"compression.type": "brotli"}, role: roleProducer, wantErr: "brotli"},
		{props: map[string]string{"auto.offset.reset": "earliest", "isolation.level": "read_committed"}, role: roleConsumer},
		{props: map[string]string{"isolation.level": "dirty"}, role: roleConsumer, wantErr: "isolation level"},
		{props: map[string]string{"no.such.thing": "1"}, role: roleAdmin, warn: "'no.such.thing'"},
		{props: map[string]string{"bootstrap.servers": "nohost"}, role: roleAdmin, wantErr: "HOST:PORT"},
		{props: map[string]string{"acks": "1", "enable.idempotence": "true"}, role: roleProducer, wantErr: "acks to all"},
		{props: map[string]string{"max.in.flight.requests.per.connection": "6"}, role: roleProducer, wantErr: "at most 5"},
	}
	for _, tc := range tests {
		var warn bytes.Buffer
		_, err := clientOpts(tc.props, tc.role, &warn)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err = %v, want containing %q", tc.props, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: unexpected error %v", tc.props, err)
		}
		if !strings.Contains(warn.String(), tc.warn) {
			t.Errorf("%v: warning %q, want containing %q", tc.props, warn.String(), tc.warn)
		}
	}
}

func TestUUIDRoundTrip(t *testing.T) {
	id := [16]byte{0xfb, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
	s := formatUUID(id)
	if len(s) != 22 || strings.ContainsAny(s, "+/=") {
		t.Fatalf("formatUUID = %q: want 22 URL-safe characters", s)
	}
	back, err := parseUUID(s)
	if err != nil || back != id {
		t.Fatalf("parseUUID(%q) = %v, %v", s, back, err)
	}
	if _, err := parseUUID("nope"); err == nil {
		t.Fatal("parseUUID accepted garbage")
	}
}

// Typical Java client property files must map onto a valid kgo configuration.
func TestClientOptsBuildClients(t *testing.T) {
	tests := []struct {
		role  clientRole
		props map[string]string
	}{
		{roleProducer, map[string]string{
			"bootstrap.servers": "127.0.0.1:1", "acks": "all", "linger.ms": "5", "batch.size": "16384",
			"compression.type": "zstd", "max.in.flight.requests.per.connection": "5", "retries": "2147483647",
			"delivery.timeout.ms": "120000", "request.timeout.ms": "30000", "buffer.memory": "33554432",
			"max.request.size": "1048576", "enable.idempotence": "true", "client.id": "p",
			"key.serializer": "org.apache.kafka.common.serialization.ByteArraySerializer",
		}},
		{roleProducer, map[string]string{"bootstrap.servers": "127.0.0.1:1", "acks": "1", "enable.idempotence": "false", "max.in.flight.requests.per.connection": "10"}},
		{roleProducer, map[string]string{"bootstrap.servers": "127.0.0.1:1", "transactional.id": "tx", "transaction.timeout.ms": "60000"}},
		{roleConsumer, map[string]string{
			"bootstrap.servers": "127.0.0.1:1", "group.id": "g", "auto.offset.reset": "earliest", "enable.auto.commit": "false",
			"session.timeout.ms": "45000", "heartbeat.interval.ms": "3000", "max.poll.interval.ms": "300000",
			"fetch.min.bytes": "1", "fetch.max.wait.ms": "500", "fetch.max.bytes": "52428800",
			"max.partition.fetch.bytes": "1048576", "isolation.level": "read_committed", "check.crcs": "false",
			"auto.commit.interval.ms": "1000", "group.instance.id": "i1", "client.rack": "r1", "max.poll.records": "500",
		}},
		{roleAdmin, map[string]string{"bootstrap.servers": "127.0.0.1:1", "request.timeout.ms": "30000", "retry.backoff.ms": "100",
			"metadata.max.age.ms": "300000", "connections.max.idle.ms": "540000", "socket.connection.setup.timeout.ms": "10000"}},
	}
	for i, tc := range tests {
		var warn bytes.Buffer
		opts, err := clientOpts(tc.props, tc.role, &warn)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if warn.Len() > 0 {
			t.Errorf("%d: unexpected warnings %q", i, warn.String())
		}
		if tc.role == roleConsumer {
			opts = append(opts, kgo.ConsumeTopics("t"))
		}
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			t.Fatalf("%d: kgo rejects the mapped options: %v", i, err)
		}
		cl.Close()
	}
}

// Producers send uncompressed unless compression.type is set, as Kafka's do
// (franz-go on its own would choose snappy).
func TestProducerCompressionDefault(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  kgo.CompressionCodec
	}{
		{map[string]string{"bootstrap.servers": "127.0.0.1:1"}, kgo.NoCompression()},
		{map[string]string{"bootstrap.servers": "127.0.0.1:1", "compression.type": "zstd"}, kgo.ZstdCompression()},
	} {
		opts, err := clientOpts(tc.props, roleProducer, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			t.Fatal(err)
		}
		codecs := cl.OptValues(kgo.ProducerBatchCompression)
		cl.Close()
		if len(codecs) == 0 {
			t.Fatalf("%v: no compression option", tc.props)
		}
		if want := []kgo.CompressionCodec{tc.want}; !reflect.DeepEqual(codecs[0], want) {
			t.Fatalf("%v: producer compression %#v, want %#v", tc.props, codecs[0], want)
		}
	}
}
