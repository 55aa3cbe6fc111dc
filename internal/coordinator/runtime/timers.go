package runtime

import (
	"context"
	"time"

	"github.com/odradek/odradek/internal/clock"
)

// Timers schedules writes of one shard on the runtime's clock. Scheduling a
// key again replaces the earlier timer, so a member's session timer is
// simply rescheduled on each heartbeat. Methods must be called under the
// shard lock, i.e. from inside an operation or Loaded.
type Timers struct {
	rt     *Runtime
	sc     *shardCtx
	timers map[string]clock.Timer
	seq    map[string]uint64
	next   uint64
}

// Schedule runs op as a write after d unless cancelled or replaced first.
func (t *Timers) Schedule(key string, d time.Duration, op func(s Shard, t *Timers) (Result, error)) {
	t.Cancel(key)
	if t.seq == nil {
		t.seq = map[string]uint64{}
	}
	t.next++
	id := t.next
	t.seq[key] = id
	t.timers[key] = t.rt.cfg.Clock.AfterFunc(d, func() {
		// A timer that fired while being replaced must not run: the
		// sequence check happens under the shard lock, inside the write.
		ctx, cancel := context.WithTimeout(context.Background(), t.rt.cfg.WriteTimeout)
		defer cancel()
		err := t.rt.write(ctx, t.sc, func(s Shard, tt *Timers) (Result, error) {
			if tt.seq[key] != id {
				return Result{}, nil
			}
			delete(tt.timers, key)
			delete(tt.seq, key)
			return op(s, tt)
		})
		if err != nil {
			t.rt.log.Debug("coordinator timer write failed", "partition", t.sc.partition, "timer", key, "err", err)
		}
	})
}

// Cancel stops the timer named key, if any.
func (t *Timers) Cancel(key string) {
	if tm, ok := t.timers[key]; ok {
		tm.Stop()
		delete(t.timers, key)
		delete(t.seq, key)
	}
}

// Scheduled reports whether a timer named key is pending.
func (t *Timers) Scheduled(key string) bool {
	_, ok := t.timers[key]
	return ok
}

// Now is the runtime clock's time.
func (t *Timers) Now() time.Time { return t.rt.cfg.Clock.Now() }

func (t *Timers) cancelAll() {
	for k := range t.timers {
		t.Cancel(k)
	}
}
