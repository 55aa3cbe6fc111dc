// Package record holds helpers for Kafka's RecordBatch v2 (magic 2) wire and
// on-disk format: header parsing, CRC-32C validation, in-place patching of the
// fields the broker owns, compression codecs and record iteration.
//
// The header layout (61 bytes, big endian):
//
//	baseOffset int64 | length int32 | partitionLeaderEpoch int32 | magic int8 |
//	crc uint32 | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 |
//	maxTimestamp int64 | producerId int64 | producerEpoch int16 |
//	baseSequence int32 | recordCount int32
//
// The CRC covers attributes to the end of the batch, so baseOffset and
// partitionLeaderEpoch can be patched without recomputing it.
package record

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Byte offsets of the v2 header fields.
const (
	offBaseOffset      = 0
	offLength          = 8
	offLeaderEpoch     = 12
	offMagic           = 16
	offCRC             = 17
	offAttributes      = 21
	offLastOffsetDelta = 23
	offBaseTimestamp   = 27
	offMaxTimestamp    = 35
	offProducerID      = 43
	offProducerEpoch   = 51
	offBaseSequence    = 53
	offRecordCount     = 57
)

const (
	// HeaderSize is the size of a v2 batch header, records excluded.
	HeaderSize = 61
	// LogOverhead is the baseOffset+length prefix every batch (of any
	// magic) starts with; length counts the bytes after it.
	LogOverhead = 12
	// MagicOffset is where the magic byte sits in batches of every
	// version, which lets old formats be recognised and refused.
	MagicOffset = offMagic
	// CurrentMagic is the only batch format Odradek accepts.
	CurrentMagic = 2
)

// Attribute bits.
const (
	AttrCompressionMask    = 0x07
	AttrLogAppendTime      = 0x08
	AttrTransactional      = 0x10
	AttrControl            = 0x20
	AttrDeleteHorizonSet   = 0x40
	NoProducerID           = -1
	NoProducerEpoch        = -1
	NoSequence             = -1
	NoPartitionLeaderEpoch = -1
	NoTimestamp            = -1
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Header is a decoded v2 batch header.
type Header struct {
	BaseOffset           int64
	Length               int32
	PartitionLeaderEpoch int32
	Magic                int8
	CRC                  uint32
	Attributes           int16
	LastOffsetDelta      int32
	BaseTimestamp        int64
	MaxTimestamp         int64
	ProducerID           int64
	ProducerEpoch        int16
	BaseSequence         int32
	RecordCount          int32
}

// Size is the full size of the batch in bytes, prefix included.
func (h *Header) Size() int { return LogOverhead + int(h.Length) }

// LastOffset is the offset of the last record of the batch.
func (h *Header) LastOffset() int64 { return h.BaseOffset + int64(h.LastOffsetDelta) }

// Codec is the batch's compression codec.
func (h *Header) Codec() Codec { return Codec(h.Attributes & AttrCompressionMask) }

// IsLogAppendTime reports whether the batch carries broker timestamps.
func (h *Header) IsLogAppendTime() bool { return h.Attributes&AttrLogAppendTime != 0 }

// IsTransactional reports the transactional attribute bit.
func (h *Header) IsTransactional() bool { return h.Attributes&AttrTransactional != 0 }

// IsControl reports the control-batch attribute bit.
func (h *Header) IsControl() bool { return h.Attributes&AttrControl != 0 }

// HasProducerID reports whether the batch was written by an idempotent or
// transactional producer.
func (h *Header) HasProducerID() bool { return h.ProducerID > NoProducerID }

// LastSequence is the sequence of the last record, wrapping at MaxInt32 as
// producers do.
func (h *Header) LastSequence() int32 {
	if h.BaseSequence == NoSequence {
		return NoSequence
	}
	return IncrementSequence(h.BaseSequence, h.LastOffsetDelta)
}

// IncrementSequence adds inc to seq, wrapping past MaxInt32 to 0.
func IncrementSequence(seq, inc int32) int32 {
	if seq > math.MaxInt32-inc {
		return inc - (math.MaxInt32 - seq) - 1
	}
	return seq + inc
}

// ParseHeader decodes the 61-byte header at the start of b. It checks only
// that the bytes are there; Validate checks the batch.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("record: batch header needs %d bytes, have %d: %w", HeaderSize, len(b), kerr.CorruptMessage)
	}
	return Header{
		BaseOffset:           int64(binary.BigEndian.Uint64(b[offBaseOffset:])),
		Length:               int32(binary.BigEndian.Uint32(b[offLength:])),
		PartitionLeaderEpoch: int32(binary.BigEndian.Uint32(b[offLeaderEpoch:])),
		Magic:                int8(b[offMagic]),
		CRC:                  binary.BigEndian.Uint32(b[offCRC:]),
		Attributes:           int16(binary.BigEndian.Uint16(b[offAttributes:])),
		LastOffsetDelta:      int32(binary.BigEndian.Uint32(b[offLastOffsetDelta:])),
		BaseTimestamp:        int64(binary.BigEndian.Uint64(b[offBaseTimestamp:])),
		MaxTimestamp:         int64(binary.BigEndian.Uint64(b[offMaxTimestamp:])),
		ProducerID:           int64(binary.BigEndian.Uint64(b[offProducerID:])),
		ProducerEpoch:        int16(binary.BigEndian.Uint16(b[offProducerEpoch:])),
		BaseSequence:         int32(binary.BigEndian.Uint32(b[offBaseSequence:])),
		RecordCount:          int32(binary.BigEndian.Uint32(b[offRecordCount:])),
	}, nil
}

// NextBatch splits the first batch off b by its length prefix. It checks the
// prefix, the magic byte and that the whole batch is present, not the CRC.
// Old message formats (magic 0/1) get kerr.UnsupportedForMessageFormat.
func NextBatch(b []byte) (batch, rest []byte, err error) {
	if len(b) < LogOverhead {
		return nil, nil, fmt.Errorf("record: %d trailing bytes are shorter than a batch prefix: %w", len(b), kerr.CorruptMessage)
	}
	length := int64(int32(binary.BigEndian.Uint32(b[offLength:])))
	if len(b) > offMagic {
		if m := int8(b[offMagic]); m != CurrentMagic {
			if m == 0 || m == 1 {
				return nil, nil, fmt.Errorf("record: message format magic %d is not supported: %w", m, kerr.UnsupportedForMessageFormat)
			}
			return nil, nil, fmt.Errorf("record: unknown magic %d: %w", m, kerr.CorruptMessage)
		}
	}
	if length < HeaderSize-LogOverhead {
		return nil, nil, fmt.Errorf("record: batch length %d is below the minimum %d: %w", length, HeaderSize-LogOverhead, kerr.CorruptMessage)
	}
	size := LogOverhead + length
	if int64(len(b)) < size {
		return nil, nil, fmt.Errorf("record: batch of %d bytes truncated to %d: %w", size, len(b), kerr.CorruptMessage)
	}
	return b[:size], b[size:], nil
}

// ComputeCRC returns the CRC-32C of a batch, over attributes to the end.
func ComputeCRC(batch []byte) uint32 {
	return crc32.Checksum(batch[offAttributes:], crcTable)
}

// Validate checks a single complete batch: size, magic, CRC and that the
// header is self-consistent. It does not look inside the records.
func Validate(batch []byte) (Header, error) {
	h, err := ParseHeader(batch)
	if err != nil {
		return h, err
	}
	if h.Magic != CurrentMagic {
		if h.Magic == 0 || h.Magic == 1 {
			return h, fmt.Errorf("record: message format magic %d is not supported: %w", h.Magic, kerr.UnsupportedForMessageFormat)
		}
		return h, fmt.Errorf("record: unknown magic %d: %w", h.Magic, kerr.CorruptMessage)
	}
	if int64(h.Length) != int64(len(batch)-LogOverhead) {
		return h, fmt.Errorf("record: batch length field %d does not match %d bytes: %w", h.Length, len(batch)-LogOverhead, kerr.CorruptMessage)
	}
	if got := ComputeCRC(batch); got != h.CRC {
		return h, fmt.Errorf("record: batch at offset %d has CRC %#08x, computed %#08x: %w", h.BaseOffset, h.CRC, got, kerr.CorruptMessage)
	}
	if h.LastOffsetDelta < 0 {
		return h, fmt.Errorf("record: batch has negative lastOffsetDelta %d: %w", h.LastOffsetDelta, kerr.CorruptMessage)
	}
	if h.RecordCount < 0 {
		return h, fmt.Errorf("record: batch has negative record count %d: %w", h.RecordCount, kerr.CorruptMessage)
	}
	return h, nil
}

// SetBaseOffset patches the base offset in place; the CRC does not cover it.
func SetBaseOffset(batch []byte, off int64) {
	binary.BigEndian.PutUint64(batch[offBaseOffset:], uint64(off))
}

// SetPartitionLeaderEpoch patches the leader epoch in place; the CRC does not
// cover it.
func SetPartitionLeaderEpoch(batch []byte, epoch int32) {
	binary.BigEndian.PutUint32(batch[offLeaderEpoch:], uint32(epoch))
}

// SetLogAppendTime marks the batch as carrying broker time ts: it sets the
// timestamp-type attribute and maxTimestamp, then recomputes the CRC, as
// Kafka does for topics with message.timestamp.type=LogAppendTime.
func SetLogAppendTime(batch []byte, ts int64) {
	attrs := binary.BigEndian.Uint16(batch[offAttributes:]) | AttrLogAppendTime
	binary.BigEndian.PutUint16(batch[offAttributes:], attrs)
	binary.BigEndian.PutUint64(batch[offMaxTimestamp:], uint64(ts))
	binary.BigEndian.PutUint32(batch[offCRC:], ComputeCRC(batch))
}

// RecordsBytes is the (possibly compressed) records section of a batch.
func RecordsBytes(batch []byte) []byte { return batch[HeaderSize:] }

// SetMaxTimestamp sets a CreateTime batch's maxTimestamp and recomputes the
// CRC; Kafka corrects the field this way when it disagrees with the records.
func SetMaxTimestamp(batch []byte, ts int64) {
	binary.BigEndian.PutUint64(batch[offMaxTimestamp:], uint64(ts))
	binary.BigEndian.PutUint32(batch[offCRC:], ComputeCRC(batch))
}
