package e2e

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/testserver"
)

// DescribeQuorum reports the one-voter metadata quorum: this node leads,
// its log end offset is at the high watermark, and v2 names its controller
// endpoint; any other partition is unknown.
func TestDescribeQuorum(t *testing.T) {
	srv := testserver.Start(t)
	ctx := ctxT(t)
	cl := newClient(t, srv.Bootstrap)

	req := kmsg.NewPtrDescribeQuorumRequest()
	mt := kmsg.NewDescribeQuorumRequestTopic()
	mt.Topic = "__cluster_metadata"
	mp := kmsg.NewDescribeQuorumRequestTopicPartition()
	mt.Partitions = append(mt.Partitions, mp)
	other := kmsg.NewDescribeQuorumRequestTopic()
	other.Topic = "not-metadata"
	other.Partitions = append(other.Partitions, mp)
	req.Topics = append(req.Topics, mt, other)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		t.Fatalf("DescribeQuorum: %v", err)
	}
	if len(resp.Topics) != 2 {
		t.Fatalf("topics = %+v", resp.Topics)
	}
	p := resp.Topics[0].Partitions[0]
	if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
		t.Fatalf("metadata partition: %v", err)
	}
	if p.LeaderID != 1 || p.LeaderEpoch < 1 || p.HighWatermark <= 0 {
		t.Fatalf("leader %d epoch %d hw %d", p.LeaderID, p.LeaderEpoch, p.HighWatermark)
	}
	if len(p.CurrentVoters) != 1 || len(p.Observers) != 0 {
		t.Fatalf("voters %+v observers %+v", p.CurrentVoters, p.Observers)
	}
	v := p.CurrentVoters[0]
	if v.ReplicaID != 1 || v.LogEndOffset < p.HighWatermark || v.LastFetchTimestamp <= 0 || v.ReplicaDirectoryID == [16]byte{} {
		t.Fatalf("voter %+v", v)
	}
	if len(resp.Nodes) != 1 || resp.Nodes[0].NodeID != 1 || len(resp.Nodes[0].Listeners) != 1 ||
		resp.Nodes[0].Listeners[0].Name != "CONTROLLER" || resp.Nodes[0].Listeners[0].Port == 0 {
		t.Fatalf("nodes %+v", resp.Nodes)
	}
	if code := resp.Topics[1].Partitions[0].ErrorCode; code != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("other partition error %d, want UNKNOWN_TOPIC_OR_PARTITION", code)
	}
}

// An admin client given bootstrap.controllers (KIP-919) discovers the
// controllers with DescribeCluster on the controller listener; each
// listener refuses the other endpoint type.
func TestDescribeClusterEndpointTypes(t *testing.T) {
	srv := testserver.Start(t)
	ctx := ctxT(t)
	describe := func(addr string, endpointType int8) *kmsg.DescribeClusterResponse {
		t.Helper()
		cl := newClient(t, addr)
		req := kmsg.NewPtrDescribeClusterRequest()
		req.EndpointType = endpointType
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			t.Fatalf("DescribeCluster at %s: %v", addr, err)
		}
		return resp
	}
	ctrl := srv.Addr("CONTROLLER")
	c := describe(ctrl, 2)
	if c.ErrorCode != 0 || c.EndpointType != 2 || c.ControllerID != 1 || len(c.Brokers) != 1 || c.Brokers[0].NodeID != 1 {
		t.Fatalf("controller endpoint answer %+v", c)
	}
	if got := describe(ctrl, 1); got.ErrorCode != kerr.MismatchedEndpointType.Code {
		t.Fatalf("broker endpoint type on the controller listener: error %d", got.ErrorCode)
	}
	if got := describe(srv.Bootstrap, 2); got.ErrorCode != kerr.MismatchedEndpointType.Code {
		t.Fatalf("controller endpoint type on the broker listener: error %d", got.ErrorCode)
	}
	if got := describe(srv.Bootstrap, 3); got.ErrorCode != kerr.UnsupportedEndpointType.Code {
		t.Fatalf("unknown endpoint type: error %d", got.ErrorCode)
	}
	if b := describe(srv.Bootstrap, 1); b.ErrorCode != 0 || b.ControllerID != 1 || len(b.Brokers) != 1 {
		t.Fatalf("broker endpoint answer %+v", b)
	}
}
