package raft

import (
	"runtime"
	"sync"

	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// MemNetwork is an in-process Transport for simulated clusters in tests:
// every attached node gets messages through its own queue, a detached node's
// messages are dropped (as a dead or partitioned process's would be).
type MemNetwork struct {
	mu     sync.Mutex
	queues map[int32]chan *pb.Message
	nodes  map[int32]*Node
	wg     sync.WaitGroup
	stop   chan struct{}
	closed bool
}

// NewMemNetwork returns an empty network.
func NewMemNetwork() *MemNetwork {
	return &MemNetwork{queues: map[int32]chan *pb.Message{}, nodes: map[int32]*Node{}, stop: make(chan struct{})}
}

// Attach connects n as node id.
func (m *MemNetwork) Attach(id int32, n *Node) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := make(chan *pb.Message, 4096)
	m.queues[id] = q
	m.nodes[id] = n
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for {
			select {
			case msg := <-q:
				n.Receive(msg)
			case <-m.stop:
				return
			}
		}
	}()
}

// Detach cuts node id off: messages to it are dropped from now on.
func (m *MemNetwork) Detach(id int32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.queues, id)
	delete(m.nodes, id)
}

// Send implements Transport.
func (m *MemNetwork) Send(msgs []*pb.Message) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, msg := range msgs {
		if q, ok := m.queues[nodeIDOf(msg.GetTo())]; ok {
			select {
			case q <- proto.Clone(msg).(*pb.Message):
			default: // a full queue drops, like a congested link
			}
		}
	}
}

// Settle returns once no message is queued and no attached node is busy,
// so a manual clock does not outrun the simulated network.
func (m *MemNetwork) Settle() {
	for quiet := 0; quiet < 3; {
		runtime.Gosched()
		busy := false
		m.mu.Lock()
		for _, q := range m.queues {
			busy = busy || len(q) > 0
		}
		for _, n := range m.nodes {
			busy = busy || n.Busy()
		}
		m.mu.Unlock()
		if busy {
			quiet = 0
		} else {
			quiet++
		}
	}
}

// Close stops delivery goroutines.
func (m *MemNetwork) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	m.mu.Unlock()
	close(m.stop)
	m.wg.Wait()
}

// Busy reports whether the node has work queued or in hand (messages,
// proposals, ticks); simulations use it to wait for quiescence.
func (n *Node) Busy() bool {
	return n.busy.Load() || len(n.recvc) > 0 || len(n.propSig) > 0 || (n.ticker != nil && len(n.ticker.C()) > 0)
}
