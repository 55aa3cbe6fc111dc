package server

import (
	"context"
	"net"
	"slices"

	"github.com/odradek/odradek/internal/api"
	"github.com/odradek/odradek/internal/metaprops"
	"github.com/odradek/odradek/internal/raft"
)

// describeQuorum answers DescribeQuorum from this node's raft state. Only
// this node's own directory id, timestamps and endpoints are known here;
// other voters get what their progress reports (multi-node quorums add the
// rest when the raft transport is wired).
func (s *Server) describeQuorum(ctx context.Context) (api.QuorumDescription, error) {
	st, err := s.node.Status(ctx)
	if err != nil {
		return api.QuorumDescription{}, err
	}
	self := s.cfg.NodeID
	now := s.opts.Clock.Now().UnixMilli()
	replicas := func(in []raft.ReplicaState) []api.QuorumReplica {
		out := make([]api.QuorumReplica, 0, len(in))
		for _, r := range in {
			q := api.QuorumReplica{ID: r.NodeID, LogEndOffset: r.LogEndOffset, LastFetchTimestamp: -1, LastCaughtUpTimestamp: -1}
			if r.NodeID == self {
				q.DirectoryID = s.metadataDirID
				// Kafka reports the leader as having fetched and caught
				// up just now.
				if st.LeaderID == self {
					q.LastFetchTimestamp, q.LastCaughtUpTimestamp = now, now
				}
			}
			out = append(out, q)
		}
		return out
	}
	d := api.QuorumDescription{
		LeaderID:      st.LeaderID,
		LeaderEpoch:   int32(st.LeaderEpoch),
		HighWatermark: st.HighWatermark,
		Voters:        replicas(st.Voters),
		Observers:     replicas(st.Observers),
	}
	if slices.ContainsFunc(st.Voters, func(r raft.ReplicaState) bool { return r.NodeID == self }) {
		d.Nodes = append(d.Nodes, api.QuorumNode{ID: self, Listeners: s.controllerEndpoints()})
	}
	return d, nil
}

// controllerEndpoints are this node's controller listeners with their
// bound ports.
func (s *Server) controllerEndpoints() []api.QuorumListener {
	var out []api.QuorumListener
	for _, l := range s.cfg.Listeners {
		if !slices.Contains(s.cfg.ControllerListenerNames, l.Name) {
			continue
		}
		host, port := l.Host, l.Port
		if a, ok := s.net.Addr(l.Name).(*net.TCPAddr); ok {
			port = a.Port
			if host == "" {
				host = a.IP.String()
			}
		}
		out = append(out, api.QuorumListener{Name: l.Name, Host: host, Port: uint16(port)})
	}
	return out
}

// metadataDirID is the directory id of the metadata log dir (zero if it
// predates directory ids).
func metadataDirID(ens *metaprops.Ensemble, dir string) [16]byte {
	return [16]byte(ens.DirectoryIDs[dir])
}
