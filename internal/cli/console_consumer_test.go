package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestMessageFormatter(t *testing.T) {
	rec := &kgo.Record{
		Topic: "t", Partition: 3, Offset: 42, Timestamp: time.UnixMilli(1700000000123),
		Key: []byte("k"), Value: []byte("v"),
		Headers: []kgo.RecordHeader{{Key: "a", Value: []byte("1")}, {Key: "b"}},
	}
	tests := []struct {
		name  string
		props map[string]string
		rec   *kgo.Record
		want  string
	}{
		{name: "value only", want: "v\n"},
		{name: "everything", props: map[string]string{"print.timestamp": "true", "print.partition": "true", "print.offset": "true",
			"print.headers": "true", "print.key": "true"},
			want: "CreateTime:1700000000123\tPartition:3\tOffset:42\ta:1,b:null\tk\tv\n"},
		{name: "separators and null literal", props: map[string]string{"print.key": "true", "print.headers": "true",
			"key.separator": " | ", "headers.separator": ";", "line.separator": "\r\n", "null.literal": "<nil>"},
			want: "a:1;b:<nil> | k | v\r\n"},
		{name: "no value", props: map[string]string{"print.key": "true", "print.value": "false"}, want: "k\n"},
		{name: "null key", props: map[string]string{"print.key": "TRUE"}, rec: &kgo.Record{Value: []byte("v")}, want: "null\tv\n"},
		{name: "no headers", props: map[string]string{"print.headers": "true"}, rec: &kgo.Record{Value: []byte("v")}, want: "NO_HEADERS\tv\n"},
		{name: "delivery", props: map[string]string{"print.delivery": "true"}, want: "Delivery:NOT_PRESENT\tv\n"},
		{name: "epoch", props: map[string]string{"print.epoch": "true", "print.offset": "true"}, rec: &kgo.Record{Offset: 7, LeaderEpoch: 3, Value: []byte("v")}, want: "Offset:7\tEpoch:3\tv\n"},
		{name: "no epoch", props: map[string]string{"print.epoch": "true"}, rec: &kgo.Record{LeaderEpoch: -1, Value: []byte("v")}, want: "Epoch:NOT_PRESENT\tv\n"},
		{name: "integer and long deserializers", props: map[string]string{"print.key": "true",
			"key.deserializer":   "org.apache.kafka.common.serialization.IntegerDeserializer",
			"value.deserializer": "org.apache.kafka.common.serialization.LongDeserializer"},
			rec: &kgo.Record{Key: []byte{0xff, 0xff, 0xff, 0xfe}, Value: []byte{0, 0, 0, 0, 0, 0, 1, 0}}, want: "-2\t256\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := newMessageFormatter(tc.props)
			if err != nil {
				t.Fatal(err)
			}
			r := tc.rec
			if r == nil {
				r = rec
			}
			var out bytes.Buffer
			if err := f.write(&out, r); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Fatalf("got %q, want %q", out.String(), tc.want)
			}
		})
	}
	f, err := newMessageFormatter(map[string]string{"value.deserializer": "org.apache.kafka.common.serialization.IntegerDeserializer"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.write(&bytes.Buffer{}, &kgo.Record{Value: []byte("abc")}); err == nil || !strings.Contains(err.Error(), "not 4") {
		t.Fatalf("short integer value: err = %v", err)
	}
}

func TestConsoleConsumerInclude(t *testing.T) {
	bs := startBroker(t)
	for _, topic := range []string{"logs-a", "logs-b", "other"} {
		mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", topic, "--partitions", "1")
		mustRun(t, topic+"\n", "console-producer", "--bootstrap-server", bs, "--topic", topic)
	}
	out := mustRun(t, "", "console-consumer", "--bootstrap-server", bs, "--include", "logs-.*", "--from-beginning", "--max-messages", "2")
	got := strings.Fields(out)
	if len(got) != 2 || strings.Contains(out, "other") || !strings.Contains(out, "logs-a") || !strings.Contains(out, "logs-b") {
		t.Fatalf("--include consumed %q", out)
	}
}
