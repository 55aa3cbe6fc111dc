package raft

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/odradek/odradek/internal/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type recorder struct {
	mu      sync.Mutex
	batches []CommittedBatch
	snaps   []Snapshot
	leaders []int32
	sig     chan struct{}
}

func newRecorder() *recorder { return &recorder{sig: make(chan struct{}, 1024)} }

func (r *recorder) OnCommit(b CommittedBatch) {
	r.mu.Lock()
	r.batches = append(r.batches, b)
	r.mu.Unlock()
	r.sig <- struct{}{}
}
func (r *recorder) OnSnapshot(s Snapshot) {
	r.mu.Lock()
	r.snaps = append(r.snaps, s)
	r.batches = nil
	r.mu.Unlock()
}
func (r *recorder) OnLeaderChange(l int32, e int64) {
	r.mu.Lock()
	r.leaders = append(r.leaders, l)
	r.mu.Unlock()
}

// waitOffset waits for a committed batch at offset >= off.
func (r *recorder) waitOffset(t *testing.T, off int64) {
	t.Helper()
	for {
		r.mu.Lock()
		done := len(r.batches) > 0 && r.batches[len(r.batches)-1].Offset >= off
		r.mu.Unlock()
		if done {
			return
		}
		<-r.sig
	}
}

func (r *recorder) dataRecords() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.snaps {
		for _, rec := range s.Records {
			out = append(out, string(rec))
		}
	}
	for _, b := range r.batches {
		for _, rec := range b.Records {
			out = append(out, fmt.Sprintf("%d:%s", b.Offset, rec))
		}
	}
	return out
}

func openNode(t *testing.T, dir string) (*Node, *recorder) {
	t.Helper()
	n, err := Open(Config{NodeID: 1, MetadataLogDir: dir, Voters: []Voter{{NodeID: 1, Host: "127.0.0.1", Port: 1}},
		Clock: clock.NewManual(time.Unix(0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	n.AddListener(r)
	n.Start()
	return n, r
}

func TestProposeCloseReopen(t *testing.T) {
	dir := t.TempDir()
	n, r := openNode(t, dir)
	ctx := context.Background()
	var offs []int64
	for i := 0; i < 5; i++ {
		off, err := n.Propose(ctx, [][]byte{[]byte(fmt.Sprintf("a%d", i)), []byte(fmt.Sprintf("b%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		offs = append(offs, off)
	}
	for i := 1; i < len(offs); i++ {
		if offs[i] != offs[i-1]+1 {
			t.Fatalf("offsets not consecutive: %v", offs)
		}
	}
	r.waitOffset(t, offs[4])
	want := r.dataRecords()
	if l, _ := n.Leader(); l != 1 {
		t.Fatalf("leader = %d", l)
	}
	st, err := n.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dq := st.DescribeQuorumResponse(2, 1, 5, []Voter{{NodeID: 1, Host: "h", Port: 9093}}, "CONTROLLER")
	p := dq.Topics[0].Partitions[0]
	if dq.Topics[0].Topic != MetadataTopic || p.LeaderID != 1 || p.HighWatermark != offs[4]+1 ||
		len(p.CurrentVoters) != 1 || p.CurrentVoters[0].LogEndOffset != offs[4]+1 || dq.Nodes[0].Listeners[0].Port != 9093 {
		t.Fatalf("describe quorum: %+v", dq)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Propose(ctx, [][]byte{[]byte("x")}); err != ErrClosed {
		t.Fatalf("propose after close: %v", err)
	}

	n2, r2 := openNode(t, dir)
	defer n2.Close()
	off, err := n2.Propose(ctx, [][]byte{[]byte("after")})
	if err != nil {
		t.Fatal(err)
	}
	if off <= offs[4] {
		t.Fatalf("offset after restart %d <= %d", off, offs[4])
	}
	r2.waitOffset(t, off)
	got := r2.dataRecords()
	if fmt.Sprint(got[:len(want)]) != fmt.Sprint(want) {
		t.Fatalf("replay mismatch:\n got %v\nwant %v", got, want)
	}
}

func TestTornTailRecovery(t *testing.T) {
	dir := t.TempDir()
	n, r := openNode(t, dir)
	ctx := context.Background()
	var last int64
	for i := 0; i < 3; i++ {
		off, err := n.Propose(ctx, [][]byte{[]byte(fmt.Sprintf("r%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		last = off
	}
	r.waitOffset(t, last)
	n.Close()
	seg := filepath.Join(dir, DirName, segmentName(0))
	full, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the final batch at every byte boundary and at a flipped byte:
	// recovery must keep exactly the whole batches before it.
	lastLen := 0
	for p := 0; p < len(full); {
		l, err := batchLen(full[p:])
		if err != nil {
			t.Fatal(err)
		}
		lastLen = l
		p += l
	}
	start := len(full) - lastLen
	cases := map[string][]byte{}
	for cut := start + 1; cut < len(full); cut += 7 {
		cases[fmt.Sprintf("cut%d", cut)] = append([]byte(nil), full[:cut]...)
	}
	flip := append([]byte(nil), full...)
	flip[len(flip)-2] ^= 0xff
	cases["flip"] = flip
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			d := t.TempDir()
			os.MkdirAll(filepath.Join(d, DirName), 0o755)
			os.WriteFile(filepath.Join(d, DirName, segmentName(0)), data, 0o644)
			qs, _ := os.ReadFile(filepath.Join(dir, DirName, quorumStateFile))
			os.WriteFile(filepath.Join(d, DirName, quorumStateFile), qs, 0o644)
			n2, r2 := openNode(t, d)
			off, err := n2.Propose(ctx, [][]byte{[]byte("new")})
			if err != nil {
				t.Fatal(err)
			}
			if off < last {
				t.Fatalf("new entry at %d, below the torn offset %d", off, last)
			}
			r2.waitOffset(t, off)
			n2.Close()
			recs := r2.dataRecords()
			if recs[len(recs)-1] != fmt.Sprintf("%d:new", off) || len(recs) != 3 {
				t.Fatalf("records after recovery: %v", recs)
			}
			st, _ := os.Stat(filepath.Join(d, DirName, segmentName(0)))
			if st.Size() <= int64(start) {
				t.Fatalf("segment shrank below the intact prefix")
			}
		})
	}
}

type snapper struct {
	n   *Node
	r   *recorder
	ask chan struct{}
}

func (s *snapper) WantSnapshot() { s.ask <- struct{}{} }

func TestSnapshotAndRecovery(t *testing.T) {
	dir := t.TempDir()
	n, err := Open(Config{NodeID: 1, MetadataLogDir: dir, Voters: []Voter{{NodeID: 1}}, Clock: clock.NewManual(time.Unix(0, 0)), SnapshotBytes: 200})
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	n.AddListener(r)
	sn := &snapper{n: n, r: r, ask: make(chan struct{}, 10)}
	n.SetSnapshotter(sn)
	n.Start()
	ctx := context.Background()
	var last int64
	for i := 0; i < 20; i++ {
		last, err = n.Propose(ctx, [][]byte{[]byte(fmt.Sprintf("rec-%02d-xxxxxxxxxxxxxxxxxxxxxxxx", i))})
		if err != nil {
			t.Fatal(err)
		}
	}
	r.waitOffset(t, last)
	<-sn.ask
	// The "state" is every record so far.
	var state [][]byte
	for _, s := range r.dataRecords() {
		state = append(state, []byte(s))
	}
	if err := n.SaveSnapshot(last, state); err != nil {
		t.Fatal(err)
	}
	n.Close()
	cps, _ := listCheckpoints(filepath.Join(dir, DirName))
	if len(cps) != 1 || filepath.Base(cps[0]) != checkpointName(uint64(last+1), 2) {
		t.Fatalf("checkpoints: %v", cps)
	}
	n2, r2 := openNode(t, dir)
	defer n2.Close()
	off, err := n2.Propose(ctx, [][]byte{[]byte("post")})
	if err != nil {
		t.Fatal(err)
	}
	r2.waitOffset(t, off)
	got := r2.dataRecords()
	if len(got) != len(state)+1 || got[len(got)-1] != fmt.Sprintf("%d:post", off) {
		t.Fatalf("after snapshot restart: %v", got)
	}
}

func TestParseVoters(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  bool
	}{
		{"", "[]", false},
		{"1@127.0.0.1:9093", "[{1 127.0.0.1 9093}]", false},
		{"2@h:1,1@[::1]:2", "[{1 ::1 2} {2 h 1}]", false},
		{"x@h:1", "", true},
		{"1h:1", "", true},
		{"1@h", "", true},
		{"1@h:1,1@h:2", "", true},
	} {
		v, err := ParseVoters(tc.in)
		if (err != nil) != tc.err {
			t.Fatalf("%q: err %v", tc.in, err)
		}
		if !tc.err && fmt.Sprint(v) != tc.want && !(tc.want == "[]" && len(v) == 0) {
			t.Fatalf("%q: got %v", tc.in, v)
		}
	}
}

func TestLoadBootstrap(t *testing.T) {
	d := t.TempDir()
	if _, _, err := LoadBootstrap(d); err != ErrNoBootstrap {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(d, BootstrapFile), []byte(`{"cluster_id":"abc","voters":[{"node_id":1,"endpoints":["CONTROLLER://127.0.0.1:9093"]}]}`), 0o644)
	v, err := ResolveVoters("", d)
	if err != nil || len(v) != 1 || v[0].Port != 9093 {
		t.Fatal(v, err)
	}
	if cid, _, _ := LoadBootstrap(d); cid != "abc" {
		t.Fatal(cid)
	}
}

// TestCutEveryByte cuts the segment at every byte boundary: recovery must
// keep exactly the whole batches before the cut, and the node must then
// accept new proposals.
func TestCutEveryByte(t *testing.T) {
	dir := t.TempDir()
	n, r := openNode(t, dir)
	ctx := context.Background()
	var last int64
	for i := 0; i < 2; i++ {
		off, err := n.Propose(ctx, [][]byte{[]byte(fmt.Sprintf("r%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		last = off
	}
	r.waitOffset(t, last)
	n.Close()
	full, err := os.ReadFile(filepath.Join(dir, DirName, segmentName(0)))
	if err != nil {
		t.Fatal(err)
	}
	qs, _ := os.ReadFile(filepath.Join(dir, DirName, quorumStateFile))
	var ends []int // byte offsets where whole batches end
	for p := 0; p < len(full); {
		l, err := batchLen(full[p:])
		if err != nil {
			t.Fatal(err)
		}
		p += l
		ends = append(ends, p)
	}
	for cut := 0; cut <= len(full); cut++ {
		d := t.TempDir()
		os.MkdirAll(filepath.Join(d, DirName), 0o755)
		os.WriteFile(filepath.Join(d, DirName, segmentName(0)), full[:cut], 0o644)
		os.WriteFile(filepath.Join(d, DirName, quorumStateFile), qs, 0o644)
		n2, err := Open(Config{NodeID: 1, MetadataLogDir: d, Voters: []Voter{{NodeID: 1}}, Clock: clock.NewManual(time.Unix(0, 0)),
			Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("cut %d: open: %v", cut, err)
		}
		kept := 0
		for _, e := range ends {
			if e <= cut {
				kept = e
			}
		}
		st, _ := os.Stat(filepath.Join(d, DirName, segmentName(0)))
		if st != nil && st.Size() != int64(kept) {
			t.Fatalf("cut %d: segment is %d bytes, want %d", cut, st.Size(), kept)
		}
		// Every cut is recovered; a sample of them (batch ends and every
		// 17th byte) also runs and commits, which costs fsyncs.
		if cut%17 != 0 && !slices.Contains(ends, cut) {
			n2.Close()
			continue
		}
		r2 := newRecorder()
		n2.AddListener(r2)
		n2.Start()
		off, err := n2.Propose(ctx, [][]byte{[]byte("new")})
		if err != nil {
			t.Fatalf("cut %d: propose: %v", cut, err)
		}
		r2.waitOffset(t, off)
		n2.Close()
		got := r2.dataRecords()
		if got[len(got)-1] != fmt.Sprintf("%d:new", off) {
			t.Fatalf("cut %d: records %v", cut, got)
		}
	}
}
