package server

import (
	"net"
	"net/http"
	"strconv"

	"github.com/odradek/odradek/internal/console"
)

// consoleHandler creates the web console, which reads the cluster as any
// client does, through this broker's own client listener.
func (s *Server) consoleHandler() http.Handler {
	c, err := console.New(console.Options{
		Bootstrap: s.consoleBootstrap(),
		Clock:     s.opts.Clock,
		Logger:    s.log,
		Health:    s.readyProblems,
	})
	if err != nil {
		s.log.Error("web console disabled", "err", err)
		return http.NotFoundHandler()
	}
	s.console = c
	return c.Handler()
}

func (s *Server) closeConsole() {
	if s.console != nil {
		s.console.Close()
	}
}

// consoleBootstrap is the bound address of the first PLAINTEXT client
// listener (the console speaks no TLS or SASL yet), with a wildcard bind
// address replaced by loopback.
func (s *Server) consoleBootstrap() string {
	for _, l := range s.cfg.BrokerListeners() {
		if s.cfg.SecurityProtocol(l.Name) != "PLAINTEXT" {
			continue
		}
		a, ok := s.net.Addr(l.Name).(*net.TCPAddr)
		if !ok {
			continue
		}
		host := a.IP.String()
		if a.IP.IsUnspecified() {
			host = "127.0.0.1"
		}
		return net.JoinHostPort(host, strconv.Itoa(a.Port))
	}
	return ""
}
