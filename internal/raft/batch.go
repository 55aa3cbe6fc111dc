package raft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/twmb/franz-go/pkg/kmsg"
	pb "go.etcd.io/raft/v3/raftpb"
)

// Control record types (the int16 "type" in a control record key). 2-4 are
// Kafka's; the raft configuration-change types are our own.
const (
	ctrlLeaderChange   int16 = 2
	ctrlSnapshotHeader int16 = 3
	ctrlSnapshotFooter int16 = 4
	ctrlConfChange     int16 = 1000
	ctrlConfChangeV2   int16 = 1001
)

const (
	batchHeaderLen  = 61 // through NumRecords
	crcStart        = 21 // Attributes begins here; the CRC covers the rest
	attrControl     = 0x20
	maxBatchBytes   = 64 << 20
	logOverheadSize = 12 // baseOffset + length
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTorn marks a batch that is incomplete or fails its checks; recovery
// truncates the log at the first such batch.
var errTorn = errors.New("raft: torn or corrupt batch")

// encodeRecord encodes one Kafka v2 record with offset delta 0.
func encodeRecord(key, value []byte) []byte {
	r := kmsg.Record{Key: key, Value: value}
	body := r.AppendTo(nil)[1:] // Length 0 encodes as one byte
	r.Length = int32(len(body))
	return r.AppendTo(make([]byte, 0, len(body)+5))
}

func controlKey(typ int16) []byte {
	k := make([]byte, 4)
	binary.BigEndian.PutUint16(k[2:], uint16(typ))
	return k
}

// encodeBatch frames one record (already encoded) as a RecordBatch v2.
func encodeBatch(offset int64, epoch int32, control bool, tsMs int64, record []byte) []byte {
	b := kmsg.RecordBatch{
		FirstOffset:          offset,
		PartitionLeaderEpoch: epoch,
		Magic:                2,
		LastOffsetDelta:      0,
		FirstTimestamp:       tsMs,
		MaxTimestamp:         tsMs,
		ProducerID:           -1,
		ProducerEpoch:        -1,
		FirstSequence:        -1,
		NumRecords:           1,
		Records:              record,
	}
	if control {
		b.Attributes = attrControl
	}
	b.Length = int32(batchHeaderLen - logOverheadSize + len(record))
	out := b.AppendTo(make([]byte, 0, batchHeaderLen+len(record)))
	binary.BigEndian.PutUint32(out[17:21], crc32.Checksum(out[crcStart:], castagnoli))
	return out
}

// encodeEntry maps a raft entry to the batch stored at offset index-1.
// Normal entries with data carry the proposal record verbatim (entry.Data is
// already an encoded Kafka record, see proposal.go); empty entries, which a
// new leader appends, become LeaderChange control batches; configuration
// changes become control batches of our own types.
func encodeEntry(e *pb.Entry, tsMs int64) []byte {
	off := int64(e.GetIndex()) - 1
	epoch := int32(e.GetTerm())
	switch e.GetType() {
	case pb.EntryConfChange:
		return encodeBatch(off, epoch, true, tsMs, encodeRecord(controlKey(ctrlConfChange), e.GetData()))
	case pb.EntryConfChangeV2:
		return encodeBatch(off, epoch, true, tsMs, encodeRecord(controlKey(ctrlConfChangeV2), e.GetData()))
	}
	if len(e.GetData()) == 0 {
		return encodeBatch(off, epoch, true, tsMs, encodeRecord(controlKey(ctrlLeaderChange), nil))
	}
	return encodeBatch(off, epoch, false, tsMs, e.GetData())
}

// batchLen returns the total size of the batch at the front of b, or errTorn
// when b does not hold a whole plausible batch.
func batchLen(b []byte) (int, error) {
	if len(b) < batchHeaderLen {
		return 0, errTorn
	}
	l := int(int32(binary.BigEndian.Uint32(b[8:12])))
	if l < batchHeaderLen-logOverheadSize || l > maxBatchBytes {
		return 0, errTorn
	}
	if len(b) < l+logOverheadSize {
		return 0, errTorn
	}
	return l + logOverheadSize, nil
}

type decodedBatch struct {
	offset  int64
	epoch   int32
	control bool
	tsMs    int64
	record  kmsg.Record
	raw     []byte // the record bytes
}

// decodeBatch validates one whole batch (magic, CRC, one record) and parses it.
func decodeBatch(b []byte) (decodedBatch, error) {
	var d decodedBatch
	var rb kmsg.RecordBatch
	if err := rb.ReadFrom(b); err != nil {
		return d, fmt.Errorf("%w: %v", errTorn, err)
	}
	if rb.Magic != 2 {
		return d, fmt.Errorf("%w: magic %d", errTorn, rb.Magic)
	}
	if uint32(rb.CRC) != crc32.Checksum(b[crcStart:], castagnoli) {
		return d, fmt.Errorf("%w: crc mismatch at offset %d", errTorn, rb.FirstOffset)
	}
	if rb.NumRecords != 1 {
		return d, fmt.Errorf("%w: %d records in batch at offset %d", errTorn, rb.NumRecords, rb.FirstOffset)
	}
	if err := d.record.ReadFrom(rb.Records); err != nil {
		return d, fmt.Errorf("%w: record at offset %d: %v", errTorn, rb.FirstOffset, err)
	}
	d.offset, d.epoch, d.tsMs = rb.FirstOffset, rb.PartitionLeaderEpoch, rb.FirstTimestamp
	d.control = rb.Attributes&attrControl != 0
	d.raw = rb.Records
	return d, nil
}

func (d decodedBatch) controlType() int16 {
	if len(d.record.Key) < 4 {
		return -1
	}
	return int16(binary.BigEndian.Uint16(d.record.Key[2:4]))
}

// toEntry is the inverse of encodeEntry.
func (d decodedBatch) toEntry() (*pb.Entry, error) {
	e := &pb.Entry{Index: new(uint64(d.offset + 1)), Term: new(uint64(d.epoch)), Type: pb.EntryNormal.Enum()}
	if !d.control {
		e.Data = append([]byte(nil), d.raw...)
		return e, nil
	}
	switch d.controlType() {
	case ctrlLeaderChange:
	case ctrlConfChange:
		e.Type = pb.EntryConfChange.Enum()
		e.Data = append([]byte(nil), d.record.Value...)
	case ctrlConfChangeV2:
		e.Type = pb.EntryConfChangeV2.Enum()
		e.Data = append([]byte(nil), d.record.Value...)
	default:
		return nil, fmt.Errorf("raft: unknown control record type %d at offset %d", d.controlType(), d.offset)
	}
	return e, nil
}
