package api

// FindCoordinator v0-6 (batched from v4). Group keys get the leader of
// their __consumer_offsets partition, which is created on first use.
// There are no transaction or share coordinators yet. Transactional
// producers get INVALID_REQUEST with a message: non-retriable, so they fail
// clearly instead of retrying forever. Share keys get
// COORDINATOR_NOT_AVAILABLE. The API would be advertised even without
// groups: librdkafka infers LZ4 support from FindCoordinator v0 being served.

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group"
	"github.com/odradek/odradek/internal/network"
)

var coordinatorKinds = map[int8]string{0: "consumer groups", 1: "transactions", 2: "share groups"}

type coordinatorAnswer struct {
	node int32
	host string
	port int32
	code int16
	msg  *string
}

func (b *Broker) handleFindCoordinator(ctx context.Context, rc *network.RequestContext, req *kmsg.FindCoordinatorRequest) *kmsg.FindCoordinatorResponse {
	resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
	keys := req.CoordinatorKeys
	if req.Version < 4 {
		keys = []string{req.CoordinatorKey}
	}
	for _, key := range keys {
		a := b.findCoordinator(ctx, rc, req.CoordinatorType, key)
		if req.Version < 4 {
			resp.ErrorCode, resp.ErrorMessage, resp.NodeID, resp.Host, resp.Port = a.code, a.msg, a.node, a.host, a.port
			return resp
		}
		c := kmsg.NewFindCoordinatorResponseCoordinator()
		c.Key, c.ErrorCode, c.ErrorMessage, c.NodeID, c.Host, c.Port = key, a.code, a.msg, a.node, a.host, a.port
		resp.Coordinators = append(resp.Coordinators, c)
	}
	return resp
}

func (b *Broker) findCoordinator(ctx context.Context, rc *network.RequestContext, kind int8, key string) coordinatorAnswer {
	fail := func(code int16, msg string) coordinatorAnswer {
		return coordinatorAnswer{node: -1, port: -1, code: code, msg: kmsg.StringPtr(msg)}
	}
	if kind != 0 || b.cfg.Groups == nil {
		name, ok := coordinatorKinds[kind]
		if !ok {
			return fail(kerr.InvalidRequest.Code, "unknown coordinator type")
		}
		code := kerr.CoordinatorNotAvailable.Code
		if kind == 1 {
			code = kerr.InvalidRequest.Code
		}
		return fail(code, name+" are not supported by this Odradek version yet")
	}
	if err := b.ensureOffsetsTopic(ctx); err != nil {
		b.log.Warn("cannot create the group coordinator topic", "err", err)
		return fail(kerr.CoordinatorNotAvailable.Code, err.Error())
	}
	img := b.image()
	t := img.Topic(group.Topic)
	if t == nil {
		return fail(kerr.CoordinatorNotAvailable.Code, group.Topic+" is not available yet")
	}
	p := t.Partitions[b.cfg.Groups.PartitionFor(key)]
	if p == nil || p.Leader < 0 {
		return fail(kerr.CoordinatorNotAvailable.Code, "the group's "+group.Topic+" partition has no leader")
	}
	br := img.Brokers[p.Leader]
	if br == nil || br.Fenced {
		return fail(kerr.CoordinatorNotAvailable.Code, "the group's coordinator is not available")
	}
	listener := ""
	if rc != nil {
		listener = rc.ListenerName
	}
	ep, ok := br.Endpoint(listener)
	if !ok {
		return fail(kerr.CoordinatorNotAvailable.Code, "the group's coordinator has no endpoint on listener "+listener)
	}
	// Kafka answers success with an empty message, not a null one.
	return coordinatorAnswer{node: p.Leader, host: ep.Host, port: int32(ep.Port), msg: kmsg.StringPtr("")}
}
