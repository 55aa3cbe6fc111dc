package metadata

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/odradek/odradek/internal/raft"
)

// Publisher receives every metadata change, in log order, on the loader's
// goroutine. It must not block for long: the next update waits for it. It
// must never wait for a controller command or WaitForOffset: those wait for
// this very goroutine to apply later records (a deadlock).
type Publisher interface {
	Name() string
	OnMetadataUpdate(delta *Delta, image *Image)
}

// SnapshotSaver stores a snapshot of state as of lastOffset (raft.Node).
type SnapshotSaver interface {
	SaveSnapshot(lastOffset int64, records [][]byte) error
}

// ErrLoaderClosed is returned by WaitForOffset after Close.
var ErrLoaderClosed = errors.New("metadata: loader closed")

// Loader is a raft.Listener that replays committed records into Images.
// Image() is lock-free; publishers are called on one goroutine, in order.
type Loader struct {
	log   *slog.Logger
	saver SnapshotSaver

	image atomic.Pointer[Image]

	mu         sync.Mutex
	queue      []loaderEvent
	wake       chan struct{}
	closed     bool
	failed     error
	waiters    []offsetWaiter
	leader     int32
	epoch      int64
	publishers []Publisher // owned by run goroutine after start

	stopc chan struct{}
	donec chan struct{}
	once  sync.Once
}

type loaderEvent struct {
	batch   *raft.CommittedBatch
	snap    *raft.Snapshot
	addPub  Publisher
	delPub  Publisher
	wantSnp bool
}

type offsetWaiter struct {
	offset int64
	ch     chan struct{}
}

// NewLoader returns a loader starting from an empty image. saver may be nil
// (then snapshots are never taken); set it before registering the loader as
// the node's Snapshotter.
func NewLoader(clusterID string, saver SnapshotSaver, logger *slog.Logger) *Loader {
	if logger == nil {
		logger = slog.Default()
	}
	l := &Loader{log: logger.With("component", "metadata-loader"), saver: saver, wake: make(chan struct{}, 1),
		stopc: make(chan struct{}), donec: make(chan struct{}), leader: -1, epoch: -1}
	l.image.Store(EmptyImage(clusterID))
	go l.run()
	return l
}

// Image returns the current image; never nil, lock-free.
func (l *Loader) Image() *Image { return l.image.Load() }

// Leader returns the quorum leader and epoch last reported by raft.
func (l *Loader) Leader() (int32, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.leader, l.epoch
}

// Err returns the replay failure that stopped the loader, if any.
func (l *Loader) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed
}

func (l *Loader) push(e loaderEvent) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.queue = append(l.queue, e)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// OnCommit implements raft.Listener.
func (l *Loader) OnCommit(b raft.CommittedBatch) { l.push(loaderEvent{batch: &b}) }

// OnSnapshot implements raft.Listener.
func (l *Loader) OnSnapshot(s raft.Snapshot) { l.push(loaderEvent{snap: &s}) }

// OnLeaderChange implements raft.Listener.
func (l *Loader) OnLeaderChange(leader int32, epoch int64) {
	l.mu.Lock()
	l.leader, l.epoch = leader, epoch
	l.mu.Unlock()
}

// WantSnapshot implements raft.Snapshotter.
func (l *Loader) WantSnapshot() { l.push(loaderEvent{wantSnp: true}) }

// AddPublisher registers p; it first receives the whole current image as a
// delta from the empty image.
func (l *Loader) AddPublisher(p Publisher) { l.push(loaderEvent{addPub: p}) }

// RemovePublisher unregisters p.
func (l *Loader) RemovePublisher(p Publisher) { l.push(loaderEvent{delPub: p}) }

// WaitForOffset returns once the image includes offset (so a request can see
// what the controller just committed), or ctx ends.
func (l *Loader) WaitForOffset(ctx context.Context, offset int64) error {
	if l.Image().Offset >= offset {
		return nil
	}
	ch := make(chan struct{})
	l.mu.Lock()
	if l.failed != nil || l.closed {
		err := l.failed
		l.mu.Unlock()
		if err == nil {
			err = ErrLoaderClosed
		}
		return err
	}
	if l.Image().Offset >= offset {
		l.mu.Unlock()
		return nil
	}
	l.waiters = append(l.waiters, offsetWaiter{offset, ch})
	l.mu.Unlock()
	select {
	case <-ch:
		if l.Image().Offset >= offset {
			return nil
		}
		if err := l.Err(); err != nil {
			return err
		}
		return ErrLoaderClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the loader goroutine. Waiters are released with an error.
func (l *Loader) Close() {
	l.once.Do(func() {
		l.mu.Lock()
		l.closed = true
		l.mu.Unlock()
		close(l.stopc)
		<-l.donec
		l.releaseWaiters(true)
	})
}

func (l *Loader) releaseWaiters(all bool) {
	off := l.Image().Offset
	l.mu.Lock()
	keep := l.waiters[:0]
	for _, w := range l.waiters {
		if all || w.offset <= off {
			close(w.ch)
		} else {
			keep = append(keep, w)
		}
	}
	l.waiters = keep
	l.mu.Unlock()
}

func (l *Loader) run() {
	defer close(l.donec)
	for {
		select {
		case <-l.stopc:
			return
		case <-l.wake:
		}
		l.mu.Lock()
		q := l.queue
		l.queue = nil
		l.mu.Unlock()
		l.process(q)
	}
}

// process applies a run of queued events, coalescing consecutive commits
// into one delta so a burst of records yields one image swap.
func (l *Loader) process(q []loaderEvent) {
	var delta *Delta
	flush := func() {
		if delta == nil {
			return
		}
		img := delta.Apply()
		l.image.Store(img)
		for _, p := range l.publishers {
			p.OnMetadataUpdate(delta, img)
		}
		delta = nil
		l.releaseWaiters(false)
	}
	for _, e := range q {
		if l.Err() != nil {
			return
		}
		switch {
		case e.batch != nil:
			if delta == nil {
				delta = NewDelta(l.Image())
			}
			if err := replayBatch(delta, e.batch); err != nil {
				l.fail(err)
				return
			}
		case e.snap != nil:
			flush()
			img, err := imageFromSnapshot(l.Image().ClusterID, e.snap)
			if err != nil {
				l.fail(err)
				return
			}
			delta = DiffDelta(l.Image(), img)
			flush()
		case e.addPub != nil:
			flush()
			l.publishers = append(l.publishers, e.addPub)
			img := l.Image()
			e.addPub.OnMetadataUpdate(DiffDelta(EmptyImage(img.ClusterID), img), img)
		case e.delPub != nil:
			flush()
			for i, p := range l.publishers {
				if p == e.delPub {
					l.publishers = append(l.publishers[:i:i], l.publishers[i+1:]...)
					break
				}
			}
		case e.wantSnp:
			flush()
			l.snapshot()
		}
	}
	flush()
}

func replayBatch(d *Delta, b *raft.CommittedBatch) error {
	for i, raw := range b.Records {
		r, err := Decode(raw)
		if err != nil {
			return fmt.Errorf("metadata: offset %d record %d: %w", b.Offset, i, err)
		}
		if err := d.Replay(r); err != nil {
			return fmt.Errorf("metadata: offset %d record %d: %w", b.Offset, i, err)
		}
	}
	d.SetOffset(b.Offset, b.Epoch)
	return nil
}

func imageFromSnapshot(clusterID string, s *raft.Snapshot) (*Image, error) {
	d := NewDelta(EmptyImage(clusterID))
	if err := replayBatch(d, &raft.CommittedBatch{Offset: s.EndOffset - 1, Epoch: s.Epoch, Records: s.Records}); err != nil {
		return nil, fmt.Errorf("metadata: load snapshot ending at %d: %w", s.EndOffset, err)
	}
	return d.Apply(), nil
}

// fail stops replay: applying past a record we cannot apply would diverge
// from every other node, so the loader halts and says so loudly.
func (l *Loader) fail(err error) {
	l.log.Error("metadata: cannot apply committed record; metadata replay stopped", "err", err)
	l.mu.Lock()
	l.failed = err
	l.mu.Unlock()
	l.releaseWaiters(true)
}

func (l *Loader) snapshot() {
	if l.saver == nil {
		return
	}
	img := l.Image()
	if img.Offset < 0 {
		return
	}
	recs, err := EncodeAll(img.Records())
	if err != nil {
		l.log.Error("metadata: encode snapshot", "err", err)
		return
	}
	if err := l.saver.SaveSnapshot(img.Offset, recs); err != nil {
		l.log.Warn("metadata: save snapshot", "offset", img.Offset, "err", err)
	}
}
