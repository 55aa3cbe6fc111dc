package api

// InitProducerId v0-5 for idempotent producers: ids come from blocks the
// controller allocates through the metadata log, so they stay unique across
// restarts and brokers. Differs from Kafka: a transactional.id is refused
// (no transaction coordinator yet) with TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
// which clients treat as fatal instead of retrying forever.

import (
	"context"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// producerIDs hands out ids from the current controller-allocated block.
type producerIDs struct {
	mu        sync.Mutex
	next, end int64
}

func (p *producerIDs) take(ctx context.Context, b *Broker) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next >= p.end {
		first, count, err := b.cfg.Controller.AllocateProducerIDs(ctx, b.cfg.NodeID, b.cfg.BrokerEpoch())
		if err != nil {
			return -1, err
		}
		p.next, p.end = first, first+int64(count)
	}
	id := p.next
	p.next++
	return id, nil
}

func (b *Broker) handleInitProducerID(ctx context.Context, req *kmsg.InitProducerIDRequest) *kmsg.InitProducerIDResponse {
	resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerID, resp.ProducerEpoch = -1, -1
	if req.TransactionalID != nil && *req.TransactionalID != "" {
		resp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
		b.log.Warn("refusing transactional producer: transactions are not supported yet", "transactional.id", *req.TransactionalID)
		return resp
	}
	ctx, cancel := withTimeout(ctx, 30000)
	defer cancel()
	id, err := b.pids.take(ctx, b)
	if err != nil {
		resp.ErrorCode = controllerErrorCode(err)
		if resp.ErrorCode == kerr.UnknownServerError.Code {
			resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
		}
		b.log.Warn("allocating producer ids failed", "err", err)
		return resp
	}
	resp.ProducerID, resp.ProducerEpoch = id, 0
	return resp
}
