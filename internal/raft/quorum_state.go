package raft

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	pb "go.etcd.io/raft/v3/raftpb"
)

const quorumStateFile = "quorum-state"

// quorumState is the JSON in the quorum-state file. Field names follow
// Kafka's file; commitIndex and votedId are raft's HardState (raft ids are
// node id + 1, so they are translated back to node ids here).
type quorumState struct {
	ClusterID     string        `json:"clusterId"`
	LeaderID      int32         `json:"leaderId"`
	LeaderEpoch   uint64        `json:"leaderEpoch"`
	VotedID       int32         `json:"votedId"`
	AppliedOffset int64         `json:"appliedOffset"`
	CommitIndex   uint64        `json:"commitIndex"`
	CurrentVoters []quorumVoter `json:"currentVoters"`
	DataVersion   int           `json:"data_version"`
}

type quorumVoter struct {
	VoterID int32 `json:"voterId"`
}

func (q quorumState) hardState() *pb.HardState {
	vote := uint64(0)
	if q.VotedID >= 0 {
		vote = raftID(q.VotedID)
	}
	return &pb.HardState{Term: new(q.LeaderEpoch), Vote: new(vote), Commit: new(q.CommitIndex)}
}

func readQuorumState(dir string) (*quorumState, error) {
	b, err := os.ReadFile(filepath.Join(dir, quorumStateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("raft: read quorum-state: %w", err)
	}
	var q quorumState
	if err := json.Unmarshal(b, &q); err != nil {
		return nil, fmt.Errorf("raft: parse quorum-state: %w", err)
	}
	return &q, nil
}

// writeFileAtomic writes via a temp file, fsync and rename so a crash leaves
// either the old or the new content.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("raft: create %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("raft: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("raft: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("raft: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("raft: rename %s: %w", tmp, err)
	}
	return syncDir(dir)
}

func writeQuorumState(dir string, q quorumState) error {
	b, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("raft: encode quorum-state: %w", err)
	}
	return writeFileAtomic(dir, quorumStateFile, b)
}
