package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// readToEnd consumes partition 0 of topic from the beginning up to its
// current end and returns every record.
func readToEnd(ctx context.Context, t *testing.T, bootstrap string, adm *kadm.Client, topic string) []*kgo.Record {
	t.Helper()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	end, _ := ends.Lookup(topic, 0)
	cl := newClient(t, bootstrap, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}))
	defer cl.Close()
	var got []*kgo.Record
	for len(got) == 0 || got[len(got)-1].Offset < end.Offset-1 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d records before timeout (end %d)", len(got), end.Offset)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s/%d: %v", topic, p, err) })
		got = append(got, fs.Records()...)
	}
	return got
}

func TestCompactionKeepsLatestPerKey(t *testing.T) {
	srv := startServer(t, "log.cleaner.backoff.ms=100")
	adm := newAdmin(t, srv.Bootstrap)
	const topic = "compacted"
	cfg := func(s string) *string { return &s }
	createTopic(t, adm, topic, 1, map[string]*string{
		"cleanup.policy":      cfg("compact"),
		"segment.bytes":       cfg("1048576"),
		"delete.retention.ms": cfg("500"),
	})
	ctx := ctxT(t)
	p := newClient(t, srv.Bootstrap, kgo.DefaultProduceTopic(topic), kgo.ProducerLinger(0),
		kgo.ProducerBatchCompression(kgo.NoCompression()))
	pad := strings.Repeat("x", 2000)
	var recs []*kgo.Record
	latest := map[string]string{}
	for i := 0; i < 1200; i++ { // ~2.4 MB of updates to eight keys
		k := fmt.Sprintf("k%d", i%8)
		v := fmt.Sprintf("%s-v%d-%s", k, i, pad)
		latest[k] = v
		recs = append(recs, &kgo.Record{Key: []byte(k), Value: []byte(v)})
	}
	for _, k := range []string{"k6", "k7"} { // tombstones
		recs = append(recs, &kgo.Record{Key: []byte(k)})
		delete(latest, k)
	}
	for i := 0; i < 600; i++ { // unique keys push the above out of the active segment
		k := fmt.Sprintf("f%d", i)
		latest[k] = k + pad
		recs = append(recs, &kgo.Record{Key: []byte(k), Value: []byte(k + pad)})
	}
	for _, r := range recs {
		if err := p.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	// The cleaner runs every 100ms; tombstones go once delete.retention.ms
	// after the pass that stamped their horizon has passed.
	for {
		got := readToEnd(ctx, t, srv.Bootstrap, adm, topic)
		seen := map[string]int{}
		current, tombstones := 0, 0
		for _, r := range got {
			k := string(r.Key)
			seen[k]++
			if v, live := latest[k]; live && string(r.Value) == v {
				current++
			} else if !live && r.Value == nil {
				tombstones++
			}
		}
		if current == len(latest) && len(got) == current {
			for k := range latest {
				if seen[k] != 1 {
					t.Fatalf("key %s seen %d times", k, seen[k])
				}
			}
			return // compacted, tombstones gone after delete.retention.ms
		}
		select {
		case <-ctx.Done():
			t.Fatalf("log not compacted before timeout: %d records, %d current, %d tombstones", len(got), current, tombstones)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
