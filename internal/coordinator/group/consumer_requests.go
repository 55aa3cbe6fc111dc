package group

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// ConsumerGroupHeartbeat serves the KIP-848 consumer protocol. The answer
// is released only once the records it produced are committed.
func (c *Coordinator) ConsumerGroupHeartbeat(ctx context.Context, req *kmsg.ConsumerGroupHeartbeatRequest, clientID, clientHost string) *kmsg.ConsumerGroupHeartbeatResponse {
	var resp *kmsg.ConsumerGroupHeartbeatResponse
	err := c.write(ctx, req.Group, func(s *shard, t *runtime.Timers) (runtime.Result, error) {
		r, recs := s.consumerHeartbeat(t, req, consumer.Client{ID: clientID, Host: clientHost})
		resp = r
		return runtime.Result{Records: recs}, nil
	})
	if err != nil {
		resp = kmsg.NewPtrConsumerGroupHeartbeatResponse()
		resp.ErrorCode = codeOf(err)
	}
	resp.Version = req.Version
	return resp
}

// ConsumerGroupDescribe describes consumer groups. Authorized operations
// are not computed (no ACLs yet): when asked for, every operation a
// consumer group has is reported, as for a super user.
func (c *Coordinator) ConsumerGroupDescribe(req *kmsg.ConsumerGroupDescribeRequest) *kmsg.ConsumerGroupDescribeResponse {
	resp := kmsg.NewPtrConsumerGroupDescribeResponse()
	resp.Version = req.Version
	for _, id := range req.Groups {
		one := *req
		one.Groups = []string{id}
		var d kmsg.ConsumerGroupDescribeResponseGroup
		err := c.read(id, func(s *shard) error {
			r := consumer.DescribeGroups(&one, func(gid string) (*consumer.Group, bool) {
				g, ok := s.consumers[gid]
				return g, ok
			})
			d = r.Groups[0]
			return nil
		})
		if id == "" {
			err = kerr.InvalidGroupID
		}
		if err != nil {
			d = kmsg.NewConsumerGroupDescribeResponseGroup()
			d.Group, d.ErrorCode = id, codeOf(err)
			d.AuthorizedOperations = -2147483648
		}
		if req.IncludeAuthorizedOperations && d.ErrorCode == 0 {
			d.AuthorizedOperations = consumerGroupOperations
		}
		resp.Groups = append(resp.Groups, d)
	}
	return resp
}

// consumerGroupOperations is the bit set of READ (3), DELETE (6) and
// DESCRIBE (8), the operations a group resource supports.
const consumerGroupOperations int32 = 1<<3 | 1<<6 | 1<<8
