package api

// Incremental fetch sessions (KIP-227). A session remembers the partitions a
// client fetches and what it was last told about each, so later requests
// name only what changed and responses carry only partitions with news.

import (
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/clock"
)

const (
	finalEpoch   = -1 // closes a session (or asks for none)
	initialEpoch = 0  // asks for a new session
)

type sessionKey struct {
	topicID [16]byte
	topic   string
	part    int32
}

type sessionPart struct {
	key                sessionKey
	fetchOffset        int64
	maxBytes           int32
	currentLeaderEpoch int32
	// What the client was last told; a change is news worth sending.
	sentHW, sentLogStart int64
}

type fetchSession struct {
	mu       sync.Mutex
	id       int32
	epoch    int32 // the epoch the next request must carry
	lastUsed time.Time
	order    []sessionKey
	parts    map[sessionKey]*sessionPart
}

type fetchSessions struct {
	mu       sync.Mutex
	max      int
	clock    clock.Clock
	nextID   int32
	sessions map[int32]*fetchSession
}

func newFetchSessions(max int, c clock.Clock) *fetchSessions {
	if max < 0 {
		max = 0
	}
	return &fetchSessions{max: max, clock: c, sessions: map[int32]*fetchSession{}}
}

// create opens a session, evicting the least recently used one when the
// cache is full; nil when the cache holds no slots at all.
func (fs *fetchSessions) create() *fetchSession {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.max == 0 {
		return nil
	}
	if len(fs.sessions) >= fs.max {
		var oldest *fetchSession
		for _, s := range fs.sessions {
			if oldest == nil || s.lastUsed.Before(oldest.lastUsed) {
				oldest = s
			}
		}
		delete(fs.sessions, oldest.id)
	}
	for {
		fs.nextID++
		if fs.nextID <= 0 {
			fs.nextID = 1
		}
		if _, taken := fs.sessions[fs.nextID]; !taken {
			break
		}
	}
	s := &fetchSession{id: fs.nextID, epoch: 0, lastUsed: fs.clock.Now(), parts: map[sessionKey]*sessionPart{}}
	fs.sessions[s.id] = s
	return s
}

// lookup finds a session for an incremental request and checks its epoch.
func (fs *fetchSessions) lookup(id, epoch int32) (*fetchSession, error) {
	fs.mu.Lock()
	s := fs.sessions[id]
	fs.mu.Unlock()
	if s == nil {
		return nil, kerr.FetchSessionIDNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.epoch != epoch {
		return nil, kerr.InvalidFetchSessionEpoch
	}
	return s, nil
}

func (fs *fetchSessions) remove(id int32) {
	fs.mu.Lock()
	delete(fs.sessions, id)
	fs.mu.Unlock()
}

// upsert adds or updates a partition from a request.
func (s *fetchSession) upsert(p sessionPart) {
	if old, ok := s.parts[p.key]; ok {
		old.fetchOffset, old.maxBytes, old.currentLeaderEpoch = p.fetchOffset, p.maxBytes, p.currentLeaderEpoch
		return
	}
	p.sentHW, p.sentLogStart = -1, -1
	cp := p
	s.parts[p.key] = &cp
	s.order = append(s.order, p.key)
}

func (s *fetchSession) forget(k sessionKey) {
	if _, ok := s.parts[k]; !ok {
		return
	}
	delete(s.parts, k)
	for i, o := range s.order {
		if o == k {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}
