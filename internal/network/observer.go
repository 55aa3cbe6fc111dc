package network

import "time"

// RequestObserver is told about every request answered (for metrics). It
// runs on the connection goroutine after the response is written, so it
// must be quick and must not block; it gets the observation by value so
// the call allocates nothing.
type RequestObserver interface {
	ObserveRequest(o RequestObservation)
}

// RequestObservation describes one served request. The phases follow
// Kafka's RequestMetrics: Queue is from the frame being read to the handler
// starting (header parse and body decode; there is no request queue as
// such, since each connection serves its own requests), Processing is the
// handler (including any long poll or acks=all wait), Send is writing the
// response into the connection's buffer and flushing it.
type RequestObservation struct {
	Listener      string
	APIKey        int16
	APIVersion    int16
	Queue         time.Duration
	Processing    time.Duration
	Send          time.Duration
	Total         time.Duration
	RequestBytes  int
	ResponseBytes int
	// Failed is set when the connection was closed instead of answered
	// (handler error, undecodable body, failed write).
	Failed bool
}

// observe reports a request to the configured observer, if any.
func (cn *conn) observe(o RequestObservation, received time.Time) {
	obs := cn.s.cfg.Observer
	if obs == nil {
		return
	}
	o.Listener = cn.listener
	o.Total = time.Since(received)
	obs.ObserveRequest(o)
}
