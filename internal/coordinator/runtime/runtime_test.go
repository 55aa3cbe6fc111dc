package runtime

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"go.uber.org/goleak"

	"github.com/odradek/odradek/internal/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// kvShard is a minimal state machine: the last value of every key.
type kvShard struct {
	kv     map[string]string
	loaded bool
	fired  []string
}

func (s *kvShard) Replay(_ int64, key, value []byte) error {
	if value == nil {
		delete(s.kv, string(key))
	} else {
		s.kv[string(key)] = string(value)
	}
	return nil
}
func (s *kvShard) Loaded(*Timers) { s.loaded = true }
func (s *kvShard) Unloaded()      {}

func (s *kvShard) dump() string {
	keys := make([]string, 0, len(s.kv))
	for k := range s.kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for _, k := range keys {
		out += k + "=" + s.kv[k] + " "
	}
	return out
}

func newTestRuntime(t *testing.T, clk clock.Clock, log PartitionLog) *Runtime {
	t.Helper()
	rt := New(Config{Clock: clk, NewShard: func(int32) Shard { return &kvShard{kv: map[string]string{}} }})
	t.Cleanup(rt.Close)
	rt.Load(0, 0, log)
	if err := rt.WaitLoaded(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	return rt
}

// put writes key=value (value "" is a tombstone) and applies it once appended.
func put(key, value string) func(Shard, *Timers) (Result, error) {
	return func(s Shard, _ *Timers) (Result, error) {
		r := Record{Key: []byte(key)}
		if value != "" {
			r.Value = []byte(value)
		}
		return Result{Records: []Record{r}, Apply: func() { _ = s.Replay(0, r.Key, r.Value) }}, nil
	}
}

func dumpOf(t *testing.T, rt *Runtime) string {
	t.Helper()
	var out string
	if err := rt.Read(0, func(s Shard, _ *Timers) error { out = s.(*kvShard).dump(); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteThenReloadReplays(t *testing.T) {
	log := &MemLog{}
	clk := clock.NewManual(time.Unix(1000, 0))
	rt := newTestRuntime(t, clk, log)
	ctx := context.Background()
	for _, op := range [][2]string{{"a", "1"}, {"b", "2"}, {"a", "3"}, {"b", ""}, {"c", "4"}} {
		if err := rt.Write(ctx, 0, put(op[0], op[1])); err != nil {
			t.Fatal(err)
		}
	}
	const want = "a=3 c=4 "
	if got := dumpOf(t, rt); got != want {
		t.Fatalf("live state %q, want %q", got, want)
	}
	rt2 := newTestRuntime(t, clk, log)
	if got := dumpOf(t, rt2); got != want {
		t.Fatalf("replayed state %q, want %q", got, want)
	}
}

func TestErrors(t *testing.T) {
	clk := clock.NewManual(time.Unix(1000, 0))
	log := &MemLog{}
	rt := newTestRuntime(t, clk, log)
	ctx := context.Background()
	boom := errors.New("disk on fire")
	for _, tc := range []struct {
		name      string
		partition int32
		setup     func()
		op        func(Shard, *Timers) (Result, error)
		want      *kerr.Error
		wantErr   error
	}{
		{name: "partition not hosted", partition: 7, op: put("a", "1"), want: kerr.NotCoordinator},
		{name: "operation error aborts", op: func(Shard, *Timers) (Result, error) { return Result{}, kerr.UnknownMemberID }, want: kerr.UnknownMemberID},
		{name: "append failure", setup: func() { log.FailAppends = boom }, op: put("a", "1"), want: kerr.CoordinatorNotAvailable},
		{name: "leadership lost", setup: func() { log.FailAppends = kerr.NotLeaderForPartition }, op: put("a", "1"), want: kerr.NotCoordinator},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log.FailAppends = nil
			if tc.setup != nil {
				tc.setup()
			}
			err := rt.Write(ctx, tc.partition, tc.op)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	log.FailAppends = nil
	if got := dumpOf(t, rt); got != "" {
		t.Fatalf("failed writes changed state: %q", got)
	}
	rt.Unload(0)
	if err := rt.Write(ctx, 0, put("a", "1")); !errors.Is(err, kerr.NotCoordinator) {
		t.Fatalf("write after unload: %v", err)
	}
}

// gatedLog blocks reads until released, to observe a loading shard.
type gatedLog struct {
	*MemLog
	gate chan struct{}
}

func (g gatedLog) Read(offset, end int64) ([]byte, error) {
	<-g.gate
	return g.MemLog.Read(offset, end)
}

func TestLoadingAnswersLoadInProgress(t *testing.T) {
	mem := &MemLog{}
	seed := newTestRuntime(t, clock.Real{}, mem)
	if err := seed.Write(context.Background(), 0, put("k", "v")); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	g := gatedLog{MemLog: mem, gate: make(chan struct{})}
	rt := New(Config{NewShard: func(int32) Shard { return &kvShard{kv: map[string]string{}} }})
	defer rt.Close()
	rt.Load(0, 0, g)
	if err := rt.Write(context.Background(), 0, put("a", "1")); !errors.Is(err, kerr.CoordinatorLoadInProgress) {
		t.Fatalf("write while loading: %v", err)
	}
	close(g.gate)
	if err := rt.WaitLoaded(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if got := dumpOf(t, rt); got != "k=v " {
		t.Fatalf("state %q", got)
	}
}

func TestTimers(t *testing.T) {
	clk := clock.NewManual(time.Unix(1000, 0))
	rt := newTestRuntime(t, clk, &MemLog{})
	ctx := context.Background()
	schedule := func(key string, d time.Duration, value string) {
		err := rt.Write(ctx, 0, func(s Shard, tm *Timers) (Result, error) {
			tm.Schedule(key, d, func(s Shard, _ *Timers) (Result, error) {
				s.(*kvShard).fired = append(s.(*kvShard).fired, key+":"+value)
				return put(key, value)(s, nil)
			})
			return Result{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	schedule("x", time.Second, "old")
	schedule("x", 3*time.Second, "new") // replaces the first
	schedule("y", 2*time.Second, "y1")
	schedule("z", time.Second, "z1")
	if err := rt.Write(ctx, 0, func(_ Shard, tm *Timers) (Result, error) { tm.Cancel("z"); return Result{}, nil }); err != nil {
		t.Fatal(err)
	}
	var fired string
	check := func(want string) {
		t.Helper()
		_ = rt.Read(0, func(s Shard, _ *Timers) error { fired = fmt.Sprint(s.(*kvShard).fired); return nil })
		if fired != want {
			t.Fatalf("fired %s, want %s", fired, want)
		}
	}
	clk.Advance(1500 * time.Millisecond)
	check("[]")
	clk.Advance(time.Second)
	check("[y:y1]")
	clk.Advance(time.Second)
	check("[y:y1 x:new]")
	if got := dumpOf(t, rt); got != "x=new y=y1 " {
		t.Fatalf("state %q", got)
	}
}
