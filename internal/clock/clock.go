// Package clock abstracts time so state machines can be driven
// deterministically in tests: Real for production, Manual for tests.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock is the time source every state machine takes.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f in its own goroutine after d, like time.AfterFunc.
	AfterFunc(d time.Duration, f func()) Timer
	// NewTicker returns a ticker firing every d.
	NewTicker(d time.Duration) Ticker
}

// Timer can be stopped before it fires.
type Timer interface {
	Stop() bool
}

// Ticker delivers ticks on C until stopped.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time { return time.Now() }
func (Real) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}
func (Real) NewTicker(d time.Duration) Ticker { return realTicker{time.NewTicker(d)} }

type realTicker struct{ t *time.Ticker }

func (r realTicker) C() <-chan time.Time { return r.t.C }
func (r realTicker) Stop()               { r.t.Stop() }

// Manual is a clock that moves only when Advance is called. Timers whose
// deadline is reached fire synchronously inside Advance, in deadline order,
// which keeps tests free of sleeps.
type Manual struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*manualTimer
}

// NewManual returns a manual clock starting at t.
func NewManual(t time.Time) *Manual { return &Manual{now: t} }

func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

type manualTimer struct {
	m       *Manual
	at      time.Time
	seq     int
	f       func()
	period  time.Duration
	ch      chan time.Time
	stopped bool
}

func (t *manualTimer) Stop() bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

func (t *manualTimer) C() <-chan time.Time { return t.ch }
func (t *manualTimer) stopTicker()         { t.Stop() }

type manualTicker struct{ *manualTimer }

func (t manualTicker) Stop() { t.manualTimer.Stop() }

func (m *Manual) add(t *manualTimer) {
	m.seq++
	t.seq = m.seq
	m.timers = append(m.timers, t)
}

func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &manualTimer{m: m, at: m.now.Add(d), f: f}
	m.add(t)
	return t
}

func (m *Manual) NewTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("clock: non-positive ticker interval")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &manualTimer{m: m, at: m.now.Add(d), period: d, ch: make(chan time.Time, 1)}
	m.add(t)
	return manualTicker{t}
}

// Advance moves the clock forward by d, firing every timer that falls due.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	target := m.now.Add(d)
	for {
		live := m.timers[:0]
		for _, t := range m.timers {
			if !t.stopped {
				live = append(live, t)
			}
		}
		m.timers = live
		sort.Slice(m.timers, func(i, j int) bool {
			if !m.timers[i].at.Equal(m.timers[j].at) {
				return m.timers[i].at.Before(m.timers[j].at)
			}
			return m.timers[i].seq < m.timers[j].seq
		})
		if len(m.timers) == 0 || m.timers[0].at.After(target) {
			break
		}
		t := m.timers[0]
		m.now = t.at
		if t.period > 0 {
			t.at = t.at.Add(t.period)
			select {
			case t.ch <- m.now:
			default: // a slow reader drops ticks, as time.Ticker does
			}
			continue
		}
		t.stopped = true
		f := t.f
		m.mu.Unlock()
		f()
		m.mu.Lock()
	}
	m.now = target
	m.mu.Unlock()
}
