package api

// OffsetCommit v2-9, OffsetFetch v1-9 (several groups from v8,
// require_stable) and OffsetDelete v0, answered by the group coordinator.
// Versions taking topic ids (v10) are not served yet. offset.metadata.max.bytes
// is Kafka's default, 4096.

import (
	"context"

	"github.com/twmb/franz-go/pkg/kmsg"
)

func (b *Broker) handleOffsetCommit(ctx context.Context, req *kmsg.OffsetCommitRequest) kmsg.Response {
	return b.cfg.Groups.OffsetCommit(ctx, req)
}

func (b *Broker) handleOffsetFetch(ctx context.Context, req *kmsg.OffsetFetchRequest) kmsg.Response {
	return b.cfg.Groups.OffsetFetch(ctx, req)
}

func (b *Broker) handleOffsetDelete(ctx context.Context, req *kmsg.OffsetDeleteRequest) kmsg.Response {
	return b.cfg.Groups.OffsetDelete(ctx, req)
}
