package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// httpListener serves the operator endpoints: health and readiness probes,
// Prometheus metrics and the web console. It shares nothing with the Kafka
// listeners, so a scrape or a browser never queues behind client requests.
type httpListener struct {
	srv *http.Server
	ln  net.Listener
}

// startHTTP binds http.listener (unless http.enable=false). It starts last,
// once every part it reports on exists; until then the port is closed, which
// probes read as not ready.
func (s *Server) startHTTP(context.Context) error {
	if !s.cfg.Bool("http.enable") {
		return nil
	}
	if err := s.attachMetrics(); err != nil {
		return fmt.Errorf("registering metrics: %w", err)
	}
	addr := s.cfg.Str("http.listener")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("binding the HTTP listener (http.listener=%s): %w", addr, err)
	}
	s.http = &httpListener{
		ln: ln,
		srv: &http.Server{
			Handler:           s.httpRoutes(),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          nil,
		},
	}
	go func() {
		if err := s.http.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("HTTP listener stopped", "err", err)
		}
	}()
	return nil
}

func (s *Server) httpRoutes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.serveReady)
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.Handle("/", s.consoleHandler())
	return mux
}

// serveReady answers 200 once the broker serves Kafka clients and the
// metadata quorum has a leader; load balancers and orchestrators use it to
// hold traffic back during startup and shutdown.
func (s *Server) serveReady(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	problems := s.readyProblems()
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for _, p := range problems {
			fmt.Fprintln(w, p)
		}
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

func (s *Server) closeHTTP() {
	// After the listener: a console request in flight still has a client.
	defer s.closeConsole()
	if s.http == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.http.srv.Shutdown(ctx); err != nil {
		_ = s.http.srv.Close()
	}
}

// readyProblems lists what keeps the node from being ready; the web
// console shows the same checks.
func (s *Server) readyProblems() []string {
	var problems []string
	if s.router == nil || !s.router.ready.Load() {
		problems = append(problems, "broker: not serving yet")
	}
	if s.node == nil {
		problems = append(problems, "metadata quorum: not started")
	} else if leader, _ := s.node.Leader(); leader < 0 {
		problems = append(problems, "metadata quorum: no leader")
	}
	return problems
}

// HTTPAddr is the bound address of the HTTP listener, or "" when disabled.
func (s *Server) HTTPAddr() string {
	if s.http == nil {
		return ""
	}
	return s.http.ln.Addr().String()
}
