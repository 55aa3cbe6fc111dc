package raft

import (
	"fmt"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/odradek/odradek/internal/clock"

	etcdraft "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// run is the node's single goroutine: it ticks raft from the injected clock,
// feeds proposals and messages in, and handles each Ready in the order etcd
// raft requires: persist snapshot, entries and HardState; send messages;
// apply committed entries; Advance.
func (n *Node) run(ticker clock.Ticker) {
	defer close(n.donec)
	defer ticker.Stop()
	for {
		err := n.drainReady()
		n.busy.Store(false)
		if err != nil {
			// A storage failure breaks raft's durability promise; stop
			// loudly rather than continue.
			n.log.Error("raft: fatal storage error; stopping node", "err", err)
			n.mu.Lock()
			n.runErr = err
			n.closed = true
			n.mu.Unlock()
			n.failPending(err)
			n.stopO.Do(func() { close(n.stopc) })
			return
		}
		select {
		case <-ticker.C():
			n.busy.Store(true)
			n.rn.Tick()
		case <-n.propSig:
			n.busy.Store(true)
			n.mu.Lock()
			q := n.queued
			n.queued = nil
			n.mu.Unlock()
			for _, p := range q {
				n.propose(p)
			}
		case m := <-n.recvc:
			n.busy.Store(true)
			if err := n.rn.Step(m); err != nil {
				n.log.Debug("raft: step", "err", err)
			}
		case fn := <-n.callc:
			n.busy.Store(true)
			fn()
		case req := <-n.snapc:
			req.done <- n.saveSnapshot(req)
		case <-n.stopc:
			n.failPending(ErrClosed)
			n.flushQuorumState()
			return
		}
	}
}

// drainReady handles every pending Ready. A one-voter quorum campaigns as
// soon as its membership is known instead of waiting out an election timeout.
func (n *Node) drainReady() error {
	for {
		for n.rn.HasReady() {
			if err := n.handleReady(n.rn.Ready()); err != nil {
				return err
			}
		}
		if n.campaigned || !n.isSoleVoter() {
			return nil
		}
		n.campaigned = true
		n.electionStarted(n.clock.Now())
		if err := n.rn.Campaign(); err != nil {
			n.log.Warn("raft: campaign failed", "err", err)
		}
	}
}

func (n *Node) isSoleVoter() bool {
	v := n.confSt.GetVoters()
	return len(v) == 1 && v[0] == raftID(n.cfg.NodeID) && len(n.confSt.GetVotersOutgoing()) == 0
}

func (n *Node) propose(p *proposal) {
	if n.rn.BasicStatus().RaftState != etcdraft.StateLeader {
		p.done <- proposalResult{-1, ErrNotLeader}
		return
	}
	if err := n.rn.Propose(p.data); err != nil {
		p.done <- proposalResult{-1, fmt.Errorf("raft: propose: %w", err)}
		return
	}
	n.pending[p.id.seq] = p
}

func (n *Node) failPending(err error) {
	if err != ErrNotLeader {
		n.mu.Lock()
		n.closed = true
		q := n.queued
		n.queued = nil
		n.mu.Unlock()
		for _, p := range q {
			p.done <- proposalResult{-1, err}
		}
	}
	for k, p := range n.pending {
		p.done <- proposalResult{-1, err}
		delete(n.pending, k)
	}
}

func (n *Node) handleReady(rd etcdraft.Ready) error {
	now := n.clock.Now()
	if rd.SoftState != nil || rd.HardState != nil {
		n.noteLeadership(rd)
		n.noteElection(now)
	}
	if !etcdraft.IsEmptySnap(rd.Snapshot) {
		// The checkpoint file goes first so the log is never ahead of a
		// snapshot that is not on disk.
		if err := writeCheckpoint(n.dir, rd.Snapshot, now.UnixMilli()); err != nil {
			return err
		}
		if err := n.storage.ApplySnapshot(rd.Snapshot); err != nil {
			return fmt.Errorf("raft: apply received snapshot: %w", err)
		}
		idx := rd.Snapshot.GetMetadata().GetIndex()
		if err := n.disk.reset(int64(idx)); err != nil {
			return err
		}
		if err := removeCheckpointsBefore(n.dir, idx); err != nil {
			return err
		}
		n.snapIndex, n.appliedIndex = idx, idx
		n.confSt = rd.Snapshot.GetMetadata().GetConfState()
		n.bytesSinceSnap = 0
		n.deliverSnapshot(rd.Snapshot)
	}
	if err := n.disk.append(rd.Entries, now.UnixMilli(), rd.MustSync); err != nil {
		return err
	}
	if err := n.storage.Append(rd.Entries); err != nil {
		return fmt.Errorf("raft: memory log append: %w", err)
	}
	if !etcdraft.IsEmptyHardState(rd.HardState) {
		if err := n.persistHardState(rd.HardState); err != nil {
			return err
		}
		if err := n.storage.SetHardState(rd.HardState); err != nil {
			return fmt.Errorf("raft: set hard state: %w", err)
		}
	}
	if len(rd.Messages) > 0 && n.cfg.Transport != nil {
		n.cfg.Transport.Send(rd.Messages)
		n.reportSnapshots(rd.Messages)
	}
	for _, e := range rd.CommittedEntries {
		if err := n.apply(e, now); err != nil {
			return err
		}
	}
	n.rn.Advance(rd)
	return nil
}

func (n *Node) noteLeadership(rd etcdraft.Ready) {
	st := n.rn.BasicStatus()
	lead, term := st.Lead, st.GetTerm()
	if lead == n.lastLead && term == n.lastTerm {
		return
	}
	if n.lastLead == raftID(n.cfg.NodeID) && lead != n.lastLead {
		// Our in-flight proposals may still commit under the next leader,
		// but their callers can no longer be told reliably.
		n.failPending(ErrNotLeader)
	}
	n.lastLead, n.lastTerm = lead, term
	n.mu.Lock()
	n.leader, n.term = nodeIDOf(lead), term
	n.mu.Unlock()
	for _, l := range n.listeners {
		l.OnLeaderChange(nodeIDOf(lead), int64(term))
	}
}

// commitWriteEvery bounds how far the commit index in quorum-state may lag.
const commitWriteEvery = 1000

// persistHardState writes quorum-state when the term, vote, leader or
// voters change. A commit-only change need not be durable (raft recommits
// after a restart), so it is written only every commitWriteEvery entries and
// at a clean shutdown, which keeps a metadata commit to one fsync.
func (n *Node) persistHardState(hs *pb.HardState) error {
	q := n.lastQuorumState
	q.ClusterID = n.cfg.ClusterID
	q.LeaderEpoch = hs.GetTerm()
	q.VotedID = nodeIDOf(hs.GetVote())
	q.LeaderID = nodeIDOf(n.lastLead)
	q.CommitIndex = hs.GetCommit()
	q.CurrentVoters = q.CurrentVoters[:0:0]
	for _, v := range n.confSt.GetVoters() {
		q.CurrentVoters = append(q.CurrentVoters, quorumVoter{VoterID: nodeIDOf(v)})
	}
	w := n.lastQuorumState
	same := q.LeaderEpoch == w.LeaderEpoch && q.VotedID == w.VotedID && q.LeaderID == w.LeaderID &&
		slices.Equal(q.CurrentVoters, w.CurrentVoters) && q.CommitIndex < w.CommitIndex+commitWriteEvery
	if same && n.qsWritten {
		n.qsPending = &q
		return nil
	}
	if err := writeQuorumState(n.dir, q); err != nil {
		return err
	}
	n.lastQuorumState, n.qsPending, n.qsWritten = q, nil, true
	return nil
}

// flushQuorumState writes a commit index held back by persistHardState.
func (n *Node) flushQuorumState() {
	if n.qsPending == nil {
		return
	}
	if err := writeQuorumState(n.dir, *n.qsPending); err != nil {
		n.log.Warn("raft: write quorum-state at shutdown", "err", err)
		return
	}
	n.lastQuorumState, n.qsPending = *n.qsPending, nil
}

func (n *Node) apply(e *pb.Entry, now time.Time) error {
	switch e.GetType() {
	case pb.EntryConfChange:
		var cc pb.ConfChange
		if err := proto.Unmarshal(e.GetData(), &cc); err != nil {
			return fmt.Errorf("raft: decode conf change at offset %d: %w", e.GetIndex()-1, err)
		}
		n.confSt = n.rn.ApplyConfChange(&cc)
	case pb.EntryConfChangeV2:
		var cc pb.ConfChangeV2
		if err := proto.Unmarshal(e.GetData(), &cc); err != nil {
			return fmt.Errorf("raft: decode conf change at offset %d: %w", e.GetIndex()-1, err)
		}
		n.confSt = n.rn.ApplyConfChange(&cc)
	}
	b := CommittedBatch{Offset: int64(e.GetIndex()) - 1, Epoch: int64(e.GetTerm()), AppendTime: now}
	if e.GetType() == pb.EntryNormal && len(e.GetData()) > 0 {
		id, recs, err := decodeProposal(e.GetData())
		if err != nil {
			return fmt.Errorf("raft: committed entry at offset %d: %w", b.Offset, err)
		}
		b.Records = recs
		if id.node == n.cfg.NodeID {
			if p, ok := n.pending[id.seq]; ok {
				delete(n.pending, id.seq)
				p.done <- proposalResult{offset: b.Offset}
				n.observeCommit(p, now)
			}
		}
		n.bytesSinceSnap += int64(len(e.GetData()))
	}
	n.appliedIndex = e.GetIndex()
	for _, l := range n.listeners {
		l.OnCommit(b)
	}
	if n.bytesSinceSnap >= n.cfg.SnapshotBytes && n.snapshotter != nil && !n.snapRequested {
		n.snapRequested = true
		n.snapshotter.WantSnapshot()
	}
	return nil
}

func (n *Node) deliverSnapshot(s *pb.Snapshot) {
	recs, err := SplitRecords(s.GetData())
	if err != nil {
		n.log.Error("raft: snapshot payload unreadable", "err", err)
	}
	snap := Snapshot{EndOffset: int64(s.GetMetadata().GetIndex()), Epoch: int64(s.GetMetadata().GetTerm()), Records: recs}
	for _, l := range n.listeners {
		l.OnSnapshot(snap)
	}
}

func (n *Node) saveSnapshot(req snapshotReq) error {
	n.snapRequested = false
	idx := uint64(req.offset + 1)
	if idx <= n.snapIndex {
		return nil
	}
	if idx > n.appliedIndex {
		return fmt.Errorf("raft: snapshot at offset %d is beyond the applied offset %d", req.offset, int64(n.appliedIndex)-1)
	}
	term, err := n.storage.Term(idx)
	if err != nil {
		return fmt.Errorf("raft: term of snapshot offset %d: %w", req.offset, err)
	}
	snap := &pb.Snapshot{Data: req.data, Metadata: &pb.SnapshotMetadata{Index: new(idx), Term: new(term), ConfState: n.confSt}}
	if err := writeCheckpoint(n.dir, snap, n.clock.Now().UnixMilli()); err != nil {
		return err
	}
	if _, err := n.storage.CreateSnapshot(idx, n.confSt, req.data); err != nil {
		return fmt.Errorf("raft: create snapshot: %w", err)
	}
	if err := n.storage.Compact(idx); err != nil {
		return fmt.Errorf("raft: compact memory log: %w", err)
	}
	if err := n.disk.compactTo(int64(idx)); err != nil {
		return err
	}
	if err := removeCheckpointsBefore(n.dir, idx); err != nil {
		return err
	}
	n.snapIndex = idx
	n.bytesSinceSnap = 0
	n.log.Info("raft: snapshot saved", "endOffset", idx, "epoch", term)
	return nil
}
