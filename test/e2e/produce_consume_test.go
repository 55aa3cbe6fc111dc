package e2e

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func consumeAll(t *testing.T, bootstrap, topic string, want int) []*kgo.Record {
	t.Helper()
	cl := newClient(t, bootstrap, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var got []*kgo.Record
	ctx := ctxT(t)
	for len(got) < want {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records before timeout", len(got), want)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", topic, p, err) })
		got = append(got, fs.Records()...)
	}
	return got
}

func TestProduceConsumeEveryCodec(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	codecs := map[string]kgo.CompressionCodec{
		"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(), "snappy": kgo.SnappyCompression(),
		"lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression(),
	}
	for name, codec := range codecs {
		t.Run(name, func(t *testing.T) {
			topic := "codec-" + name
			createTopic(t, adm, topic, 3, nil)
			p := newClient(t, srv.Bootstrap, kgo.ProducerBatchCompression(codec), kgo.DefaultProduceTopic(topic))
			const n = 300
			var recs []*kgo.Record
			for i := 0; i < n; i++ {
				recs = append(recs, &kgo.Record{
					Key:     []byte("key-" + strconv.Itoa(i%7)),
					Value:   []byte(fmt.Sprintf("value %d of codec %s", i, name)),
					Headers: []kgo.RecordHeader{{Key: "i", Value: []byte(strconv.Itoa(i))}},
				})
			}
			if err := p.ProduceSync(ctxT(t), recs...).FirstErr(); err != nil {
				t.Fatal(err)
			}
			got := consumeAll(t, srv.Bootstrap, topic, n)
			seen := map[string]bool{}
			for _, r := range got {
				i, err := strconv.Atoi(string(r.Headers[0].Value))
				if err != nil || string(r.Value) != fmt.Sprintf("value %d of codec %s", i, name) || string(r.Key) != "key-"+strconv.Itoa(i%7) {
					t.Fatalf("record mismatch: key=%q value=%q headers=%v", r.Key, r.Value, r.Headers)
				}
				seen[string(r.Value)] = true
			}
			if len(seen) != n || len(got) != n {
				t.Fatalf("got %d records (%d distinct), want %d", len(got), len(seen), n)
			}
		})
	}
}

func TestAcksModes(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	for _, tc := range []struct {
		name string
		opts []kgo.Opt
	}{
		{"acks0", []kgo.Opt{kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite()}},
		{"acks1", []kgo.Opt{kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite()}},
		{"acksall", []kgo.Opt{kgo.RequiredAcks(kgo.AllISRAcks())}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			createTopic(t, adm, tc.name, 1, nil)
			p := newClient(t, srv.Bootstrap, append(tc.opts, kgo.DefaultProduceTopic(tc.name))...)
			for i := 0; i < 50; i++ {
				if err := p.ProduceSync(ctxT(t), kgo.StringRecord(strconv.Itoa(i))).FirstErr(); err != nil {
					t.Fatal(err)
				}
			}
			got := consumeAll(t, srv.Bootstrap, tc.name, 50)
			for i, r := range got {
				if string(r.Value) != strconv.Itoa(i) || r.Offset != int64(i) {
					t.Fatalf("record %d: offset %d value %q", i, r.Offset, r.Value)
				}
			}
		})
	}
}

func TestLogAppendTime(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	lat := "LogAppendTime"
	createTopic(t, adm, "lat", 1, map[string]*string{"message.timestamp.type": &lat})
	p := newClient(t, srv.Bootstrap, kgo.DefaultProduceTopic("lat"))
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	before := time.Now().Add(-time.Second)
	if err := p.ProduceSync(ctxT(t), &kgo.Record{Value: []byte("x"), Timestamp: old}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	got := consumeAll(t, srv.Bootstrap, "lat", 1)
	if got[0].Timestamp.Before(before) || got[0].Attrs.TimestampType() != 1 {
		t.Fatalf("want broker timestamp after %v with LogAppendTime type, got %v type %d", before, got[0].Timestamp, got[0].Attrs.TimestampType())
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	srv := startServer(t)
	dir := srv.DataDir
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "durable", 2, nil)
	p := newClient(t, srv.Bootstrap, kgo.DefaultProduceTopic("durable"))
	for i := 0; i < 100; i++ {
		p.Produce(ctxT(t), kgo.StringRecord(strconv.Itoa(i)), nil)
	}
	if err := p.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	p.Close()
	srv.Stop(t)

	srv2 := startServerIn(t, dir)
	got := consumeAll(t, srv2.Bootstrap, "durable", 100)
	if len(got) != 100 {
		t.Fatalf("after restart got %d records", len(got))
	}
	topics, err := newAdmin(t, srv2.Bootstrap).ListTopics(ctxT(t), "durable")
	if err != nil || len(topics["durable"].Partitions) != 2 {
		t.Fatalf("topic after restart: %+v %v", topics, err)
	}
}

// Large produce requests from concurrent producers reuse the server's
// request buffers (network.Config.ReuseFrames): every record read back
// must be the one produced, whatever requests followed it.
func TestLargeConcurrentProducesKeepTheirBytes(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	const topic, producers, perProducer = "big-requests", 4, 800
	createTopic(t, adm, topic, 4, nil)
	value := func(p, i int) []byte {
		v := make([]byte, 9000)
		for j := range v {
			v[j] = byte(p*31 + i*7 + j)
		}
		return v
	}
	errs := make(chan error, producers)
	for p := 0; p < producers; p++ {
		go func() {
			cl, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.DefaultProduceTopic(topic),
				kgo.ProducerLinger(20*time.Millisecond), kgo.ProducerBatchMaxBytes(1<<20))
			if err != nil {
				errs <- err
				return
			}
			defer cl.Close()
			var recs []*kgo.Record
			for i := 0; i < perProducer; i++ {
				recs = append(recs, &kgo.Record{Key: []byte(fmt.Sprintf("%d/%d", p, i)), Value: value(p, i)})
			}
			errs <- cl.ProduceSync(ctxT(t), recs...).FirstErr()
		}()
	}
	for p := 0; p < producers; p++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got := consumeAll(t, srv.Bootstrap, topic, producers*perProducer)
	seen := map[string]bool{}
	for _, r := range got {
		var p, i int
		if _, err := fmt.Sscanf(string(r.Key), "%d/%d", &p, &i); err != nil {
			t.Fatalf("key %q: %v", r.Key, err)
		}
		if !bytes.Equal(r.Value, value(p, i)) {
			t.Fatalf("record %s does not hold the bytes produced", r.Key)
		}
		seen[string(r.Key)] = true
	}
	if len(seen) != producers*perProducer {
		t.Fatalf("%d distinct records, want %d", len(seen), producers*perProducer)
	}
}
