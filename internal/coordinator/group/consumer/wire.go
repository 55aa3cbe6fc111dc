package consumer

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Minimal Kafka primitive encoding for the coordinator records: fixed-width
// big-endian ints, classic (int16-length) strings for keys, and compact
// (uvarint length+1) strings, arrays and tagged fields for flexible values.

type writer struct{ b []byte }

func (w *writer) i8(v int8)   { w.b = append(w.b, byte(v)) }
func (w *writer) i16(v int16) { w.b = binary.BigEndian.AppendUint16(w.b, uint16(v)) }
func (w *writer) i32(v int32) { w.b = binary.BigEndian.AppendUint32(w.b, uint32(v)) }
func (w *writer) i64(v int64) { w.b = binary.BigEndian.AppendUint64(w.b, uint64(v)) }
func (w *writer) uuid(v [16]byte) {
	w.b = append(w.b, v[:]...)
}
func (w *writer) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }

// str writes a non-flexible string (keys).
func (w *writer) str(s string) {
	w.i16(int16(len(s)))
	w.b = append(w.b, s...)
}

func (w *writer) cstr(s string) {
	w.uvarint(uint64(len(s)) + 1)
	w.b = append(w.b, s...)
}

func (w *writer) cnstr(s *string) {
	if s == nil {
		w.uvarint(0)
		return
	}
	w.cstr(*s)
}

func (w *writer) clen(n int) { w.uvarint(uint64(n) + 1) }

func (w *writer) ci32s(v []int32) {
	w.clen(len(v))
	for _, x := range v {
		w.i32(x)
	}
}

func (w *writer) cstrs(v []string) {
	w.clen(len(v))
	for _, s := range v {
		w.cstr(s)
	}
}

// noTags ends a flexible struct without tagged fields.
func (w *writer) noTags() { w.uvarint(0) }

type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("record truncated")

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = errShort
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) i8() int8 {
	if b := r.take(1); b != nil {
		return int8(b[0])
	}
	return 0
}

func (r *reader) i16() int16 {
	if b := r.take(2); b != nil {
		return int16(binary.BigEndian.Uint16(b))
	}
	return 0
}

func (r *reader) i32() int32 {
	if b := r.take(4); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

func (r *reader) i64() int64 {
	if b := r.take(8); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

func (r *reader) uuid() (v [16]byte) {
	if b := r.take(16); b != nil {
		copy(v[:], b)
	}
	return v
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("bad uvarint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string {
	n := r.i16()
	if n < 0 {
		r.err = fmt.Errorf("null string in key")
		return ""
	}
	return string(r.take(int(n)))
}

// clen reads a compact length; -1 means null.
func (r *reader) clen() int {
	v := r.uvarint()
	if v > uint64(len(r.b))+1 {
		if r.err == nil {
			r.err = fmt.Errorf("length %d beyond record end", v-1)
		}
		return -1
	}
	return int(v) - 1
}

func (r *reader) cstr() string {
	n := r.clen()
	if n < 0 {
		if r.err == nil {
			r.err = fmt.Errorf("null for non-nullable string")
		}
		return ""
	}
	return string(r.take(n))
}

func (r *reader) cnstr() *string {
	n := r.clen()
	if n < 0 {
		return nil
	}
	s := string(r.take(n))
	return &s
}

func (r *reader) ci32s() []int32 {
	n := r.clen()
	if n < 0 {
		return nil
	}
	out := make([]int32, 0, min(n, len(r.b)/4))
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, r.i32())
	}
	return out
}

func (r *reader) cstrs() []string {
	n := r.clen()
	if n < 0 {
		return nil
	}
	out := make([]string, 0, min(n, len(r.b)))
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, r.cstr())
	}
	return out
}

// tags reads a tagged-field section, handing known tags to fn and skipping
// unknown ones, as Kafka readers do.
func (r *reader) tags(fn func(tag uint64, data []byte) error) {
	n := r.uvarint()
	for i := uint64(0); i < n && r.err == nil; i++ {
		tag := r.uvarint()
		size := r.uvarint()
		if size > uint64(len(r.b)) {
			r.err = errShort
			return
		}
		data := r.take(int(size))
		if fn != nil && r.err == nil {
			if err := fn(tag, data); err != nil {
				r.err = err
			}
		}
	}
}

func (r *reader) done() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(r.b))
	}
	return nil
}
