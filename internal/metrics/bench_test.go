package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/testserver"
)

// BenchmarkScrape scrapes /metrics of a node with many partitions and
// groups: 1,000 topics of 10 partitions, one record in each partition and
// 1,000 groups, each with committed offsets for the 10 partitions of one
// topic (so every group partition lags by one record).
// ODRADEK_BENCH_TOPICS and ODRADEK_BENCH_GROUPS change the counts: a log
// keeps two files open, so 10,000 partitions need more than 20,000 file
// descriptors.
func BenchmarkScrape(b *testing.B) {
	topics, groups := 1000, 1000
	if v, err := strconv.Atoi(os.Getenv("ODRADEK_BENCH_TOPICS")); err == nil && v > 0 {
		topics = v
	}
	if v, err := strconv.Atoi(os.Getenv("ODRADEK_BENCH_GROUPS")); err == nil && v > 0 {
		groups = v
	}
	const perTopic = 10
	srv := testserver.Start(b, "log.segment.bytes=1048576", "offsets.topic.num.partitions=10")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.RequestTimeoutOverhead(time.Minute))
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	name := func(i int) string { return fmt.Sprintf("bench-%04d", i) }
	for start := 0; start < topics; start += 100 {
		var names []string
		for i := start; i < min(start+100, topics); i++ {
			names = append(names, name(i))
		}
		resp, err := adm.CreateTopics(ctx, perTopic, 1, nil, names...)
		if err != nil {
			b.Fatal(err)
		}
		if err := resp.Error(); err != nil {
			b.Fatal(err)
		}
	}
	var recs []*kgo.Record
	for i := 0; i < topics; i++ {
		for p := int32(0); p < perTopic; p++ {
			recs = append(recs, &kgo.Record{Topic: name(i), Partition: p, Value: []byte("v")})
		}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		b.Fatal(err)
	}
	for g := 0; g < groups; g++ {
		offs := kadm.Offsets{}
		for p := int32(0); p < perTopic; p++ {
			offs.AddOffset(name(g%topics), p, 0, -1)
		}
		resp, err := adm.CommitOffsets(ctx, fmt.Sprintf("group-%04d", g), offs)
		if err != nil {
			b.Fatal(err)
		}
		if err := resp.Error(); err != nil {
			b.Fatal(err)
		}
	}
	url := "http://" + srv.HTTPAddr() + "/metrics"
	scrapeOnce := func() int64 {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("scrape: %v %s", err, resp.Status)
		}
		return n
	}
	size := scrapeOnce() // fills the timestamp cache, as a first scrape does
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		scrapeOnce()
	}
	b.StopTimer()
	b.ReportMetric(float64(size), "bytes/scrape")
}
