// Package controller is the quorum controller: a deterministic state machine
// over the metadata log. One event loop runs one command at a time; a
// command reads the controller's view (committed image plus its own records
// still in flight), returns records and a response, and the response is
// released only after those records are committed and applied. Invalid input
// produces no records.
package controller

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/raft"
)

// Config holds everything the controller needs; zero values take Kafka's
// defaults.
type Config struct {
	NodeID    int32
	ClusterID string // from meta.properties
	Clock     clock.Clock
	// Rand is the source of topic ids, incarnation ids and placement
	// offsets; crypto/rand when nil.
	Rand   io.Reader
	Logger *slog.Logger

	NumPartitions            int32         // num.partitions (1)
	DefaultReplicationFactor int16         // default.replication.factor (1)
	BrokerSessionTimeout     time.Duration // broker.session.timeout.ms (9s)
	BrokerHeartbeatInterval  time.Duration // broker.heartbeat.interval.ms (2s)
	// DeleteTopicDisable inverts delete.topic.enable (default true).
	DeleteTopicDisable bool

	// ValidateTopicConfig checks one topic config (unknown name or bad
	// value); nil accepts everything.
	ValidateTopicConfig func(name, value string) error
	// ValidateBrokerConfig checks one dynamic broker config; perBroker is
	// false for the cluster-wide default resource "". nil accepts everything.
	ValidateBrokerConfig func(name, value string, perBroker bool) error
	// ValidateGroupConfigValue checks one group config key and value;
	// ValidateGroupConfig checks a group's whole resulting override set
	// against the broker bounds (clusterDyn: the dynamic cluster-wide
	// broker configs). Nil accepts anything.
	ValidateGroupConfigValue func(name, value string) error
	ValidateGroupConfig      func(clusterDyn, overrides map[string]string) error
	// IsListConfig reports whether APPEND/SUBTRACT apply to a config; nil
	// treats every config as a list.
	IsListConfig func(resourceType int8, name string) bool
	// ConfigDefault gives the value APPEND/SUBTRACT start from when no
	// dynamic value is set; nil means "empty list".
	ConfigDefault func(resourceType int8, name string) (string, bool)
	// TopicResponseConfigs fills CreateTopics v5+ per-topic configs; nil
	// returns only the configs set in the request.
	TopicResponseConfigs func(topic string, overrides map[string]string) []ConfigEntry

	// BootstrapFeatures are written as FeatureLevelRecords when the first
	// leader finds the log has none (e.g. metadata.version).
	BootstrapFeatures map[string]int16
	// SupportedFeatures are the feature ranges this controller supports;
	// UpdateFeatures refuses levels outside them. nil accepts any level.
	SupportedFeatures []metadata.FeatureRange
}

// ConfigEntry is one config in a CreateTopics response.
type ConfigEntry struct {
	Name        string
	Value       *string
	ReadOnly    bool
	Source      int8
	IsSensitive bool
}

func (c *Config) defaults() {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.NumPartitions <= 0 {
		c.NumPartitions = 1
	}
	if c.DefaultReplicationFactor <= 0 {
		c.DefaultReplicationFactor = 1
	}
	if c.BrokerSessionTimeout <= 0 {
		c.BrokerSessionTimeout = 9 * time.Second
	}
	if c.BrokerHeartbeatInterval <= 0 {
		c.BrokerHeartbeatInterval = 2 * time.Second
	}
}

// Quorum is what the controller needs from the metadata quorum (*raft.Node).
type Quorum interface {
	ProposeAsync(records [][]byte) raft.Future
	AddListener(l raft.Listener)
}

// ImageSource is the committed metadata image (*metadata.Loader).
type ImageSource interface {
	Image() *metadata.Image
	AddPublisher(p metadata.Publisher)
	RemovePublisher(p metadata.Publisher)
}

// ErrClosed is returned by commands after Close.
var ErrClosed = errors.New("controller: closed")

// Controller is the quorum controller. Its methods are safe for concurrent
// use; they queue onto the event loop.
type Controller struct {
	cfg    Config
	log    *slog.Logger
	q      Quorum
	images ImageSource

	mu     sync.Mutex
	events []func()
	wake   chan struct{}
	closed bool

	ctx    context.Context
	cancel context.CancelFunc
	donec  chan struct{}
	wg     sync.WaitGroup

	readyMu sync.Mutex
	readyCh chan struct{} // closed while active

	// Loop-owned state.
	committed   *metadata.Image
	spec        *metadata.Image // committed + in-flight records
	inflight    []*pending      // proposals in log order
	leaderEpoch int64           // epoch we lead, -1 if not leader
	active      bool
	brokers     map[int32]*brokerSession
	// onOffset, set by a command while it runs, learns the offset its
	// records commit at.
	onOffset func(offset int64)
}

type pending struct {
	offset   int64 // -1 until committed
	onOffset func(int64)
	resp     any
	done     chan cmdResult
	barriers []chan cmdResult
}

type cmdResult struct {
	resp any
	err  error
}

// New builds a controller over q (registering itself as a raft listener, so
// call it before the node starts) and images (the loader applying the same
// log). Start it with Start.
func New(cfg Config, q Quorum, images ImageSource) *Controller {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	c := &Controller{
		cfg: cfg, log: cfg.Logger.With("component", "controller", "node", cfg.NodeID), q: q, images: images,
		wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, donec: make(chan struct{}),
		leaderEpoch: -1, brokers: map[int32]*brokerSession{}, readyCh: make(chan struct{}),
	}
	c.committed = images.Image()
	c.spec = c.committed
	q.AddListener(c)
	return c
}

// Start runs the event loop and subscribes to image updates.
func (c *Controller) Start() {
	go c.run()
	c.images.AddPublisher(c)
}

// Close stops the loop; queued and in-flight commands fail with ErrClosed.
func (c *Controller) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	c.images.RemovePublisher(c)
	c.cancel()
	<-c.donec
	c.wg.Wait()
}

// post queues fn onto the event loop; it never blocks.
func (c *Controller) post(fn func()) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	c.events = append(c.events, fn)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return true
}

func (c *Controller) run() {
	defer close(c.donec)
	for {
		select {
		case <-c.ctx.Done():
			c.deactivate(ErrClosed)
			return
		case <-c.wake:
		}
		c.mu.Lock()
		evs := c.events
		c.events = nil
		c.mu.Unlock()
		for _, fn := range evs {
			fn()
		}
	}
}

// Name implements metadata.Publisher.
func (c *Controller) Name() string { return "controller" }

// OnMetadataUpdate implements metadata.Publisher.
func (c *Controller) OnMetadataUpdate(_ *metadata.Delta, img *metadata.Image) {
	c.post(func() { c.onImage(img) })
}

// OnCommit implements raft.Listener; the controller learns of commits
// through the image instead.
func (c *Controller) OnCommit(raft.CommittedBatch) {}

// OnSnapshot implements raft.Listener (see OnCommit).
func (c *Controller) OnSnapshot(raft.Snapshot) {}

// OnLeaderChange implements raft.Listener.
func (c *Controller) OnLeaderChange(leader int32, epoch int64) {
	c.post(func() { c.onLeaderChange(leader, epoch) })
}

func (c *Controller) onLeaderChange(leader int32, epoch int64) {
	if leader == c.cfg.NodeID {
		if c.leaderEpoch != epoch {
			c.deactivate(kerr.NotController)
			c.leaderEpoch = epoch
			c.maybeActivate()
		}
		return
	}
	c.deactivate(kerr.NotController)
	c.leaderEpoch = -1
}

// maybeActivate starts serving once the image includes an entry of our own
// epoch: everything committed by earlier leaders is then applied.
func (c *Controller) maybeActivate() {
	if c.active || c.leaderEpoch < 0 || c.committed.Epoch < c.leaderEpoch {
		return
	}
	c.active = true
	c.spec = c.committed
	c.log.Info("controller active", "epoch", c.leaderEpoch, "offset", c.committed.Offset)
	// Every registered broker gets a full session from now, as after a
	// controller failover in Kafka.
	for _, id := range c.committed.BrokerIDs() {
		c.touchBroker(c.committed.Brokers[id])
	}
	c.bootstrapFeatures()
	c.readyMu.Lock()
	close(c.readyCh)
	c.readyMu.Unlock()
}

func (c *Controller) deactivate(err error) {
	if c.active {
		c.readyMu.Lock()
		c.readyCh = make(chan struct{})
		c.readyMu.Unlock()
	}
	c.active = false
	for _, p := range c.inflight {
		c.finish(p, cmdResult{err: err})
	}
	c.inflight = nil
	for _, s := range c.brokers {
		s.stop()
	}
	c.brokers = map[int32]*brokerSession{}
	c.spec = c.committed
}

// WaitReady blocks until this node is the active controller.
func (c *Controller) WaitReady(ctx context.Context) error {
	c.readyMu.Lock()
	ch := c.readyCh
	c.readyMu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return ErrClosed
	}
}

func (c *Controller) onImage(img *metadata.Image) {
	c.committed = img
	for len(c.inflight) > 0 {
		p := c.inflight[0]
		if p.offset < 0 || p.offset > img.Offset {
			break
		}
		c.inflight = c.inflight[1:]
		c.finish(p, cmdResult{resp: p.resp})
	}
	if len(c.inflight) == 0 {
		c.spec = img
	}
	c.maybeActivate()
}

func (c *Controller) finish(p *pending, r cmdResult) {
	if p.done != nil {
		p.done <- r
	}
	for _, b := range p.barriers {
		b <- cmdResult{}
	}
}

// command is the body of one controller operation, run on the loop against
// c.spec. It returns the records to commit and the response to release.
type command func() (records []metadata.Record, resp any, err error)

// exec runs cmd on the event loop and waits for its records to commit.
func (c *Controller) exec(ctx context.Context, cmd command) (any, error) {
	done := make(chan cmdResult, 1)
	if !c.post(func() { c.runCommand(cmd, done) }) {
		return nil, ErrClosed
	}
	select {
	case r := <-done:
		return r.resp, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.ctx.Done():
		return nil, ErrClosed
	}
}

func (c *Controller) runCommand(cmd command, done chan cmdResult) {
	if !c.active {
		done <- cmdResult{err: kerr.NotController}
		return
	}
	c.onOffset = nil
	recs, resp, err := cmd()
	hook := c.onOffset
	c.onOffset = nil
	if err != nil || len(recs) == 0 {
		done <- cmdResult{resp: resp, err: err}
		return
	}
	if p := c.propose(recs, resp, done); p != nil {
		p.onOffset = hook
	}
}

// propose appends records (already validated against c.spec) and folds them
// into c.spec so the next command sees them.
func (c *Controller) propose(recs []metadata.Record, resp any, done chan cmdResult) *pending {
	enc, err := metadata.EncodeAll(recs)
	if err == nil {
		d := metadata.NewDelta(c.spec)
		if err = d.ReplayAll(recs); err == nil {
			c.spec = d.Apply()
		}
	}
	if err != nil {
		// Our own records failed to apply to our own view: a bug. Refuse
		// rather than write something replicas cannot replay.
		c.log.Error("controller generated invalid records", "err", err)
		if done != nil {
			done <- cmdResult{err: fmt.Errorf("controller: generated invalid records: %w", err)}
		}
		return nil
	}
	p := &pending{offset: -1, resp: resp, done: done}
	c.inflight = append(c.inflight, p)
	fut := c.q.ProposeAsync(enc)
	epoch := c.leaderEpoch
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		off, err := fut.Wait(c.ctx)
		c.post(func() { c.onProposed(p, epoch, off, err) })
	}()
	return p
}

func (c *Controller) onProposed(p *pending, epoch, off int64, err error) {
	if epoch != c.leaderEpoch || !c.active {
		return // deactivate already failed it
	}
	if err != nil {
		if errors.Is(err, raft.ErrNotLeader) {
			err = kerr.NotController
		}
		c.log.Warn("controller proposal failed", "err", err)
		// Later in-flight records were built on these; drop them all and
		// start again from the committed image.
		for _, q := range c.inflight {
			if q == p {
				c.finish(q, cmdResult{err: err})
			} else {
				c.finish(q, cmdResult{err: kerr.NotController})
			}
		}
		c.inflight = nil
		c.spec = c.committed
		return
	}
	p.offset = off
	if p.onOffset != nil {
		p.onOffset(off)
	}
	c.onImage(c.committed)
}

// Barrier returns once every command queued before it has been released;
// tests and the server use it to wait for timer-driven work.
func (c *Controller) Barrier(ctx context.Context) error {
	done := make(chan cmdResult, 1)
	if !c.post(func() {
		if n := len(c.inflight); n > 0 {
			c.inflight[n-1].barriers = append(c.inflight[n-1].barriers, done)
			return
		}
		done <- cmdResult{}
	}) {
		return ErrClosed
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return ErrClosed
	}
}

// internal proposes records not tied to a caller (fencing on timeout).
func (c *Controller) internal(recs []metadata.Record) {
	if len(recs) > 0 && c.active {
		c.propose(recs, nil, nil)
	}
}

func (c *Controller) bootstrapFeatures() {
	var recs []metadata.Record
	for _, name := range slices.Sorted(maps.Keys(c.cfg.BootstrapFeatures)) {
		if _, ok := c.spec.Features[name]; !ok && c.cfg.BootstrapFeatures[name] > 0 {
			recs = append(recs, &metadata.FeatureLevelRecord{Name: name, FeatureLevel: c.cfg.BootstrapFeatures[name]})
		}
	}
	c.internal(recs)
}
