package raft

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// TCPMagic opens every raft connection. As a Kafka request size it would be
// over 1 GB, so a listener that also serves the Kafka protocol (the
// controller listener) can tell raft connections apart by their first four
// bytes and hand them to TCPTransport.ServeConn.
var TCPMagic = [4]byte{'O', 'D', 'R', 'F'}

const maxFrame = 64 << 20

// TCPTransport carries raft messages between voters over TCP: one outbound
// connection per peer (dialled on demand, re-dialled after errors), frames
// of uint32 length + protobuf raftpb.Message after the magic.
type TCPTransport struct {
	self  int32
	log   *slog.Logger
	dial  func(addr string) (net.Conn, error)
	node  *Node
	peers map[int32]*peer

	mu      sync.Mutex
	inbound map[net.Conn]struct{}
	closed  bool
	wg      sync.WaitGroup
	stop    chan struct{}
}

type peer struct {
	id   int32
	addr string
	q    chan *pb.Message
}

// NewTCPTransport prepares a transport for node self among voters (their
// Host:Port are the raft addresses). Bind the Node before it starts.
func NewTCPTransport(self int32, voters []Voter, logger *slog.Logger) *TCPTransport {
	if logger == nil {
		logger = slog.Default()
	}
	t := &TCPTransport{self: self, log: logger.With("component", "raft-transport", "node", self),
		peers: map[int32]*peer{}, inbound: map[net.Conn]struct{}{}, stop: make(chan struct{}),
		dial: func(addr string) (net.Conn, error) { return net.DialTimeout("tcp", addr, 3*time.Second) }}
	for _, v := range voters {
		if v.NodeID == self {
			continue
		}
		p := &peer{id: v.NodeID, addr: v.Addr(), q: make(chan *pb.Message, 4096)}
		t.peers[v.NodeID] = p
	}
	return t
}

// Bind sets the node that receives inbound messages and starts the
// per-peer senders.
func (t *TCPTransport) Bind(n *Node) {
	t.node = n
	for _, p := range t.peers {
		t.wg.Add(1)
		go t.sendLoop(p)
	}
}

// Send implements Transport; it never blocks (a full queue drops).
func (t *TCPTransport) Send(msgs []*pb.Message) {
	for _, m := range msgs {
		p := t.peers[nodeIDOf(m.GetTo())]
		if p == nil {
			continue
		}
		select {
		case p.q <- m:
		default:
		}
	}
}

func (t *TCPTransport) sendLoop(p *peer) {
	defer t.wg.Done()
	var conn net.Conn
	var w *bufio.Writer
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	var buf []byte
	for {
		var m *pb.Message
		select {
		case m = <-p.q:
		case <-t.stop:
			return
		}
		if conn == nil {
			c, err := t.dial(p.addr)
			if err != nil {
				t.unreachable(p, err)
				continue
			}
			conn, w = c, bufio.NewWriter(c)
			if _, err := w.Write(TCPMagic[:]); err != nil {
				conn.Close()
				conn = nil
				t.unreachable(p, err)
				continue
			}
		}
		err := t.writeMsg(w, m, &buf)
		// Batch whatever else is queued before flushing.
		for err == nil && len(p.q) > 0 {
			err = t.writeMsg(w, <-p.q, &buf)
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			conn.Close()
			conn = nil
			t.unreachable(p, err)
		}
	}
}

func (t *TCPTransport) writeMsg(w *bufio.Writer, m *pb.Message, buf *[]byte) error {
	b, err := proto.MarshalOptions{}.MarshalAppend((*buf)[:0], m)
	if err != nil {
		return fmt.Errorf("raft: marshal message: %w", err)
	}
	*buf = b
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func (t *TCPTransport) unreachable(p *peer, err error) {
	t.log.Debug("raft: peer unreachable", "peer", p.id, "addr", p.addr, "err", err)
	if t.node != nil {
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.node.ReportUnreachable(p.id)
		}()
	}
}

// Listen accepts raft connections on addr (for a dedicated raft port);
// a shared controller listener calls ServeConn instead.
func (t *TCPTransport) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("raft: listen %s: %w", addr, err)
	}
	t.wg.Add(2)
	go func() {
		defer t.wg.Done()
		<-t.stop
		ln.Close()
	}()
	go func() {
		defer t.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.wg.Add(1)
			go func() {
				defer t.wg.Done()
				t.serve(c, true)
			}()
		}
	}()
	return ln.Addr(), nil
}

// ServeConn reads raft messages from an accepted connection until it
// closes. magicRead says whether the caller already consumed TCPMagic.
func (t *TCPTransport) ServeConn(c net.Conn, magicRead bool) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		c.Close()
		return
	}
	t.wg.Add(1)
	t.mu.Unlock()
	defer t.wg.Done()
	t.serve(c, !magicRead)
}

func (t *TCPTransport) serve(c net.Conn, readMagic bool) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		c.Close()
		return
	}
	t.inbound[c] = struct{}{}
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		delete(t.inbound, c)
		t.mu.Unlock()
		c.Close()
	}()
	r := bufio.NewReader(c)
	if readMagic {
		var m [4]byte
		if _, err := io.ReadFull(r, m[:]); err != nil || m != TCPMagic {
			return
		}
	}
	for {
		var hdr [4]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if n > maxFrame {
			t.log.Warn("raft: oversized frame; dropping connection", "bytes", n)
			return
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return
		}
		m := &pb.Message{}
		if err := proto.Unmarshal(b, m); err != nil {
			t.log.Warn("raft: bad message; dropping connection", "err", err)
			return
		}
		if t.node != nil {
			t.node.Receive(m)
		}
	}
}

// Close stops senders, listeners and inbound connections.
func (t *TCPTransport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	for c := range t.inbound {
		c.Close()
	}
	t.mu.Unlock()
	close(t.stop)
	t.wg.Wait()
	return nil
}
