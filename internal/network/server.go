// Package network accepts Kafka protocol connections, frames requests,
// parses request headers and writes responses in order. It knows nothing of
// what the APIs do: a Handler turns a decoded kmsg request into a response.
package network

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// RequestContext describes where a request came from.
type RequestContext struct {
	Header       RequestHeader
	ListenerName string
	ClientAddr   net.Addr
	ConnID       uint64
	// Received is when the whole frame had been read.
	Received time.Time
}

// Handler serves decoded requests.
type Handler interface {
	// Versions reports the versions served for an API key on a listener.
	Versions(listener string, key int16) (min, max int16, ok bool)
	// Handle returns the response, or nil when none is to be sent
	// (Produce with acks=0). An error closes the connection.
	Handle(ctx context.Context, rc *RequestContext, req kmsg.Request) (kmsg.Response, error)
	// Unsupported returns the answer to a known API at a version not served,
	// or nil to close the connection as Kafka does.
	Unsupported(rc *RequestContext, req kmsg.Request) kmsg.Response
}

// Listener is one named endpoint to bind.
type Listener struct {
	Name string // e.g. PLAINTEXT
	Addr string // host:port; port 0 picks a free one
}

// Config holds connection-level limits.
type Config struct {
	Listeners             []Listener
	SocketRequestMaxBytes int32         // socket.request.max.bytes
	ConnectionsMaxIdle    time.Duration // connections.max.idle.ms
	Logger                *slog.Logger
	// Observer, if set, is told about every request served (for metrics).
	Observer RequestObserver
	// ReuseFrames lists API keys whose handling keeps no reference into
	// the request's bytes once Handle returns; their frame buffers are
	// reused for later requests.
	ReuseFrames map[int16]bool
}

// Server owns the listeners and the connections accepted on them.
type Server struct {
	cfg     Config
	handler Handler
	log     *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.Mutex
	listeners map[string]net.Listener
	conns     map[uint64]net.Conn
	stats     connStats
	nextConn  atomic.Uint64
	wg        sync.WaitGroup
	closed    bool
}

// New builds a server; Start binds the listeners.
func New(cfg Config, h Handler) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SocketRequestMaxBytes <= 0 {
		cfg.SocketRequestMaxBytes = 104857600
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		cfg: cfg, handler: h, log: cfg.Logger,
		ctx: ctx, cancel: cancel,
		listeners: map[string]net.Listener{},
		conns:     map[uint64]net.Conn{},
	}
}

// Start binds every listener and begins accepting.
func (s *Server) Start() error {
	for _, l := range s.cfg.Listeners {
		ln, err := net.Listen("tcp", l.Addr)
		if err != nil {
			s.Close()
			return fmt.Errorf("binding listener %s on %s: %w", l.Name, l.Addr, err)
		}
		s.mu.Lock()
		s.listeners[l.Name] = ln
		s.mu.Unlock()
		s.log.Info("listening", "listener", l.Name, "addr", ln.Addr().String())
		s.wg.Add(1)
		go s.accept(l.Name, ln)
	}
	return nil
}

// Addr returns the bound address of a listener, or nil.
func (s *Server) Addr(name string) net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ln, ok := s.listeners[name]; ok {
		return ln.Addr()
	}
	return nil
}

// Close stops accepting, closes every connection and waits for their
// goroutines to finish.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, ln := range s.listeners {
		ln.Close()
	}
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

func (s *Server) accept(name string, ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("accept failed", "listener", name, "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		id := s.nextConn.Add(1)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[id] = c
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(name, id, c)
	}
}

func (s *Server) serve(listener string, id uint64, c net.Conn) {
	defer s.wg.Done()
	s.connOpened(listener)
	defer s.connClosed(listener)
	defer func() {
		s.mu.Lock()
		delete(s.conns, id)
		s.mu.Unlock()
		c.Close()
	}()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	cn := &conn{s: s, c: c, listener: listener, id: id,
		r: bufio.NewReaderSize(c, 64<<10), w: bufio.NewWriterSize(c, 64<<10)}
	if err := cn.loop(); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
		s.log.Debug("connection closed", "listener", listener, "remote", c.RemoteAddr().String(), "reason", err)
	}
}

type conn struct {
	s        *Server
	c        net.Conn
	listener string
	id       uint64
	r        *bufio.Reader
	w        *bufio.Writer
	sizeBuf  [4]byte
	out      []byte
	// written is the size of the last response framed, for the observer.
	written int
}

// loop serves one request at a time, in order, as Kafka does per connection.
func (cn *conn) loop() error {
	max := cn.s.cfg.SocketRequestMaxBytes
	for {
		if idle := cn.s.cfg.ConnectionsMaxIdle; idle > 0 {
			cn.c.SetReadDeadline(time.Now().Add(idle))
		}
		if _, err := io.ReadFull(cn.r, cn.sizeBuf[:]); err != nil {
			return err
		}
		size := int32(binary.BigEndian.Uint32(cn.sizeBuf[:]))
		if size < 0 || size > max {
			return fmt.Errorf("request size %d outside 0..socket.request.max.bytes (%d)", size, max)
		}
		frame, pooled := cn.readFrame(int(size))
		if _, err := io.ReadFull(cn.r, frame); err != nil {
			return err
		}
		err := cn.handle(frame)
		if pooled {
			putFrame(frame)
		}
		if err != nil {
			return err
		}
	}
}

// readFrame returns the buffer for the next request: pooled when its API
// is one whose bytes are not kept (the key is peeked from the header).
func (cn *conn) readFrame(size int) ([]byte, bool) {
	if size >= minPooledFrame && len(cn.s.cfg.ReuseFrames) > 0 {
		if p, err := cn.r.Peek(2); err == nil && cn.s.cfg.ReuseFrames[int16(binary.BigEndian.Uint16(p))] {
			return getFrame(size), true
		}
	}
	return make([]byte, size), false
}

func (cn *conn) handle(frame []byte) error {
	start := time.Now()
	h, err := parseHeaderPrefix(frame)
	if err != nil {
		return err
	}
	rc := &RequestContext{Header: h, ListenerName: cn.listener, ClientAddr: cn.c.RemoteAddr(), ConnID: cn.id, Received: start}
	req := kmsg.RequestForKey(h.APIKey)
	if req == nil {
		return fmt.Errorf("unknown api key %d", h.APIKey)
	}
	obs := RequestObservation{APIKey: h.APIKey, APIVersion: h.APIVersion, RequestBytes: len(frame) + 4}
	min, max, served := cn.s.handler.Versions(cn.listener, h.APIKey)
	if !served || h.APIVersion < min || h.APIVersion > max {
		err := cn.handleUnserved(frame, h, req, rc, served)
		obs.Queue, obs.ResponseBytes, obs.Failed = time.Since(start), cn.written, err != nil
		cn.observe(obs, start)
		return err
	}
	req.SetVersion(h.APIVersion)
	if err := cn.decodeBody(frame, &h, req); err != nil {
		obs.Queue, obs.Failed = time.Since(start), true
		cn.observe(obs, start)
		return err
	}
	rc.Header = h
	if h.APIKey == 1 && cn.w.Buffered() > 0 {
		// A fetch may long-poll: do not hold earlier answers behind it.
		if err := cn.w.Flush(); err != nil {
			return err
		}
	}
	decoded := time.Now()
	obs.Queue = decoded.Sub(start)
	resp, err := cn.s.handler.Handle(cn.s.ctx, rc, req)
	handled := time.Now()
	obs.Processing = handled.Sub(decoded)
	if err != nil || resp == nil {
		if sr, ok := resp.(SplicedResponse); ok {
			sr.Release()
		}
		obs.Failed = err != nil
		cn.observe(obs, start)
		return err
	}
	resp.SetVersion(h.APIVersion)
	err = cn.write(h, resp, req.IsFlexible() && h.APIKey != 18)
	obs.Send, obs.ResponseBytes, obs.Failed = time.Since(handled), cn.written, err != nil
	cn.observe(obs, start)
	return err
}

// handleUnserved answers a request at a version (or on a listener) not
// served: ApiVersions in v0 (KIP-511), the handler's per-partition
// UNSUPPORTED_VERSION answer, or an error that closes the connection.
func (cn *conn) handleUnserved(frame []byte, h RequestHeader, req kmsg.Request, rc *RequestContext, served bool) error {
	cn.written = 0
	if h.APIKey == 18 { // ApiVersions: answer in v0 so any client can read it (KIP-511)
		resp, ok := cn.s.handler.Unsupported(rc, req).(*kmsg.ApiVersionsResponse)
		if !ok {
			return fmt.Errorf("api versions v%d not served", h.APIVersion)
		}
		resp.Version = 0
		resp.ErrorCode = kerr.UnsupportedVersion.Code
		return cn.write(h, resp, false)
	}
	if !served || h.APIVersion > req.MaxVersion() {
		return fmt.Errorf("api key %d version %d not served", h.APIKey, h.APIVersion)
	}
	req.SetVersion(h.APIVersion)
	if err := cn.decodeBody(frame, &h, req); err != nil {
		return err
	}
	resp := cn.s.handler.Unsupported(rc, req)
	if resp == nil {
		return fmt.Errorf("api key %d version %d not served", h.APIKey, h.APIVersion)
	}
	return cn.write(h, resp, req.IsFlexible())
}

func (cn *conn) decodeBody(frame []byte, h *RequestHeader, req kmsg.Request) error {
	off := h.bodyOffset
	if req.IsFlexible() {
		var err error
		if off, err = skipTags(frame, off); err != nil {
			return err
		}
	}
	if err := req.ReadFrom(frame[off:]); err != nil {
		return fmt.Errorf("decoding %s v%d: %w", kmsg.NameForKey(h.APIKey), h.APIVersion, err)
	}
	return nil
}

// write frames a response: size, correlation id, header tags when flexible
// (ApiVersions responses never carry them), body.
func (cn *conn) write(h RequestHeader, resp kmsg.Response, flexibleHeader bool) error {
	if sr, ok := resp.(SplicedResponse); ok {
		return cn.writeSpliced(h, sr, flexibleHeader)
	}
	b := cn.frameHeader(h, flexibleHeader)
	b = resp.AppendTo(b)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	cn.written = len(b)
	if _, err := cn.w.Write(b); err != nil {
		return err
	}
	cn.keep(b)
	return cn.flushUnlessPipelined()
}

// frameHeader starts a response in the connection's buffer: room for the
// size, the correlation id, and the header's empty tag section if flexible.
func (cn *conn) frameHeader(h RequestHeader, flexibleHeader bool) []byte {
	b := cn.out[:0]
	b = append(b, 0, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(h.CorrelationID))
	if flexibleHeader {
		b = append(b, 0)
	}
	return b
}

// keep holds on to the encoding buffer for the next response unless it
// grew large.
func (cn *conn) keep(b []byte) {
	if cap(b) <= 1<<20 {
		cn.out = b[:0]
	} else {
		cn.out = nil
	}
}

func (cn *conn) flushUnlessPipelined() error {
	if cn.nextFrameBuffered() {
		// A whole pipelined request is already here: answer it before
		// flushing, so a burst costs one write instead of many.
		return nil
	}
	return cn.w.Flush()
}

func (cn *conn) nextFrameBuffered() bool {
	n := cn.r.Buffered()
	if n < 4 {
		return false
	}
	p, err := cn.r.Peek(4)
	if err != nil {
		return false
	}
	size := int(binary.BigEndian.Uint32(p))
	return size >= 0 && n-4 >= size
}
