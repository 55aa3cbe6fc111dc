package raft

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Voter is one member of the controller quorum.
type Voter struct {
	NodeID int32
	// Host and Port of the voter's controller listener; empty for voters
	// learned from bootstrap.json without a parsable endpoint.
	Host string
	Port int
}

// Addr is host:port of the voter's controller listener.
func (v Voter) Addr() string { return net.JoinHostPort(v.Host, strconv.Itoa(v.Port)) }

// ParseVoters parses controller.quorum.voters ("1@127.0.0.1:9093,2@host:9093").
// An empty string yields no voters and no error.
func ParseVoters(s string) ([]Voter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []Voter
	seen := map[int32]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		id, hostport, ok := strings.Cut(part, "@")
		if !ok {
			return nil, fmt.Errorf("controller.quorum.voters: entry %q is not of the form id@host:port", part)
		}
		n, err := strconv.ParseInt(id, 10, 32)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("controller.quorum.voters: entry %q has invalid node id %q", part, id)
		}
		host, port, err := splitHostPort(hostport)
		if err != nil {
			return nil, fmt.Errorf("controller.quorum.voters: entry %q: %w", part, err)
		}
		if seen[int32(n)] {
			return nil, fmt.Errorf("controller.quorum.voters: node id %d appears twice", n)
		}
		seen[int32(n)] = true
		out = append(out, Voter{NodeID: int32(n), Host: host, Port: port})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out, nil
}

func splitHostPort(hp string) (string, int, error) {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, fmt.Errorf("bad host:port %q: %w", hp, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return "", 0, fmt.Errorf("bad port in %q", hp)
	}
	return host, p, nil
}

// BootstrapFile is the name of the file `odradek storage format --standalone`
// writes into metadata.log.dir.
const BootstrapFile = "bootstrap.json"

type bootstrapJSON struct {
	ClusterID string `json:"cluster_id"`
	Voters    []struct {
		NodeID    int32    `json:"node_id"`
		Endpoints []string `json:"endpoints"`
	} `json:"voters"`
}

// ErrNoBootstrap is returned by LoadBootstrap when bootstrap.json is absent.
var ErrNoBootstrap = errors.New("raft: no bootstrap.json in metadata.log.dir")

// LoadBootstrap reads <metadataLogDir>/bootstrap.json. Endpoints look like
// "CONTROLLER://127.0.0.1:9093"; the first one of each voter is used.
func LoadBootstrap(metadataLogDir string) (clusterID string, voters []Voter, err error) {
	b, err := os.ReadFile(filepath.Join(metadataLogDir, BootstrapFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil, ErrNoBootstrap
	}
	if err != nil {
		return "", nil, fmt.Errorf("raft: read bootstrap.json: %w", err)
	}
	var bj bootstrapJSON
	if err := json.Unmarshal(b, &bj); err != nil {
		return "", nil, fmt.Errorf("raft: parse bootstrap.json: %w", err)
	}
	for _, v := range bj.Voters {
		vo := Voter{NodeID: v.NodeID}
		if len(v.Endpoints) > 0 {
			ep := v.Endpoints[0]
			if _, rest, ok := strings.Cut(ep, "://"); ok {
				ep = rest
			}
			if h, p, err := splitHostPort(ep); err == nil {
				vo.Host, vo.Port = h, p
			} else {
				return "", nil, fmt.Errorf("raft: bootstrap.json voter %d: %w", v.NodeID, err)
			}
		}
		voters = append(voters, vo)
	}
	if len(voters) == 0 {
		return "", nil, fmt.Errorf("raft: bootstrap.json lists no voters")
	}
	sort.Slice(voters, func(i, j int) bool { return voters[i].NodeID < voters[j].NodeID })
	return bj.ClusterID, voters, nil
}

// ResolveVoters applies Kafka's rule: controller.quorum.voters when set,
// otherwise the voters recorded in bootstrap.json.
func ResolveVoters(quorumVoters, metadataLogDir string) ([]Voter, error) {
	v, err := ParseVoters(quorumVoters)
	if err != nil || len(v) > 0 {
		return v, err
	}
	_, v, err = LoadBootstrap(metadataLogDir)
	if err != nil {
		return nil, fmt.Errorf("raft: controller.quorum.voters is empty and bootstrap.json unusable: %w", err)
	}
	return v, nil
}

// raftID maps a Kafka node id (which may be 0) to an etcd raft id (never 0).
func raftID(nodeID int32) uint64 { return uint64(nodeID) + 1 }

func nodeIDOf(id uint64) int32 {
	if id == 0 {
		return -1
	}
	return int32(id - 1)
}
