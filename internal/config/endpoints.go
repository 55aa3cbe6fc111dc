package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Listener is one NAME://host:port entry of listeners/advertised.listeners.
// An empty Host means "all interfaces" (listeners) as in Kafka.
type Listener struct {
	Name string
	Host string
	Port int
}

// Addr is host:port suitable for net.Listen / net.Dial.
func (l Listener) Addr() string { return net.JoinHostPort(l.Host, strconv.Itoa(l.Port)) }

func (l Listener) String() string { return l.Name + "://" + l.Addr() }

// Voter is one id@host:port entry of controller.quorum.voters.
type Voter struct {
	ID   int32
	Host string
	Port int
}

func (v Voter) Addr() string { return net.JoinHostPort(v.Host, strconv.Itoa(v.Port)) }

// securityProtocols are the protocol names Kafka knows.
var securityProtocols = []string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}

// splitHostPort splits "host:port", "[v6]:port" or ":port".
func splitHostPort(s string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", portStr)
	}
	return host, port, nil
}

// parseListener parses "NAME://host:port". Names are upper-cased like
// Kafka's ListenerName.normalised.
func parseListener(s string) (Listener, error) {
	name, rest, ok := strings.Cut(s, "://")
	if !ok || name == "" {
		return Listener{}, fmt.Errorf("unable to parse %s to a broker endpoint", s)
	}
	host, port, err := splitHostPort(rest)
	if err != nil {
		return Listener{}, fmt.Errorf("unable to parse %s to a broker endpoint: %w", s, err)
	}
	return Listener{Name: strings.ToUpper(name), Host: host, Port: port}, nil
}

func parseListeners(items []string) ([]Listener, error) {
	out := make([]Listener, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		if it == "" {
			continue
		}
		l, err := parseListener(it)
		if err != nil {
			return nil, err
		}
		if seen[l.Name] {
			return nil, fmt.Errorf("each listener must have a different name, %s appears more than once", l.Name)
		}
		seen[l.Name] = true
		out = append(out, l)
	}
	return out, nil
}

func parseProtocolMap(items []string) (map[string]string, error) {
	m := make(map[string]string, len(items))
	for _, it := range items {
		if it == "" {
			continue
		}
		name, proto, ok := strings.Cut(it, ":")
		if !ok {
			return nil, fmt.Errorf("map entry %q is not of the form LISTENER:PROTOCOL", it)
		}
		name = strings.ToUpper(strings.TrimSpace(name))
		proto = strings.ToUpper(strings.TrimSpace(proto))
		if !containsString(securityProtocols, proto) {
			return nil, fmt.Errorf("unknown security protocol %s for listener %s", proto, name)
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("listener %s appears more than once", name)
		}
		m[name] = proto
	}
	return m, nil
}

// ParseVoters parses controller.quorum.voters ("1@host:9093,2@[::1]:9093").
func ParseVoters(s string) ([]Voter, error) { return parseVoters(splitList(s)) }

func parseVoters(items []string) ([]Voter, error) {
	out := make([]Voter, 0, len(items))
	seen := map[int32]bool{}
	for _, it := range items {
		if it == "" {
			continue
		}
		idStr, addr, ok := strings.Cut(it, "@")
		if !ok {
			return nil, fmt.Errorf("voter %q is not of the form id@host:port", it)
		}
		id, err := strconv.ParseInt(idStr, 10, 32)
		if err != nil || id < 0 {
			return nil, fmt.Errorf("voter %q has a bad node id", it)
		}
		host, port, err := splitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("voter %q has a bad address: %w", it, err)
		}
		if seen[int32(id)] {
			return nil, fmt.Errorf("voter id %d appears more than once", id)
		}
		seen[int32(id)] = true
		out = append(out, Voter{ID: int32(id), Host: host, Port: port})
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
