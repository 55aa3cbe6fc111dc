package api

// FindCoordinator v0-6. There are no group, transaction or share
// coordinators yet. Transactional producers get INVALID_REQUEST with a
// message: non-retriable, so they fail clearly instead of retrying forever.
// Group and share keys get COORDINATOR_NOT_AVAILABLE, what Kafka answers
// while __consumer_offsets is unavailable: consumers that assign partitions
// but carry a group.id (librdkafka looks the coordinator up in the
// background) keep consuming, and group members wait. The API is advertised
// at all because librdkafka infers LZ4 support from FindCoordinator v0 being
// served, and would otherwise silently stop compressing with lz4.

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var coordinatorKinds = map[int8]string{0: "consumer groups", 1: "transactions", 2: "share groups"}

func (b *Broker) handleFindCoordinator(req *kmsg.FindCoordinatorRequest) *kmsg.FindCoordinatorResponse {
	resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
	kind, ok := coordinatorKinds[req.CoordinatorType]
	if !ok {
		kind = "this coordinator type"
	}
	msg := kind + " are not supported by this Odradek version yet"
	code := kerr.CoordinatorNotAvailable.Code
	if req.CoordinatorType == 1 {
		code = kerr.InvalidRequest.Code
	}
	if req.Version < 4 {
		resp.ErrorCode, resp.NodeID, resp.Port = code, -1, -1
		resp.ErrorMessage = &msg
		return resp
	}
	for _, key := range req.CoordinatorKeys {
		c := kmsg.NewFindCoordinatorResponseCoordinator()
		c.Key, c.NodeID, c.Port = key, -1, -1
		c.ErrorCode = code
		c.ErrorMessage = &msg
		resp.Coordinators = append(resp.Coordinators, c)
	}
	return resp
}
