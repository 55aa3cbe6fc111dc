package raft

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	etcdraft "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"

	"github.com/odradek/odradek/internal/clock"
)

// DirName is the metadata log's directory inside metadata.log.dir.
const DirName = "__cluster_metadata-0"

var (
	// ErrNotLeader is returned by Propose on a node that is not the leader.
	ErrNotLeader = errors.New("raft: not the quorum leader")
	// ErrClosed is returned once the node is closed.
	ErrClosed = errors.New("raft: node closed")
)

// Config configures a Node.
type Config struct {
	NodeID int32
	// MetadataLogDir is metadata.log.dir; the log lives in its
	// __cluster_metadata-0 subdirectory.
	MetadataLogDir string
	ClusterID      string
	// Voters is the initial quorum (see ResolveVoters). It is used only when
	// the log is empty; afterwards the membership recorded in the log rules.
	Voters []Voter
	Clock  clock.Clock
	Logger *slog.Logger
	// Transport carries messages to other voters; nil is allowed only for a
	// single-voter quorum.
	Transport Transport
	// TickInterval is one raft tick (default 100ms); ElectionTicks (default
	// 10) and HeartbeatTicks (default 1) are in ticks.
	TickInterval   time.Duration
	ElectionTicks  int
	HeartbeatTicks int
	// SegmentBytes is metadata.log.segment.bytes (default 1 GiB).
	SegmentBytes int64
	// SnapshotBytes is metadata.log.max.record.bytes.between.snapshots
	// (default 20 MiB): after that many committed bytes the Snapshotter is
	// asked for a snapshot.
	SnapshotBytes int64
	// Observer, if set, receives commit and election latencies (metrics).
	Observer Observer
}

// CommittedBatch is one committed raft entry: the metadata records of one
// proposal, all at Offset (= raft index - 1). Control entries (leader
// changes, voter changes) arrive with no Records so listeners can still track
// the committed offset.
type CommittedBatch struct {
	Offset     int64
	Epoch      int64
	AppendTime time.Time
	Records    [][]byte
}

// Snapshot is a state snapshot covering every offset below EndOffset.
type Snapshot struct {
	EndOffset int64 // exclusive: the last covered offset is EndOffset-1
	Epoch     int64
	// Records is the snapshot payload split into records.
	Records [][]byte
}

// Listener observes the committed log. Calls come from the node's goroutine,
// in log order, and must not block or call back into the Node synchronously.
type Listener interface {
	OnCommit(b CommittedBatch)
	// OnSnapshot replaces all state: the listener must rebuild from s.
	OnSnapshot(s Snapshot)
	// OnLeaderChange reports a new leader (-1 = none) and epoch (raft term).
	OnLeaderChange(leader int32, epoch int64)
}

// Snapshotter is asked (without blocking) to produce a snapshot; it answers
// later by calling Node.SaveSnapshot with state as of an applied offset.
type Snapshotter interface {
	WantSnapshot()
}

// Transport sends raft messages to other voters. Send must not block; a
// lost message is fine (raft retries). Incoming messages go to Node.Receive.
// Multi-voter quorums need an implementation on the controller listener,
// which does not exist yet.
type Transport interface {
	Send(msgs []*pb.Message)
}

type proposal struct {
	id      proposalID
	data    []byte
	done    chan proposalResult
	settled bool
	queued  time.Time // when ProposeAsync was called, for commit latency
}

type proposalResult struct {
	offset int64
	err    error
}

type snapshotReq struct {
	offset int64 // last offset the payload covers
	data   []byte
	done   chan error
}

// Node owns the etcd raft state machine and its durable storage.
type Node struct {
	cfg     Config
	dir     string
	log     *slog.Logger
	clock   clock.Clock
	rn      *etcdraft.RawNode
	storage *etcdraft.MemoryStorage
	disk    *diskLog
	confSt  *pb.ConfState

	listeners   []Listener
	snapshotter Snapshotter

	propSig chan struct{}
	recvc   chan *pb.Message
	snapc   chan snapshotReq
	callc   chan func()
	// busy is set while the loop handles a tick or message; tests use it
	// to let a simulated network settle.
	busy   atomic.Bool
	ticker clock.Ticker
	stopc  chan struct{}
	donec  chan struct{}
	startO sync.Once
	stopO  sync.Once

	mu     sync.Mutex
	seq    uint64
	leader int32
	term   uint64
	closed bool
	queued []*proposal // proposals not yet taken by the run loop
	runErr error

	// owned by the run goroutine
	pending         map[uint64]*proposal
	lastLead        uint64
	lastTerm        uint64
	bytesSinceSnap  int64
	snapRequested   bool
	campaigned      bool
	snapIndex       uint64
	appliedIndex    uint64
	lastQuorumState quorumState
	qsPending       *quorumState // commit-only change not yet written
	qsWritten       bool
	elections       electionClock
}

// Open recovers the metadata log from disk (checkpoint, quorum-state,
// segments with torn-tail truncation). It starts nothing; add listeners,
// then call Start.
func Open(cfg Config) (*Node, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.TickInterval <= 0 {
		cfg.TickInterval = 100 * time.Millisecond
	}
	if cfg.ElectionTicks <= 0 {
		cfg.ElectionTicks = 10
	}
	if cfg.HeartbeatTicks <= 0 {
		cfg.HeartbeatTicks = 1
	}
	if cfg.SegmentBytes <= 0 {
		cfg.SegmentBytes = 1 << 30
	}
	if cfg.SnapshotBytes <= 0 {
		cfg.SnapshotBytes = 20 << 20
	}
	if cfg.MetadataLogDir == "" {
		return nil, errors.New("raft: metadata.log.dir is empty")
	}
	n := &Node{
		cfg:     cfg,
		dir:     filepath.Join(cfg.MetadataLogDir, DirName),
		log:     cfg.Logger.With("component", "raft", "node", cfg.NodeID),
		clock:   cfg.Clock,
		storage: etcdraft.NewMemoryStorage(),
		propSig: make(chan struct{}, 1),
		recvc:   make(chan *pb.Message, 256),
		snapc:   make(chan snapshotReq),
		callc:   make(chan func()),
		stopc:   make(chan struct{}),
		donec:   make(chan struct{}),
		pending: map[uint64]*proposal{},
		leader:  -1,
	}
	if err := os.MkdirAll(n.dir, 0o755); err != nil {
		return nil, fmt.Errorf("raft: create %s: %w", n.dir, err)
	}
	if err := n.recover(); err != nil {
		if n.disk != nil {
			n.disk.close()
		}
		return nil, err
	}
	return n, nil
}

func (n *Node) recover() error {
	snap, err := n.loadLatestCheckpoint()
	if err != nil {
		return err
	}
	qs, err := readQuorumState(n.dir)
	if err != nil {
		return err
	}
	disk, ents, err := openDiskLog(n.dir, n.cfg.SegmentBytes, n.log)
	if err != nil {
		return err
	}
	n.disk = disk
	if snap != nil {
		if err := n.storage.ApplySnapshot(snap); err != nil {
			return fmt.Errorf("raft: load checkpoint: %w", err)
		}
		n.snapIndex = snap.GetMetadata().GetIndex()
		n.confSt = snap.GetMetadata().GetConfState()
		// Entries the snapshot covers are redundant.
		for len(ents) > 0 && ents[0].GetIndex() <= n.snapIndex {
			ents = ents[1:]
		}
		if len(ents) > 0 && ents[0].GetIndex() != n.snapIndex+1 {
			return fmt.Errorf("raft: metadata log starts at offset %d but checkpoint ends at %d", ents[0].GetIndex()-1, n.snapIndex)
		}
		if len(ents) == 0 {
			if err := n.disk.reset(int64(n.snapIndex)); err != nil {
				return err
			}
		}
	} else if len(ents) > 0 && ents[0].GetIndex() != 1 {
		return fmt.Errorf("raft: metadata log starts at offset %d and no checkpoint covers the gap", ents[0].GetIndex()-1)
	}
	if err := n.storage.Append(ents); err != nil {
		return fmt.Errorf("raft: load log: %w", err)
	}
	last, _ := n.storage.LastIndex()
	// With no checkpoint and no entries there is no state to resume: a
	// quorum-state left from a log that did not survive is ignored and the
	// quorum bootstraps afresh.
	fresh := snap == nil && len(ents) == 0
	if fresh && qs != nil {
		n.log.Warn("raft: quorum-state present but the metadata log is empty; starting afresh")
		qs = nil
	}
	if qs != nil {
		n.lastQuorumState = *qs
		hs := qs.hardState()
		if hs.GetCommit() > last {
			// Only possible if the disk lost synced data; raft would panic.
			n.log.Warn("raft: quorum-state commit beyond log end; clamping", "commit", hs.GetCommit(), "last", last)
			hs.Commit = new(last)
		}
		if hs.GetCommit() < n.snapIndex {
			hs.Commit = new(n.snapIndex)
		}
		if err := n.storage.SetHardState(hs); err != nil {
			return fmt.Errorf("raft: load quorum-state: %w", err)
		}
	}
	rc := &etcdraft.Config{
		ID:                        raftID(n.cfg.NodeID),
		ElectionTick:              n.cfg.ElectionTicks,
		HeartbeatTick:             n.cfg.HeartbeatTicks,
		Storage:                   n.storage,
		Applied:                   n.snapIndex,
		MaxSizePerMsg:             1 << 20,
		MaxInflightMsgs:           256,
		MaxUncommittedEntriesSize: 64 << 20,
		CheckQuorum:               true,
		PreVote:                   true,
		DisableProposalForwarding: true,
		Logger:                    &slogRaftLogger{n.log},
	}
	rn, err := etcdraft.NewRawNode(rc)
	if err != nil {
		return fmt.Errorf("raft: create raw node: %w", err)
	}
	n.rn = rn
	n.appliedIndex = n.snapIndex
	if fresh {
		if len(n.cfg.Voters) == 0 {
			return errors.New("raft: empty metadata log and no voters configured")
		}
		peers := make([]etcdraft.Peer, len(n.cfg.Voters))
		for i, v := range n.cfg.Voters {
			peers[i] = etcdraft.Peer{ID: raftID(v.NodeID)}
		}
		if err := rn.Bootstrap(peers); err != nil {
			return fmt.Errorf("raft: bootstrap quorum: %w", err)
		}
	}
	return nil
}

// AddListener registers l; call before Start.
func (n *Node) AddListener(l Listener) { n.listeners = append(n.listeners, l) }

// SetSnapshotter registers who produces snapshots; call before Start.
func (n *Node) SetSnapshotter(s Snapshotter) { n.snapshotter = s }

// Start runs the node's goroutine. Recovered committed entries are replayed
// to listeners first (from the checkpoint, if any, then the log).
func (n *Node) Start() {
	n.startO.Do(func() {
		if n.snapIndex > 0 {
			s, _ := n.storage.Snapshot()
			n.deliverSnapshot(s)
		}
		// The ticker exists before Start returns so a test's manual clock
		// cannot advance past it unseen.
		n.ticker = n.clock.NewTicker(n.cfg.TickInterval)
		n.busy.Store(true)
		go n.run(n.ticker)
	})
}

// Close stops the node; pending proposals fail with ErrClosed.
func (n *Node) Close() error {
	n.stopO.Do(func() {
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		close(n.stopc)
	})
	select {
	case <-n.donec:
	default:
		n.startO.Do(func() { close(n.donec) }) // never started
		<-n.donec
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.disk != nil {
		n.disk.close()
		n.disk = nil
	}
	return n.runErr
}

// Leader returns the current leader's node id (-1 if unknown) and epoch.
func (n *Node) Leader() (int32, int64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.leader, int64(n.term)
}

// NodeID is this node's id.
func (n *Node) NodeID() int32 { return n.cfg.NodeID }

// Future is a proposal in flight.
type Future struct{ p *proposal }

// Wait blocks until the proposal commits (returning its offset), fails, or
// ctx ends. A proposal whose wait was abandoned may still commit.
func (f Future) Wait(ctx context.Context) (int64, error) {
	select {
	case r := <-f.p.done:
		return r.offset, r.err
	case <-ctx.Done():
		return -1, ctx.Err()
	}
}

// ProposeAsync queues records as one atomic entry. Proposals are appended in
// the order ProposeAsync is called.
func (n *Node) ProposeAsync(records [][]byte) Future {
	n.mu.Lock()
	n.seq++
	p := &proposal{id: proposalID{node: n.cfg.NodeID, seq: n.seq}, done: make(chan proposalResult, 1), queued: n.clock.Now()}
	p.data = encodeProposal(p.id.node, p.id.seq, records)
	if n.closed {
		n.mu.Unlock()
		p.done <- proposalResult{-1, ErrClosed}
		return Future{p}
	}
	n.queued = append(n.queued, p)
	n.mu.Unlock()
	select {
	case n.propSig <- struct{}{}:
	default:
	}
	return Future{p}
}

// Propose appends records as one atomic entry and returns its offset once
// committed, or ErrNotLeader / ErrClosed / ctx's error.
func (n *Node) Propose(ctx context.Context, records [][]byte) (int64, error) {
	return n.ProposeAsync(records).Wait(ctx)
}

// Receive hands a message from the Transport to raft.
func (n *Node) Receive(m *pb.Message) {
	select {
	case n.recvc <- m:
	case <-n.stopc:
	}
}

// SaveSnapshot records a snapshot whose payload reflects state after applying
// every offset up to and including lastOffset. It writes the checkpoint file,
// then compacts the log.
func (n *Node) SaveSnapshot(lastOffset int64, records [][]byte) error {
	req := snapshotReq{offset: lastOffset, data: JoinRecords(records), done: make(chan error, 1)}
	select {
	case n.snapc <- req:
	case <-n.stopc:
		return ErrClosed
	}
	select {
	case err := <-req.done:
		return err
	case <-n.donec:
		return ErrClosed
	}
}
