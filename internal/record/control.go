package record

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ControlType is the type in a control record's key.
type ControlType int16

// Control record types, as Kafka numbers them.
const (
	ControlAbort          ControlType = 0
	ControlCommit         ControlType = 1
	ControlLeaderChange   ControlType = 2
	ControlSnapshotHeader ControlType = 3
	ControlSnapshotFooter ControlType = 4
	ControlKRaftVersion   ControlType = 5
	ControlKRaftVoters    ControlType = 6
)

// ControlRecord is the decoded first record of a control batch.
type ControlRecord struct {
	Type ControlType
	// CoordinatorEpoch is set for commit/abort markers.
	CoordinatorEpoch int32
}

// IsTxnMarker reports a transaction commit or abort marker.
func (c ControlRecord) IsTxnMarker() bool { return c.Type == ControlAbort || c.Type == ControlCommit }

// ParseControlBatch decodes the control record of a control batch: key
// (version int16, type int16) and, for transaction markers, value (version
// int16, coordinatorEpoch int32).
func ParseControlBatch(h *Header, batch []byte) (ControlRecord, error) {
	var out ControlRecord
	seen := false
	err := ForEachRecord(h, batch, func(i int, r *kmsg.Record) error {
		if i > 0 {
			return nil
		}
		seen = true
		if len(r.Key) < 4 {
			return fmt.Errorf("record: control record key of %d bytes: %w", len(r.Key), kerr.CorruptMessage)
		}
		out.Type = ControlType(int16(binary.BigEndian.Uint16(r.Key[2:])))
		if out.IsTxnMarker() {
			if len(r.Value) < 6 {
				return fmt.Errorf("record: transaction marker value of %d bytes: %w", len(r.Value), kerr.CorruptMessage)
			}
			out.CoordinatorEpoch = int32(binary.BigEndian.Uint32(r.Value[2:]))
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	if !seen {
		return out, fmt.Errorf("record: control batch without records: %w", kerr.CorruptMessage)
	}
	return out, nil
}

// BuildTxnMarker encodes a commit or abort control batch for producerID, as
// the transaction coordinator writes it (WriteTxnMarkers).
func BuildTxnMarker(producerID int64, producerEpoch int16, coordinatorEpoch int32, commit bool, timestamp int64) []byte {
	typ := ControlAbort
	if commit {
		typ = ControlCommit
	}
	key := binary.BigEndian.AppendUint16(nil, 0)
	key = binary.BigEndian.AppendUint16(key, uint16(typ))
	val := binary.BigEndian.AppendUint16(nil, 0)
	val = binary.BigEndian.AppendUint32(val, uint32(coordinatorEpoch))
	h := Header{
		PartitionLeaderEpoch: NoPartitionLeaderEpoch,
		Attributes:           AttrTransactional | AttrControl,
		BaseTimestamp:        timestamp,
		MaxTimestamp:         timestamp,
		ProducerID:           producerID,
		ProducerEpoch:        producerEpoch,
		BaseSequence:         NoSequence,
	}
	b, _ := Build(h, []kmsg.Record{{Key: key, Value: val}}, CodecNone)
	return b
}
