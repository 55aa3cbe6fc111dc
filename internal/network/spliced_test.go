package network

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

type bytesPayload []byte

func (p bytesPayload) Len() int64                         { return int64(len(p)) }
func (p bytesPayload) WriteTo(w io.Writer) (int64, error) { n, err := w.Write(p); return int64(n), err }

// splicedBody answers with a body made of fixed parts and payloads, small
// (copied into the buffer) and large (written to the socket directly).
type splicedBody struct {
	*kmsg.MetadataResponse
	parts    [][]byte // even: encoded, odd: payload
	released *atomic.Int32
}

func (r *splicedBody) AppendSpliced(dst []byte) ([]byte, []Splice) {
	var sp []Splice
	for i, p := range r.parts {
		if i%2 == 0 {
			dst = append(dst, p...)
		} else {
			sp = append(sp, Splice{At: len(dst), Payload: bytesPayload(p)})
		}
	}
	return dst, sp
}

func (r *splicedBody) Release() { r.released.Add(1) }

type splicedHandler struct {
	echoHandler
	parts    [][]byte
	released atomic.Int32
}

func (h *splicedHandler) Handle(_ context.Context, _ *RequestContext, req kmsg.Request) (kmsg.Response, error) {
	return &splicedBody{MetadataResponse: kmsg.NewPtrMetadataResponse(), parts: h.parts, released: &h.released}, nil
}

func TestSplicedResponseFraming(t *testing.T) {
	large := bytes.Repeat([]byte("L"), 3*smallPayload)
	h := &splicedHandler{parts: [][]byte{[]byte("head"), []byte("small"), []byte("mid"), large, []byte(""), []byte("x"), []byte("tail")}}
	s, c := serveAndDial(t, Config{}, h)
	// Pipelined: three requests in one write, answered in order.
	var all []byte
	for i := int32(1); i <= 3; i++ {
		req := kmsg.NewPtrMetadataRequest()
		req.SetVersion(1)
		all = append(all, encodeRequest(req, i)...)
	}
	if _, err := c.Write(all); err != nil {
		t.Fatal(err)
	}
	want := bytes.Join(h.parts, nil)
	for i := int32(1); i <= 3; i++ {
		var size [4]byte
		if _, err := io.ReadFull(c, size[:]); err != nil {
			t.Fatal(err)
		}
		frame := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(c, frame); err != nil {
			t.Fatal(err)
		}
		if corr := int32(binary.BigEndian.Uint32(frame)); corr != i {
			t.Fatalf("correlation id %d, want %d", corr, i)
		}
		if !bytes.Equal(frame[4:], want) {
			t.Fatalf("response %d: body of %d bytes differs from the %d expected", i, len(frame)-4, len(want))
		}
	}
	c.Close()
	s.Close()
	if n := h.released.Load(); n != 3 {
		t.Fatalf("released %d times, want once per response (3)", n)
	}
}

func TestFrameClasses(t *testing.T) {
	for _, c := range []struct{ size, class int }{
		{1, -1}, {minPooledFrame - 1, -1}, {minPooledFrame, 0}, {minPooledFrame + 1, 1},
		{1 << 20, 4}, {1<<20 + 1, 5}, {maxPooledFrame, len(framePools) - 1}, {maxPooledFrame + 1, -1},
	} {
		if got := frameClass(c.size); got != c.class {
			t.Fatalf("frameClass(%d) = %d, want %d", c.size, got, c.class)
		}
		b := getFrame(c.size)
		if len(b) != c.size || (c.class >= 0 && cap(b) != minPooledFrame<<c.class) {
			t.Fatalf("getFrame(%d): len %d cap %d", c.size, len(b), cap(b))
		}
		putFrame(b)
	}
}
