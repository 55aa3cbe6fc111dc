package api

import (
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/clock"
)

func TestFetchSessionCache(t *testing.T) {
	c := clock.NewManual(time.Unix(0, 0))
	fs := newFetchSessions(2, c)
	a := fs.create()
	if a.epoch != 0 {
		t.Fatalf("a new session's epoch is bumped to 1 by the response; got %d", a.epoch)
	}
	a.epoch = 1
	if _, err := fs.lookup(a.id, 2); !errors.Is(err, kerr.InvalidFetchSessionEpoch) {
		t.Fatalf("wrong epoch: %v", err)
	}
	if s, err := fs.lookup(a.id, 1); err != nil || s != a {
		t.Fatalf("lookup: %v", err)
	}
	c.Advance(time.Second)
	b := fs.create()
	b.lastUsed = c.Now()
	c.Advance(time.Second)
	// The cache holds two: a third evicts the least recently used (a).
	fs.create()
	if _, err := fs.lookup(a.id, 1); !errors.Is(err, kerr.FetchSessionIDNotFound) {
		t.Fatalf("evicted session: %v", err)
	}
	if _, err := fs.lookup(b.id, 0); err != nil {
		t.Fatalf("recent session evicted: %v", err)
	}
	if newFetchSessions(0, c).create() != nil {
		t.Fatal("a cache with no slots created a session")
	}
}

func TestFetchSessionPartitions(t *testing.T) {
	s := &fetchSession{parts: map[sessionKey]*sessionPart{}}
	k1, k2 := sessionKey{topic: "a", part: 0}, sessionKey{topic: "a", part: 1}
	s.upsert(sessionPart{key: k1, fetchOffset: 5})
	s.upsert(sessionPart{key: k2, fetchOffset: 7})
	s.upsert(sessionPart{key: k1, fetchOffset: 9})
	if len(s.order) != 2 || s.parts[k1].fetchOffset != 9 || s.parts[k1].sentHW != -1 {
		t.Fatalf("upsert: order %v, part %+v", s.order, s.parts[k1])
	}
	s.forget(k1)
	if len(s.order) != 1 || s.order[0] != k2 || s.parts[k1] != nil {
		t.Fatalf("forget: order %v", s.order)
	}
}
