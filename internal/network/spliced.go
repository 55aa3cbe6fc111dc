package network

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Payload is a byte range sent inside a response without passing through
// the response buffer: record batches in a segment file, written with
// sendfile(2) where the connection allows it.
type Payload interface {
	Len() int64
	WriteTo(w io.Writer) (int64, error)
}

// Splice places a payload at byte At of the encoded response.
type Splice struct {
	At      int
	Payload Payload
}

// SplicedResponse is a response whose large byte fields are payloads. The
// writer sends the encoding with each payload's bytes inserted at its
// place; it calls Release exactly once, whether or not the write happened.
type SplicedResponse interface {
	kmsg.Response
	// AppendSpliced appends the encoding without the payloads' bytes and
	// reports where they go, in increasing order of At.
	AppendSpliced(dst []byte) ([]byte, []Splice)
	Release()
}

// smallPayload is the size under which a payload is copied into the
// connection's buffer instead of being sent on its own: a sendfile call
// for a few records costs more than the copy, and the buffer coalesces
// many small partitions into one write.
const smallPayload = 32 << 10

// writeSpliced frames and writes a spliced response. The encoded parts go
// through the buffered writer; a large payload flushes it and goes
// straight to the socket.
func (cn *conn) writeSpliced(h RequestHeader, resp SplicedResponse, flexibleHeader bool) error {
	defer resp.Release()
	b := cn.frameHeader(h, flexibleHeader)
	b, splices := resp.AppendSpliced(b)
	total := int64(len(b))
	for _, s := range splices {
		total += s.Payload.Len()
	}
	if total-4 > 1<<31-1 {
		return fmt.Errorf("response of %d bytes is too large to frame", total)
	}
	binary.BigEndian.PutUint32(b, uint32(total-4))
	cn.written = int(total)
	prev := 0
	for _, s := range splices {
		if _, err := cn.w.Write(b[prev:s.At]); err != nil {
			return err
		}
		prev = s.At
		var w io.Writer = cn.w
		if s.Payload.Len() >= smallPayload {
			if err := cn.w.Flush(); err != nil {
				return err
			}
			w = cn.c
		}
		n, err := s.Payload.WriteTo(w)
		if err == nil && n != s.Payload.Len() {
			err = io.ErrShortWrite
		}
		if err != nil {
			// The frame's length is already promised: the stream cannot
			// go on, so the connection closes.
			return fmt.Errorf("writing %d-byte payload of a response: %w", s.Payload.Len(), err)
		}
	}
	if _, err := cn.w.Write(b[prev:]); err != nil {
		return err
	}
	cn.keep(b)
	return cn.flushUnlessPipelined()
}
