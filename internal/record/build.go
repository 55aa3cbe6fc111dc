package record

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// EncodeRecords encodes records back to back in the v2 varint format,
// computing each record's length field.
func EncodeRecords(dst []byte, records []kmsg.Record) []byte {
	for i := range records {
		r := records[i]
		r.Length = 0
		// A zero length encodes as one byte, so the body is the rest.
		body := r.AppendTo(nil)[1:]
		r.Length = int32(len(body))
		dst = r.AppendTo(dst)
	}
	return dst
}

// Build assembles a v2 batch from h and records, compressing them with
// codec. Length, CRC, RecordCount, Magic and the codec bits of Attributes are
// computed; every other header field is taken from h.
func Build(h Header, records []kmsg.Record, codec Codec) ([]byte, error) {
	raw := EncodeRecords(nil, records)
	data, err := Compress(codec, raw)
	if err != nil {
		return nil, err
	}
	return BuildRaw(h, int32(len(records)), data, codec), nil
}

// BuildRaw assembles a v2 batch around an already encoded (and, for a
// non-none codec, compressed) records section.
func BuildRaw(h Header, count int32, data []byte, codec Codec) []byte {
	b := kmsg.RecordBatch{
		FirstOffset:          h.BaseOffset,
		Length:               int32(HeaderSize - LogOverhead + len(data)),
		PartitionLeaderEpoch: h.PartitionLeaderEpoch,
		Magic:                CurrentMagic,
		Attributes:           h.Attributes&^AttrCompressionMask | int16(codec),
		LastOffsetDelta:      h.LastOffsetDelta,
		FirstTimestamp:       h.BaseTimestamp,
		MaxTimestamp:         h.MaxTimestamp,
		ProducerID:           h.ProducerID,
		ProducerEpoch:        h.ProducerEpoch,
		FirstSequence:        h.BaseSequence,
		NumRecords:           count,
		Records:              data,
	}
	out := b.AppendTo(make([]byte, 0, HeaderSize+len(data)))
	putCRC(out)
	return out
}

func putCRC(batch []byte) {
	c := ComputeCRC(batch)
	batch[offCRC] = byte(c >> 24)
	batch[offCRC+1] = byte(c >> 16)
	batch[offCRC+2] = byte(c >> 8)
	batch[offCRC+3] = byte(c)
}
