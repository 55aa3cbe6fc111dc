package record

import (
	"encoding/binary"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// ForEachRecord decodes every record of a validated batch, decompressing the
// records section if needed, and calls fn with each one in order. Record
// fields alias the batch (or the decompressed buffer); copy them to keep.
// Structural damage (a record that overruns its length, more or fewer records
// than the header's count, bytes left over) wraps kerr.CorruptMessage.
func ForEachRecord(h *Header, batch []byte, fn func(i int, r *kmsg.Record) error) error {
	data, err := Decompress(h.Codec(), RecordsBytes(batch))
	if err != nil {
		return err
	}
	var r kmsg.Record
	for i := 0; i < int(h.RecordCount); i++ {
		n, err := decodeRecord(data, &r)
		if err != nil {
			return fmt.Errorf("record: record %d of batch at offset %d: %v: %w", i, h.BaseOffset, err, kerr.CorruptMessage)
		}
		data = data[n:]
		if err := fn(i, &r); err != nil {
			return err
		}
	}
	if len(data) != 0 {
		return fmt.Errorf("record: batch at offset %d has %d bytes after its %d records: %w", h.BaseOffset, len(data), h.RecordCount, kerr.CorruptMessage)
	}
	return nil
}

// Records decodes all records of a batch into a fresh slice.
func Records(h *Header, batch []byte) ([]kmsg.Record, error) {
	// The count is untrusted: never reserve more records than bytes.
	out := make([]kmsg.Record, 0, min(max(int(h.RecordCount), 0), len(batch)))
	err := ForEachRecord(h, batch, func(_ int, r *kmsg.Record) error {
		c := *r
		c.Headers = append([]kmsg.Header(nil), r.Headers...)
		out = append(out, c)
		return nil
	})
	return out, err
}

// decodeRecord parses one varint-length-prefixed record from b into r and
// returns the bytes it used. It checks that the fields fill the declared
// length exactly, which kmsg's decoder does not.
func decodeRecord(b []byte, r *kmsg.Record) (int, error) {
	length, n := binary.Varint(b)
	if n <= 0 {
		return 0, fmt.Errorf("bad record length varint")
	}
	if length < 0 || length > int64(len(b)-n) {
		return 0, fmt.Errorf("record length %d exceeds %d remaining bytes", length, len(b)-n)
	}
	body := b[n : n+int(length)]
	d := decoder{b: body}
	r.Length = int32(length)
	r.Attributes = int8(d.byte())
	r.TimestampDelta64 = d.varlong()
	r.TimestampDelta = int32(r.TimestampDelta64)
	r.OffsetDelta = int32(d.varint())
	r.Key = d.bytes()
	r.Value = d.bytes()
	nh := d.varint()
	if nh < 0 || nh > int64(len(body)) {
		return 0, fmt.Errorf("bad header count %d", nh)
	}
	r.Headers = r.Headers[:0]
	for j := int64(0); j < nh && d.err == nil; j++ {
		k := d.bytes()
		if k == nil && d.err == nil {
			return 0, fmt.Errorf("null header key")
		}
		v := d.bytes()
		r.Headers = append(r.Headers, kmsg.Header{Key: string(k), Value: v})
	}
	if d.err != nil {
		return 0, d.err
	}
	if len(d.b) != 0 {
		return 0, fmt.Errorf("record declares %d bytes but its fields use %d", length, int(length)-len(d.b))
	}
	return n + int(length), nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("record truncated reading %s", what)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail("attributes")
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) varlong() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v := d.varlong()
	if v < -1<<31 || v > 1<<31-1 {
		d.fail("varint in int32 range")
		return 0
	}
	return v
}

// bytes reads a varint-length byte string; length -1 is null.
func (d *decoder) bytes() []byte {
	l := d.varint()
	if d.err != nil {
		return nil
	}
	if l < 0 {
		if l != -1 {
			d.fail("byte string length")
		}
		return nil
	}
	if l > int64(len(d.b)) {
		d.fail("byte string")
		return nil
	}
	v := d.b[:l:l]
	d.b = d.b[l:]
	return v
}
