// Package testserver starts a real single-node Odradek server in-process for
// tests: loopback listeners on free ports, data in a temporary directory,
// stopped by t.Cleanup.
package testserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/server"
)

// Server is a running test server.
type Server struct {
	*server.Server
	// Bootstrap is the PLAINTEXT listener address.
	Bootstrap string
	// DataDir is the log dir.
	DataDir string
	opts    []string
}

// FreePort asks the kernel for an unused loopback port.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start runs a server; extra overrides (key=value) are applied last.
func Start(t testing.TB, overrides ...string) *Server {
	t.Helper()
	dir := t.TempDir()
	return StartIn(t, dir, overrides...)
}

// StartIn runs a server over an existing data directory (for restart tests).
func StartIn(t testing.TB, dir string, overrides ...string) *Server {
	t.Helper()
	ctrlPort := FreePort(t)
	opts := append(config.DevDefaults(),
		"listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:"+fmt.Sprint(ctrlPort),
		"advertised.listeners=PLAINTEXT://127.0.0.1:0",
		"controller.quorum.voters=1@127.0.0.1:"+fmt.Sprint(ctrlPort),
		"log.dirs="+dir,
		"http.listener=127.0.0.1:0",
	)
	opts = append(opts, overrides...)
	cfg, _, err := config.Load(config.LoadOptions{Overrides: opts})
	if err != nil {
		t.Fatalf("test server config: %v", err)
	}
	level := slog.LevelWarn
	if os.Getenv("ODRADEK_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := server.Start(ctx, server.Options{Config: cfg, DevMode: true, Logger: logger})
	if err != nil {
		t.Fatalf("starting test server: %v", err)
	}
	s := &Server{Server: srv, Bootstrap: srv.Addr("PLAINTEXT"), DataDir: dir, opts: overrides}
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Stop shuts the server down cleanly (idempotent).
func (s *Server) Stop(t testing.TB) {
	if s.Server == nil {
		return
	}
	if err := s.Server.Close(); err != nil {
		t.Errorf("stopping test server: %v", err)
	}
	s.Server = nil
}
