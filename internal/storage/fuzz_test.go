package storage

import (
	"testing"

	"github.com/odradek/odradek/internal/record"
)

// FuzzAppend appends batches whose records section and header fields are
// arbitrary (with a correct CRC, so validation gets past the checksum):
// Append must never panic, and whatever it accepts must read back valid.
func FuzzAppend(f *testing.F) {
	raw := record.EncodeRecords(nil, nil)
	f.Add(raw, int32(0), int32(0), uint8(0), int64(-1), int16(-1), int32(-1), int16(0))
	b := buildBatch(f, plainBatch(3, nowMs()))
	f.Add(record.RecordsBytes(b), int32(2), int32(3), uint8(0), int64(-1), int16(-1), int32(-1), int16(0))
	b = buildBatch(f, idemBatch(2, nowMs(), 4, 0, 0))
	f.Add(record.RecordsBytes(b), int32(1), int32(2), uint8(0), int64(4), int16(0), int32(0), int16(record.AttrTransactional))
	e := newTestEnv(f)
	l := e.log("fuzz", 0, DefaultLogConfig())
	f.Fuzz(func(t *testing.T, data []byte, lastDelta, count int32, codec uint8, pid int64, epoch int16, seq int32, attrs int16) {
		h := record.Header{
			LastOffsetDelta: lastDelta, BaseTimestamp: nowMs(), MaxTimestamp: nowMs(),
			ProducerID: pid, ProducerEpoch: epoch, BaseSequence: seq, Attributes: attrs,
		}
		batch := record.BuildRaw(h, count, data, record.Codec(codec%5))
		before := l.LogEndOffset()
		res, err := l.Append(batch, AppendOptions{AssignOffsets: true})
		if err != nil || res.Duplicate {
			return
		}
		if res.FirstOffset != before {
			t.Fatalf("accepted at %d, log end was %d", res.FirstOffset, before)
		}
		rr, err := l.Read(res.FirstOffset, 1<<20, l.LogEndOffset(), true)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		got, _, err := record.NextBatch(rr.Records)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		if _, err := record.Validate(got); err != nil {
			t.Fatalf("stored batch invalid: %v", err)
		}
	})
}
