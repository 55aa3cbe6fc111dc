package raft

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// A proposal travels through raft as entry.Data holding one encoded Kafka
// record: key = proposer node id (int64) + proposal sequence (uint64), so the
// proposer can match the committed entry to its waiting caller; value = the
// metadata records, each prefixed by its length as an unsigned varint. The
// on-disk batch stores that record unchanged.

func encodeProposal(nodeID int32, seq uint64, records [][]byte) []byte {
	key := make([]byte, 16)
	binary.BigEndian.PutUint64(key, uint64(int64(nodeID)))
	binary.BigEndian.PutUint64(key[8:], seq)
	n := 0
	for _, r := range records {
		n += len(r) + binary.MaxVarintLen32
	}
	val := make([]byte, 0, n)
	for _, r := range records {
		val = binary.AppendUvarint(val, uint64(len(r)))
		val = append(val, r...)
	}
	return encodeRecord(key, val)
}

type proposalID struct {
	node int32
	seq  uint64
}

func decodeProposal(data []byte) (proposalID, [][]byte, error) {
	var r kmsg.Record
	if err := r.ReadFrom(data); err != nil {
		return proposalID{}, nil, fmt.Errorf("raft: decode proposal record: %w", err)
	}
	var id proposalID
	if len(r.Key) == 16 {
		id.node = int32(int64(binary.BigEndian.Uint64(r.Key)))
		id.seq = binary.BigEndian.Uint64(r.Key[8:])
	} else {
		id.node = -1
	}
	recs, err := SplitRecords(r.Value)
	return id, recs, err
}

// SplitRecords splits a length-prefixed sequence of records (the proposal
// and snapshot payload format) into its records.
func SplitRecords(v []byte) ([][]byte, error) {
	var out [][]byte
	for len(v) > 0 {
		l, n := binary.Uvarint(v)
		if n <= 0 || uint64(len(v)-n) < l {
			return nil, fmt.Errorf("raft: truncated record in payload")
		}
		out = append(out, v[n:n+int(l)])
		v = v[n+int(l):]
	}
	return out, nil
}

// JoinRecords is the inverse of SplitRecords.
func JoinRecords(records [][]byte) []byte {
	var out []byte
	for _, r := range records {
		out = binary.AppendUvarint(out, uint64(len(r)))
		out = append(out, r...)
	}
	return out
}
