package record

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// FuzzBatch feeds arbitrary bytes through the batch splitter, validation and
// record decoding: nothing may panic, and anything accepted must decode the
// same way through kmsg.
func FuzzBatch(f *testing.F) {
	for _, c := range []Codec{CodecNone, CodecGzip, CodecSnappy, CodecLZ4, CodecZstd} {
		b, err := Build(testHeader(3), testRecords(3), c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add(make([]byte, HeaderSize))
	f.Fuzz(func(t *testing.T, data []byte) {
		rest := data
		for len(rest) > 0 {
			b, r, err := NextBatch(rest)
			if err != nil {
				return
			}
			rest = r
			h, err := Validate(b)
			if err != nil {
				continue
			}
			n := 0
			err = ForEachRecord(&h, b, func(i int, r *kmsg.Record) error {
				n++
				return nil
			})
			if err == nil && n != int(h.RecordCount) {
				t.Fatalf("decoded %d records, header says %d", n, h.RecordCount)
			}
			var kb kmsg.RecordBatch
			if err := kb.ReadFrom(b); err != nil {
				t.Fatalf("validated batch rejected by kmsg: %v", err)
			}
		}
	})
}

// FuzzRecords wraps arbitrary bytes as a batch's records section (with a
// correct CRC, so validation passes) and decodes them: errors are fine,
// panics are not.
func FuzzRecords(f *testing.F) {
	raw := EncodeRecords(nil, testRecords(3))
	f.Add(raw, int32(3), uint8(0))
	f.Add(raw[:len(raw)-2], int32(3), uint8(0))
	for _, c := range []Codec{CodecGzip, CodecSnappy, CodecLZ4, CodecZstd} {
		comp, _ := Compress(c, raw)
		f.Add(comp, int32(3), uint8(c))
	}
	f.Fuzz(func(t *testing.T, data []byte, count int32, codec uint8) {
		c := Codec(codec % 5)
		b := BuildRaw(testHeader(1), count, data, c)
		h, err := Validate(b)
		if err != nil {
			if count >= 0 {
				t.Fatalf("rebuilt batch invalid: %v", err)
			}
			return
		}
		_ = ForEachRecord(&h, b, func(int, *kmsg.Record) error { return nil })
	})
}
