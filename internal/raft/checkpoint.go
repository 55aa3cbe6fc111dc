package raft

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pb "go.etcd.io/raft/v3/raftpb"
)

// A checkpoint file <20-digit end offset>-<10-digit epoch>.checkpoint holds
// three record batches: a SnapshotHeader control batch whose value is
// checkpointHeader as JSON, one data batch whose record value is the state
// machine's snapshot payload, and a SnapshotFooter control batch. The end
// offset is exclusive (it equals the raft index of the last entry covered).

type checkpointHeader struct {
	Version  int      `json:"version"`
	Index    uint64   `json:"index"`
	Term     uint64   `json:"term"`
	Voters   []uint64 `json:"voters"`
	Learners []uint64 `json:"learners,omitempty"`
	// Joint-consensus fields; empty unless a voter change was in flight.
	VotersOutgoing []uint64 `json:"votersOutgoing,omitempty"`
	LearnersNext   []uint64 `json:"learnersNext,omitempty"`
	AutoLeave      bool     `json:"autoLeave,omitempty"`
}

func checkpointName(index, term uint64) string {
	return fmt.Sprintf("%020d-%010d.checkpoint", index, term)
}

func encodeCheckpoint(s *pb.Snapshot, tsMs int64) ([]byte, error) {
	md := s.GetMetadata()
	cs := md.GetConfState()
	h := checkpointHeader{Index: md.GetIndex(), Term: md.GetTerm(), Voters: cs.GetVoters(), Learners: cs.GetLearners(),
		VotersOutgoing: cs.GetVotersOutgoing(), LearnersNext: cs.GetLearnersNext(), AutoLeave: cs.GetAutoLeave()}
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("raft: encode checkpoint header: %w", err)
	}
	var out []byte
	out = append(out, encodeBatch(0, int32(h.Term), true, tsMs, encodeRecord(controlKey(ctrlSnapshotHeader), hb))...)
	out = append(out, encodeBatch(1, int32(h.Term), false, tsMs, encodeRecord(nil, s.GetData()))...)
	out = append(out, encodeBatch(2, int32(h.Term), true, tsMs, encodeRecord(controlKey(ctrlSnapshotFooter), nil))...)
	return out, nil
}

func decodeCheckpoint(b []byte) (*pb.Snapshot, error) {
	var parts []decodedBatch
	for len(b) > 0 {
		n, err := batchLen(b)
		if err != nil {
			return nil, err
		}
		d, err := decodeBatch(b[:n])
		if err != nil {
			return nil, err
		}
		parts = append(parts, d)
		b = b[n:]
	}
	if len(parts) != 3 || parts[0].controlType() != ctrlSnapshotHeader || parts[2].controlType() != ctrlSnapshotFooter || parts[1].control {
		return nil, fmt.Errorf("%w: checkpoint layout", errTorn)
	}
	var h checkpointHeader
	if err := json.Unmarshal(parts[0].record.Value, &h); err != nil {
		return nil, fmt.Errorf("raft: checkpoint header: %w", err)
	}
	cs := &pb.ConfState{Voters: h.Voters, Learners: h.Learners, VotersOutgoing: h.VotersOutgoing, LearnersNext: h.LearnersNext, AutoLeave: new(h.AutoLeave)}
	return &pb.Snapshot{
		Data:     append([]byte(nil), parts[1].record.Value...),
		Metadata: &pb.SnapshotMetadata{Index: new(h.Index), Term: new(h.Term), ConfState: cs},
	}, nil
}

func writeCheckpoint(dir string, s *pb.Snapshot, tsMs int64) error {
	b, err := encodeCheckpoint(s, tsMs)
	if err != nil {
		return err
	}
	return writeFileAtomic(dir, checkpointName(s.GetMetadata().GetIndex(), s.GetMetadata().GetTerm()), b)
}

func listCheckpoints(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.checkpoint"))
	if err != nil {
		return nil, fmt.Errorf("raft: list checkpoints: %w", err)
	}
	sort.Strings(names) // zero-padded names sort by offset
	return names, nil
}

// loadLatestCheckpoint returns the newest readable checkpoint; unreadable
// ones (a crash during write leaves only .tmp files, so this means disk
// damage) are skipped with a warning.
func (n *Node) loadLatestCheckpoint() (*pb.Snapshot, error) {
	names, err := listCheckpoints(n.dir)
	if err != nil {
		return nil, err
	}
	for i := len(names) - 1; i >= 0; i-- {
		b, err := os.ReadFile(names[i])
		if err != nil {
			return nil, fmt.Errorf("raft: read checkpoint: %w", err)
		}
		s, err := decodeCheckpoint(b)
		if err != nil {
			n.log.Warn("raft: skipping unreadable checkpoint", "file", names[i], "err", err)
			continue
		}
		return s, nil
	}
	return nil, nil
}

// removeCheckpointsBefore deletes checkpoints older than index, and stray
// temp files.
func removeCheckpointsBefore(dir string, index uint64) error {
	names, err := listCheckpoints(dir)
	if err != nil {
		return err
	}
	keep := checkpointName(index, 0)[:20]
	for _, p := range names {
		if strings.Compare(filepath.Base(p)[:20], keep) < 0 {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("raft: remove old checkpoint: %w", err)
			}
		}
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	for _, t := range tmps {
		os.Remove(t)
	}
	return nil
}
