// Package runtime hosts coordinator state machines, one per partition of a
// coordinator's internal topic (__consumer_offsets for groups). A shard is
// rebuilt by replaying its partition when this broker becomes its leader;
// afterwards every write runs under the shard's lock, appends the records it
// produced, and its response is released once they are committed (high
// watermark). Timers come from an injected clock and run as writes. Nothing
// here knows about groups: transaction and share coordinators reuse it.
package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/clock"
)

// Record is one key/value written to the coordinator's partition; a nil
// Value is a tombstone (the key is deleted on compaction).
type Record struct {
	Key, Value []byte
}

// Shard is a deterministic state machine for one partition.
type Shard interface {
	// Replay applies a record read back from the log while loading.
	Replay(offset int64, key, value []byte) error
	// Loaded is called once replay has reached the log end, under the
	// shard lock, before any write; timers may be scheduled from here.
	Loaded(t *Timers)
	// Unloaded is called when the shard stops being hosted here, under
	// the shard lock; pending responses must be failed with NOT_COORDINATOR.
	Unloaded()
}

// Result is what a write operation produces.
type Result struct {
	Records []Record
	// Apply runs under the shard lock after the records were appended
	// (not yet committed): state that must only change once the write is
	// in the log changes here.
	Apply func()
	// Done runs without the lock once the records are committed, or with
	// the append or replication error.
	Done func(err error)
}

// PartitionLog is what a shard's partition offers the runtime.
type PartitionLog interface {
	// Append writes one record batch as leader; end is the offset after it.
	Append(batch []byte) (end int64, err error)
	// WaitCommitted blocks until offsets below end are committed.
	WaitCommitted(ctx context.Context, end int64) error
	// Read returns whole batches starting at offset, stopping before end.
	Read(offset, end int64) ([]byte, error)
	// Bounds are the log start and end offsets.
	Bounds() (start, end int64)
	// LeaderEpoch is stamped into the batches written.
	LeaderEpoch() int32
}

// Config wires a Runtime.
type Config struct {
	Clock  clock.Clock
	Logger *slog.Logger
	// NewShard builds the empty state machine of a partition.
	NewShard func(partition int32) Shard
	// WriteTimeout bounds a timer-driven write's wait for commit.
	WriteTimeout time.Duration
}

// Runtime hosts shards.
type Runtime struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	shards map[int32]*shardCtx
	closed bool
	wg     sync.WaitGroup
}

type shardState int

const (
	stateLoading shardState = iota
	stateActive
	stateClosed
)

type shardCtx struct {
	partition int32
	epoch     int32
	log       PartitionLog

	// loaded is closed when replay has finished; active mirrors
	// state == stateActive for readers that must not wait for the lock.
	loaded chan struct{}
	active atomic.Bool

	mu     sync.Mutex
	state  shardState
	shard  Shard
	timers *Timers
}

// New builds a runtime hosting nothing yet.
func New(cfg Config) *Runtime {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	return &Runtime{cfg: cfg, log: cfg.Logger, shards: map[int32]*shardCtx{}}
}

// ErrNotCoordinator and ErrLoading wrap the Kafka codes clients retry on.
var (
	ErrNotCoordinator = kerr.NotCoordinator
	ErrLoading        = kerr.CoordinatorLoadInProgress
)

// Load starts hosting partition at leader epoch epoch: the shard is replayed
// from log in the background and serves writes once done. Loading an
// already hosted partition at the same or an older epoch does nothing.
func (r *Runtime) Load(partition, epoch int32, log PartitionLog) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if old := r.shards[partition]; old != nil {
		if old.epoch >= epoch {
			r.mu.Unlock()
			return
		}
		r.unloadLocked(partition)
	}
	sc := &shardCtx{partition: partition, epoch: epoch, log: log, shard: r.cfg.NewShard(partition), loaded: make(chan struct{})}
	sc.timers = &Timers{rt: r, sc: sc, timers: map[string]clock.Timer{}}
	r.shards[partition] = sc
	r.wg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		r.replay(sc)
	}()
}

// replay runs without the shard lock, so that unloading (on the metadata
// publisher's goroutine) never waits for a long load: while loading, no
// operation touches the shard, and an unload only marks it closed.
func (r *Runtime) replay(sc *shardCtx) {
	start, end := sc.log.Bounds()
	n, err := replayLog(sc.log, sc.shard, start, end)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.state != stateLoading {
		return
	}
	if err != nil {
		// The shard stays loading: clients retry COORDINATOR_LOAD_IN_PROGRESS
		// rather than see state missing what could not be read.
		r.log.Error("cannot load coordinator partition", "partition", sc.partition, "err", err)
		return
	}
	sc.state = stateActive
	sc.active.Store(true)
	sc.shard.Loaded(sc.timers)
	close(sc.loaded)
	r.log.Info("loaded coordinator partition", "partition", sc.partition, "epoch", sc.epoch, "records", n)
}

// WaitLoaded blocks until partition has finished loading.
func (r *Runtime) WaitLoaded(ctx context.Context, partition int32) error {
	sc, err := r.shard(partition)
	if err != nil {
		return err
	}
	select {
	case <-sc.loaded:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unload stops hosting partition (leadership moved or topic deleted).
func (r *Runtime) Unload(partition int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unloadLocked(partition)
}

func (r *Runtime) unloadLocked(partition int32) {
	sc := r.shards[partition]
	if sc == nil {
		return
	}
	delete(r.shards, partition)
	sc.active.Store(false)
	sc.mu.Lock()
	wasActive := sc.state == stateActive
	sc.state = stateClosed
	sc.timers.cancelAll()
	if wasActive {
		sc.shard.Unloaded()
	}
	sc.mu.Unlock()
}

// Hosted reports the partitions hosted (loading or active).
func (r *Runtime) Hosted() map[int32]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[int32]bool, len(r.shards))
	for p, sc := range r.shards {
		out[p] = sc.active.Load()
	}
	return out
}

// Close unloads every shard and waits for loads in progress.
func (r *Runtime) Close() {
	r.mu.Lock()
	r.closed = true
	for p := range r.shards {
		r.unloadLocked(p)
	}
	r.mu.Unlock()
	r.wg.Wait()
}

func (r *Runtime) shard(partition int32) (*shardCtx, error) {
	r.mu.Lock()
	sc := r.shards[partition]
	r.mu.Unlock()
	if sc == nil {
		return nil, fmt.Errorf("coordinator partition %d is not hosted here: %w", partition, ErrNotCoordinator)
	}
	return sc, nil
}

// Read runs fn under the shard lock without writing.
func (r *Runtime) Read(partition int32, fn func(s Shard, t *Timers) error) error {
	sc, err := r.shard(partition)
	if err != nil {
		return err
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if err := sc.ready(); err != nil {
		return err
	}
	return fn(sc.shard, sc.timers)
}

// Write runs op under the shard lock, appends the records it returns and
// waits until they are committed. op's error aborts the write.
func (r *Runtime) Write(ctx context.Context, partition int32, op func(s Shard, t *Timers) (Result, error)) error {
	sc, err := r.shard(partition)
	if err != nil {
		return err
	}
	return r.write(ctx, sc, op)
}

func (sc *shardCtx) ready() error {
	switch sc.state {
	case stateLoading:
		return fmt.Errorf("coordinator partition %d is loading: %w", sc.partition, ErrLoading)
	case stateClosed:
		return fmt.Errorf("coordinator partition %d moved: %w", sc.partition, ErrNotCoordinator)
	}
	return nil
}

func (r *Runtime) write(ctx context.Context, sc *shardCtx, op func(s Shard, t *Timers) (Result, error)) error {
	sc.mu.Lock()
	if err := sc.ready(); err != nil {
		sc.mu.Unlock()
		return err
	}
	res, err := op(sc.shard, sc.timers)
	if err != nil {
		sc.mu.Unlock()
		return err
	}
	var end int64 = -1
	if len(res.Records) > 0 {
		batch, err := buildBatch(res.Records, sc.log.LeaderEpoch(), r.cfg.Clock.Now().UnixMilli())
		if err == nil {
			end, err = sc.log.Append(batch)
		}
		if err != nil {
			sc.mu.Unlock()
			err = fmt.Errorf("appending to coordinator partition %d: %w", sc.partition, asCoordinatorError(err))
			if res.Done != nil {
				res.Done(err)
			}
			return err
		}
	}
	if res.Apply != nil {
		res.Apply()
	}
	sc.mu.Unlock()
	if end >= 0 {
		err = sc.log.WaitCommitted(ctx, end)
		if err != nil {
			err = fmt.Errorf("committing to coordinator partition %d: %w", sc.partition, asCoordinatorError(err))
		}
	}
	if res.Done != nil {
		res.Done(err)
	}
	return err
}

// asCoordinatorError maps log errors to what Kafka's coordinators answer:
// a lost leadership is NOT_COORDINATOR, anything else that is not already a
// coordinator error is COORDINATOR_NOT_AVAILABLE (clients retry both).
func asCoordinatorError(err error) error {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		switch ke {
		case kerr.NotCoordinator, kerr.CoordinatorLoadInProgress, kerr.CoordinatorNotAvailable, kerr.RequestTimedOut:
			return err
		case kerr.NotLeaderForPartition, kerr.UnknownTopicOrPartition, kerr.FencedLeaderEpoch:
			return fmt.Errorf("%v: %w", err, kerr.NotCoordinator)
		}
	}
	return fmt.Errorf("%v: %w", err, kerr.CoordinatorNotAvailable)
}
