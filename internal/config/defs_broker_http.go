package config

import (
	"fmt"
	"net"
	"strconv"
)

// brokerHTTPDefs are Odradek's own keys: Kafka has no HTTP listener (it
// leaves metrics to a JMX exporter and a UI to separate programs).
var brokerHTTPDefs = []*Def{
	{Name: "http.enable", Type: TypeBoolean, Default: "true", Importance: Medium,
		Doc: "Serve the HTTP listener (Prometheus `/metrics`, `/healthz`, `/readyz` and the web console at `/`). Odradek only."},
	{Name: "http.listener", Type: TypeString, Default: "127.0.0.1:8080", Valid: hostPortV, Importance: Medium,
		Doc: "host:port of the HTTP listener. The default serves loopback only; use 0.0.0.0:8080 to serve every interface, port 0 picks a free port. Odradek only."},
}

var hostPortV = funcV{desc: "host:port", fn: func(v any) error {
	s, _ := v.(string)
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("Expected host:port, got %q", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("Invalid port %q", port)
	}
	return nil
}}
