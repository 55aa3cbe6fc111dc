package network

import "sync"

// connStats counts open connections per listener (Kafka's
// socket-server-metrics connection-count).
type connStats struct {
	mu   sync.Mutex
	open map[string]int
}

func (s *Server) connOpened(listener string) {
	s.stats.mu.Lock()
	if s.stats.open == nil {
		s.stats.open = map[string]int{}
	}
	s.stats.open[listener]++
	s.stats.mu.Unlock()
}

func (s *Server) connClosed(listener string) {
	s.stats.mu.Lock()
	s.stats.open[listener]--
	s.stats.mu.Unlock()
}

// ConnectionCounts returns the open connections of every listener that
// has accepted one.
func (s *Server) ConnectionCounts() map[string]int {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	out := make(map[string]int, len(s.stats.open))
	for l, n := range s.stats.open {
		out[l] = n
	}
	return out
}
