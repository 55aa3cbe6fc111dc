//go:build interop

// Package browser drives the web console in headless Chromium (Debian's
// chromium package) through playwright-core, both installed by
// test/interop/install-deps.sh.
package browser

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/testserver"
)

// TestConsoleInBrowser seeds a topic and a group, then runs console.mjs,
// which clicks through the console and fails on the first difference. With
// UPDATE_SCREENSHOTS=1 it first produces for three minutes, so the charts have
// something to show, and writes docs/screenshots/*.png.
func TestConsoleInBrowser(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	for _, need := range []string{chromium, "node_modules/playwright-core/package.json"} {
		if _, err := os.Stat(need); err != nil {
			t.Fatalf("%s is missing: run `make interop-deps` (test/interop/install-deps.sh): %v", need, err)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not installed: run `make interop-deps`: %v", err)
	}

	srv := testserver.Start(t)
	cl, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seed(t, cl)

	shots := ""
	if os.Getenv("UPDATE_SCREENSHOTS") == "1" {
		shots, err = filepath.Abs("../../../docs/screenshots")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
		// Traffic for a while before the pages are shot, and on while they
		// are, so the charts and rates show a live cluster.
		stop, done := make(chan struct{}), make(chan struct{})
		traffic(t, cl, 3*time.Minute, nil)
		go func() {
			defer close(done)
			traffic(t, cl, 3*time.Minute, stop)
		}()
		defer func() { close(stop); <-done }()
	}

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "console.mjs")
	cmd.Env = append(os.Environ(), "CONSOLE_URL=http://"+srv.HTTPAddr(), "CHROMIUM="+chromium, "SCREENSHOT_DIR="+shots)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	t.Logf("console.mjs output:\n%s", out.String())
	if runErr != nil {
		t.Fatalf("the browser run failed: %v", runErr)
	}

	// What the clicks did, as a client sees it.
	adm := kadm.NewClient(cl)
	topics, err := adm.ListTopics(t.Context(), "clicks")
	if err != nil || len(topics["clicks"].Partitions) != 2 {
		t.Fatalf("topic clicks after the form: %+v %v", topics["clicks"], err)
	}
	configs, err := adm.DescribeTopicConfigs(t.Context(), "clicks")
	if err != nil {
		t.Fatal(err)
	}
	if rc, err := configs.On("clicks", nil); err != nil || configValue(rc, "retention.ms") != "3600000" {
		t.Fatalf("clicks retention.ms after the config form: %q %v", configValue(rc, "retention.ms"), err)
	}
	offsets, err := adm.FetchOffsets(t.Context(), "billing-service")
	if err != nil {
		t.Fatal(err)
	}
	offsets.Each(func(o kadm.OffsetResponse) {
		if o.At != 0 {
			t.Errorf("billing-service %s-%d at %d after the reset to earliest", o.Topic, o.Partition, o.At)
		}
	})
}

func configValue(rc kadm.ResourceConfig, key string) string {
	for _, c := range rc.Configs {
		if c.Key == key {
			return c.MaybeValue()
		}
	}
	return ""
}

// seed makes topic orders (3 partitions: JSON, text and binary values with
// headers, timestamps over the last hour) and a group billing-service with
// committed offsets behind the end.
func seed(t *testing.T, cl *kgo.Client) {
	t.Helper()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(t.Context(), 3, 1, map[string]*string{"retention.ms": kadm.StringPtr("604800000")}, "orders"); err != nil {
		t.Fatalf("create orders: %v", err)
	}
	start := time.Now().Add(-time.Hour)
	var recs []*kgo.Record
	for i := range 90 {
		r := &kgo.Record{
			Topic: "orders", Partition: int32(i % 3),
			Timestamp: start.Add(time.Duration(i) * 30 * time.Second),
			Key:       fmt.Appendf(nil, "order-%04d", i),
			Value:     fmt.Appendf(nil, `{"id":%d,"customer":"c-%d","items":[{"sku":"sku-%d","qty":%d}],"total":%d.%02d,"status":"%s"}`, i, i%17, i%9, 1+i%4, 10+i*3%90, i%100, []string{"new", "paid", "shipped"}[i%3]),
			Headers:   []kgo.RecordHeader{{Key: "source", Value: []byte("web")}, {Key: "trace-id", Value: fmt.Appendf(nil, "%016x", i*7919)}},
		}
		switch i % 10 {
		case 6:
			r.Value = fmt.Appendf(nil, "plain text note for order %d", i)
		case 9:
			r.Value = []byte{0x00, 0x01, 0xfe, 0xff, byte(i), 0x80, 0x7f}
			r.Headers = nil
		}
		recs = append(recs, r)
	}
	if err := cl.ProduceSync(t.Context(), recs...).FirstErr(); err != nil {
		t.Fatalf("produce orders: %v", err)
	}
	offsets := kadm.Offsets{}
	for p, at := range []int64{24, 12, 30} {
		offsets.Add(kadm.Offset{Topic: "orders", Partition: int32(p), At: at, LeaderEpoch: -1})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for {
		// Retried while __consumer_offsets is still loading, as clients do.
		resp, err := adm.CommitOffsets(ctx, "billing-service", offsets)
		if err == nil {
			err = resp.Error()
		}
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("commit billing-service offsets: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// traffic produces to orders at a varying rate for d or until stop closes,
// so that the screenshots' charts show throughput.
func traffic(t *testing.T, cl *kgo.Client, d time.Duration, stop <-chan struct{}) {
	end := time.Now().Add(d)
	for i := 0; time.Now().Before(end); i++ {
		var recs []*kgo.Record
		// A rate that swings over about a minute draws a readable curve.
		for j := range 60 + int(40*math.Sin(float64(i)/40)) {
			recs = append(recs, &kgo.Record{Topic: "orders", Partition: int32(j % 3), Value: fmt.Appendf(nil, `{"id":%d,"status":"new"}`, 1000+i*100+j)})
		}
		if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
			t.Errorf("produce: %v", err)
			return
		}
		select {
		case <-stop:
			return
		case <-time.After(250 * time.Millisecond): // pacing the load, not waiting for a result
		}
	}
}
