package network

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echoHandler serves ApiVersions and Metadata only, answering empty
// responses, so framing can be tested without a broker.
type echoHandler struct{}

func (echoHandler) Versions(_ string, key int16) (int16, int16, bool) {
	switch key {
	case 18:
		return 0, 4, true
	case 3:
		return 0, 12, true
	}
	return 0, 0, false
}

func (echoHandler) Handle(_ context.Context, _ *RequestContext, req kmsg.Request) (kmsg.Response, error) {
	return req.ResponseKind(), nil
}

func (echoHandler) Unsupported(_ *RequestContext, req kmsg.Request) kmsg.Response {
	if _, ok := req.(*kmsg.ApiVersionsRequest); ok {
		return kmsg.NewPtrApiVersionsResponse()
	}
	return nil
}

func startTestServer(t *testing.T, maxBytes int32) *Server {
	s := New(Config{Listeners: []Listener{{Name: "PLAINTEXT", Addr: "127.0.0.1:0"}}, SocketRequestMaxBytes: maxBytes}, echoHandler{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// serveAndDial starts a server for h on a free loopback port and connects
// to it; both are closed when the test ends.
func serveAndDial(t *testing.T, cfg Config, h Handler) (*Server, net.Conn) {
	t.Helper()
	cfg.Listeners = []Listener{{Name: "PLAINTEXT", Addr: "127.0.0.1:0"}}
	s := New(cfg, h)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := net.Dial("tcp", s.Addr("PLAINTEXT").String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	return s, c
}

func encodeRequest(req kmsg.Request, corr int32) []byte {
	b := make([]byte, 4, 64)
	b = binary.BigEndian.AppendUint16(b, uint16(req.Key()))
	b = binary.BigEndian.AppendUint16(b, uint16(req.GetVersion()))
	b = binary.BigEndian.AppendUint32(b, uint32(corr))
	b = binary.BigEndian.AppendUint16(b, 1)
	b = append(b, 'c')
	if req.IsFlexible() {
		b = append(b, 0)
	}
	b = req.AppendTo(b)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

func TestPipelinedRequestsAnswerInOrder(t *testing.T) {
	_, c := serveAndDial(t, Config{SocketRequestMaxBytes: 1 << 20}, echoHandler{})
	var all []byte
	for i := int32(1); i <= 20; i++ {
		req := kmsg.NewPtrMetadataRequest()
		req.SetVersion(int16(i % 13))
		all = append(all, encodeRequest(req, i)...)
	}
	if _, err := c.Write(all); err != nil {
		t.Fatal(err)
	}
	for i := int32(1); i <= 20; i++ {
		var sz [4]byte
		if _, err := io.ReadFull(c, sz[:]); err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		body := make([]byte, binary.BigEndian.Uint32(sz[:]))
		io.ReadFull(c, body)
		if corr := int32(binary.BigEndian.Uint32(body)); corr != i {
			t.Fatalf("response %d has correlation id %d", i, corr)
		}
	}
}

func TestOversizedFrameClosesConnection(t *testing.T) {
	s := startTestServer(t, 100)
	c, err := net.Dial("tcp", s.Addr("PLAINTEXT").String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte{0, 0, 0, 101})
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection answered an oversized frame")
	}
}

func TestSkipTags(t *testing.T) {
	// two tags: (tag 1, 2 bytes), (tag 5, 0 bytes)
	b := []byte{2, 1, 2, 0xaa, 0xbb, 5, 0, 0x99}
	off, err := skipTags(b, 0)
	if err != nil || off != 7 {
		t.Fatalf("skipTags = %d, %v", off, err)
	}
	if _, err := skipTags([]byte{1, 1, 9}, 0); err == nil {
		t.Fatal("truncated tag accepted")
	}
}

// FuzzRequestDecoding feeds arbitrary frames through header parsing and the
// kmsg decoder of every API at every version: nothing may panic.
func FuzzRequestDecoding(f *testing.F) {
	for _, key := range []int16{0, 1, 2, 3, 18, 19, 32} {
		req := kmsg.RequestForKey(key)
		req.SetVersion(req.MaxVersion())
		f.Add(encodeRequest(req, 1)[4:])
	}
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, frame []byte) {
		h, err := parseHeaderPrefix(frame)
		if err != nil {
			return
		}
		req := kmsg.RequestForKey(h.APIKey)
		if req == nil || h.APIVersion < 0 || h.APIVersion > req.MaxVersion() {
			return
		}
		req.SetVersion(h.APIVersion)
		off := h.bodyOffset
		if req.IsFlexible() {
			if off, err = skipTags(frame, off); err != nil {
				return
			}
		}
		_ = req.ReadFrom(frame[off:])
	})
}
