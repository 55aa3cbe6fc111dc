package raft

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/clock"
)

type leaderWatch struct {
	*recorder
	ch chan int32
}

func (l *leaderWatch) OnLeaderChange(id int32, e int64) {
	l.recorder.OnLeaderChange(id, e)
	select {
	case l.ch <- id:
	default:
	}
}

// TestTCPTransportCluster runs three voters over loopback TCP on the real
// clock with short ticks; it waits on events, never on time.
func TestTCPTransportCluster(t *testing.T) {
	var lns []net.Listener
	var voters []Voter
	for id := int32(1); id <= 3; id++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		a := ln.Addr().(*net.TCPAddr)
		voters = append(voters, Voter{NodeID: id, Host: "127.0.0.1", Port: a.Port})
	}
	nodes := map[int32]*Node{}
	watches := map[int32]*leaderWatch{}
	var transports []*TCPTransport
	for i, v := range voters {
		tr := NewTCPTransport(v.NodeID, voters, nil)
		n, err := Open(Config{NodeID: v.NodeID, MetadataLogDir: t.TempDir(), Voters: voters, Clock: clock.Real{},
			Transport: tr, TickInterval: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		tr.Bind(n)
		w := &leaderWatch{recorder: newRecorder(), ch: make(chan int32, 64)}
		n.AddListener(w)
		ln := lns[i]
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go tr.ServeConn(c, false)
			}
		}()
		nodes[v.NodeID], watches[v.NodeID] = n, w
		transports = append(transports, tr)
	}
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
		for _, n := range nodes {
			n.Close()
		}
		for _, tr := range transports {
			tr.Close()
		}
	}()
	for _, n := range nodes {
		n.Start()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// Propose through whichever node becomes leader.
	var off int64 = -1
	for off < 0 {
		select {
		case <-ctx.Done():
			t.Fatal("no leader")
		case l := <-watches[1].ch:
			if n := nodes[l]; n != nil {
				if o, err := n.Propose(ctx, [][]byte{[]byte("over tcp")}); err == nil {
					off = o
				}
			}
		}
	}
	for id, w := range watches {
		w.waitOffset(t, off)
		if got := w.dataRecords(); got[len(got)-1] != fmt.Sprintf("%d:over tcp", off) {
			t.Fatalf("node %d records %v", id, got)
		}
	}
}
