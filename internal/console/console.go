// Package console is the web console served on the HTTP listener: a JSON API
// under /api/ and a static single-page UI embedded in the binary. Everything
// it shows is read through the Kafka protocol from the broker's own client
// listener, with the same requests any client sends; it never reaches into
// broker internals, so it shows exactly what a client would see.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/clock"
)

//go:embed static
var staticFiles embed.FS

// Options configure a Console.
type Options struct {
	// Bootstrap is the broker listener the console connects to (host:port).
	Bootstrap string
	Clock     clock.Clock
	Logger    *slog.Logger
	// Health reports what keeps the node from being ready (the /readyz
	// checks); nil or an empty answer means ready. Optional.
	Health func() []string
	// SampleInterval is how often throughput and lag are sampled for the
	// charts; 0 means 5s.
	SampleInterval time.Duration
	// History is how far back the charts reach; 0 means 15 minutes.
	History time.Duration
	// RequestTimeout bounds the Kafka requests behind one API call; 0
	// means 15s.
	RequestTimeout time.Duration
}

// Console serves the web console. It owns a Kafka client and a sampler
// goroutine; Close stops both.
type Console struct {
	opts    Options
	log     *slog.Logger
	clk     clock.Clock
	cl      *kgo.Client
	adm     *kadm.Client
	sampler *sampler
	mux     *http.ServeMux
	// decompressor decodes fetched batches for the message browser.
	decompressor kgo.Decompressor
	// spread picks partitions for keyless test messages.
	spread atomic.Uint32

	closeOnce sync.Once
}

// New connects a console to the broker at opts.Bootstrap and starts its
// sampler. The connection is made lazily, so New succeeds before the
// listener accepts clients.
func New(opts Options) (*Console, error) {
	if opts.Bootstrap == "" {
		return nil, errors.New("console: no bootstrap address")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SampleInterval <= 0 {
		opts.SampleInterval = 5 * time.Second
	}
	if opts.History <= 0 {
		opts.History = 15 * time.Minute
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 15 * time.Second
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(opts.Bootstrap),
		kgo.ClientID("odradek-console"),
		// The console chooses partitions itself (see produce.go), so that
		// a test message lands where the form says.
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerLinger(0),
		kgo.RetryTimeout(opts.RequestTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("console: creating the Kafka client for %s: %w", opts.Bootstrap, err)
	}
	c := &Console{
		opts: opts,
		log:  opts.Logger.With("component", "console"),
		clk:  opts.Clock,
		cl:   cl,
		adm:  kadm.NewClient(cl),

		decompressor: kgo.DefaultDecompressor(),
	}
	c.sampler = newSampler(opts.Clock, opts.SampleInterval, opts.History, &kafkaSource{c: c}, c.log)
	c.sampler.start()
	c.mux = c.routes()
	return c, nil
}

// Handler serves the UI at / and the JSON API under /api/.
func (c *Console) Handler() http.Handler { return c.mux }

// Close stops the sampler and closes the Kafka client.
func (c *Console) Close() {
	c.closeOnce.Do(func() {
		c.sampler.stop()
		c.cl.Close()
	})
}

func (c *Console) routes() *http.ServeMux {
	mux := http.NewServeMux()
	api := map[string]handlerFunc{
		"GET /api/cluster":                       c.getCluster,
		"GET /api/topics":                        c.listTopics,
		"POST /api/topics":                       c.createTopic,
		"GET /api/topics/{topic}":                c.getTopic,
		"DELETE /api/topics/{topic}":             c.deleteTopic,
		"PATCH /api/topics/{topic}/configs":      c.alterTopicConfigs,
		"GET /api/topics/{topic}/messages":       c.browseMessages,
		"POST /api/topics/{topic}/messages":      c.produceMessage,
		"GET /api/groups":                        c.listGroups,
		"GET /api/groups/{group}":                c.getGroup,
		"POST /api/groups/{group}/reset-offsets": c.resetOffsets,
		"GET /api/metrics/cluster":               c.clusterSeries,
		"GET /api/metrics/topics/{topic}":        c.topicSeries,
		"GET /api/metrics/groups/{group}":        c.groupSeries,
	}
	for pattern, h := range api {
		mux.Handle(pattern, c.serveAPI(h))
	}
	mux.Handle("/api/", c.serveAPI(func(*http.Request) (any, error) {
		return nil, notFound("no such API endpoint")
	}))
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(fmt.Sprintf("console: embedded assets: %v", err)) // a build defect, not input
	}
	mux.Handle("/", noCache(http.FileServerFS(static)))
	return mux
}

// requestContext bounds the Kafka requests behind one API call. It also
// makes kadm send every Metadata request instead of answering from the
// client's cache: pages are read right after the console's own writes, and
// a topic created a moment ago must be listed.
func (c *Console) requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(kadm.WithAuthorizedOps(r.Context()), c.opts.RequestTimeout)
}

// noCache makes browsers revalidate the embedded assets, so an upgraded
// binary never runs against stale scripts.
func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}
