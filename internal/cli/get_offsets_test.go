package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// produceAt writes records with the given millisecond timestamps to one partition.
func produceAt(t *testing.T, bs, topic string, partition int32, millis ...int64) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bs), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, ms := range millis {
		r := &kgo.Record{Topic: topic, Partition: partition, Value: []byte("v"), Timestamp: time.UnixMilli(ms)}
		if err := cl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}
}

func TestGetOffsets(t *testing.T) {
	bs := startBroker(t)
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "a", "--partitions", "2")
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "b", "--partitions", "1")
	produceAt(t, bs, "a", 0, 1000, 2000, 3000)
	produceAt(t, bs, "a", 1, 5000)

	tests := []struct {
		args []string
		want string
	}{
		{nil, "a:0:3\na:1:1\nb:0:0\n"},
		{[]string{"--time", "-1"}, "a:0:3\na:1:1\nb:0:0\n"},
		{[]string{"--time", "-2"}, "a:0:0\na:1:0\nb:0:0\n"},
		{[]string{"--time", "earliest", "--topic", "a"}, "a:0:0\na:1:0\n"},
		{[]string{"--time", "2000", "--topic", "a"}, "a:0:1\na:1:0\n"},
		{[]string{"--time", "4000", "--topic", "a"}, "a:1:0\n"}, // no offset at or after 4000 in a:0
		{[]string{"--time", "-3", "--topic", "a", "--partitions", "0"}, "a:0:2\n"},
		{[]string{"--topic", "a|b", "--partitions", "0"}, "a:0:3\nb:0:0\n"},
		{[]string{"--topic-partitions", "a:1,b"}, "a:1:1\nb:0:0\n"},
		{[]string{"--topic-partitions", "a:0-1"}, "a:0:3\n"},
		{[]string{"--topic-partitions", ":1-"}, "a:1:1\n"},
		{[]string{"--exclude-internal-topics", "--topic", "b"}, "b:0:0\n"},
	}
	for _, tc := range tests {
		args := append([]string{"get-offsets", "--bootstrap-server", bs}, tc.args...)
		if got := mustRun(t, "", args...); got != tc.want {
			t.Errorf("%v:\n%s\nwant:\n%s", tc.args, got, tc.want)
		}
	}

	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--topic", "nope"}, "could not match any topic-partitions"},
		{[]string{"--time", "yesterday"}, "malformed time argument yesterday"},
		{[]string{"--topic-partitions", "a:1", "--topic", "a"}, "cannot be used with --topic"},
		{[]string{"--partitions", "x"}, "comma separated list of numeric partition ids"},
		{[]string{"--topic-partitions", "a:b:c"}, "invalid rule specification"},
	}
	for _, tc := range bad {
		args := append([]string{"get-offsets", "--bootstrap-server", bs}, tc.args...)
		if _, _, err := runCLI(t, "", args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want containing %q", tc.args, err, tc.want)
		}
	}
}
