package api

// Produce v3-13 (v0-2 are advertised but rejected, as Kafka does for
// librdkafka's sake). acks 0, 1 and -1; batches are validated and stored as
// received by the storage layer. Topic ids are accepted from v13.
// Differs from Kafka: transactional produce is refused (no transaction
// coordinator yet).

import (
	"context"
	"errors"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/replication"
)

// pendingAck is an acks=all append waiting for the high watermark; ti and
// pi locate its answer in the response.
type pendingAck struct {
	part   *replication.Partition
	ti, pi int
	end    int64
}

func (b *Broker) handleProduce(ctx context.Context, req *kmsg.ProduceRequest) kmsg.Response {
	img := b.image()
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	var waits []pendingAck
	badAcks := req.Acks != 0 && req.Acks != 1 && req.Acks != -1

	for _, rt := range req.Topics {
		st := kmsg.NewProduceResponseTopic()
		st.Topic, st.TopicID = rt.Topic, rt.TopicID
		var topic *metadata.Topic
		if req.Version >= 13 {
			topic = img.TopicByID(metadata.UUID(rt.TopicID))
		} else {
			topic = img.Topic(rt.Topic)
		}
		for _, rp := range rt.Partitions {
			sp := kmsg.NewProduceResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.BaseOffset, sp.LogAppendTime, sp.LogStartOffset = -1, -1, -1
			switch {
			case badAcks:
				sp.ErrorCode = kerr.InvalidRequiredAcks.Code
			case req.TransactionID != nil:
				sp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
				sp.ErrorMessage = kmsg.StringPtr("transactions are not supported by this broker yet")
			case topic == nil && req.Version >= 13:
				sp.ErrorCode = kerr.UnknownTopicID.Code
			case topic == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			default:
				if w, ok := b.produceTo(img, topic, req, &rp, &sp); ok {
					w.ti, w.pi = len(resp.Topics), len(st.Partitions)
					waits = append(waits, w)
				}
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	if req.Acks == 0 {
		return nil
	}
	if len(waits) > 0 {
		wctx, cancel := context.WithTimeout(ctx, time.Duration(req.TimeoutMillis)*time.Millisecond)
		defer cancel()
		for _, w := range waits {
			if err := w.part.WaitForHighWatermark(wctx, w.end); err != nil {
				sp := &resp.Topics[w.ti].Partitions[w.pi]
				sp.ErrorCode = errorCode(err)
				if errors.Is(err, context.Canceled) {
					sp.ErrorCode = kerr.RequestTimedOut.Code
				}
			}
		}
	}
	return resp
}

// produceTo appends one partition's records. For acks=-1 it returns what to
// wait for before answering.
func (b *Broker) produceTo(img *metadata.Image, topic *metadata.Topic, req *kmsg.ProduceRequest, rp *kmsg.ProduceRequestTopicPartition, sp *kmsg.ProduceResponseTopicPartition) (pendingAck, bool) {
	if topic.Partitions[rp.Partition] == nil {
		sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
		return pendingAck{}, false
	}
	part, err := b.cfg.Replicas.Partition(topic.Name, rp.Partition)
	if err != nil {
		sp.ErrorCode = kerr.NotLeaderForPartition.Code
		return pendingAck{}, false
	}
	if len(rp.Records) == 0 {
		sp.ErrorCode = kerr.CorruptMessage.Code
		sp.ErrorMessage = kmsg.StringPtr("produce request partition has no record batches")
		return pendingAck{}, false
	}
	res, err := part.AppendAsLeader(rp.Records, req.Acks, b.minInsyncReplicas(img, topic.Name))
	if err != nil {
		sp.ErrorCode = errorCode(err)
		if sp.ErrorCode == kerr.UnknownServerError.Code {
			b.log.Error("produce append failed", "topic", topic.Name, "partition", rp.Partition, "err", err)
		}
		if req.Version >= 8 {
			sp.ErrorMessage = errorMessage(err)
			for _, re := range res.RecordErrors {
				er := kmsg.NewProduceResponseTopicPartitionErrorRecord()
				er.RelativeOffset = re.BatchIndex
				er.ErrorMessage = kmsg.StringPtr(re.Message)
				sp.ErrorRecords = append(sp.ErrorRecords, er)
			}
		}
		if sp.ErrorCode == kerr.NotLeaderForPartition.Code {
			leader, epoch := part.Leadership()
			sp.CurrentLeader.LeaderID, sp.CurrentLeader.LeaderEpoch = leader, epoch
		}
		return pendingAck{}, false
	}
	b.countProduced(topic.Name, rp.Records, res)
	sp.BaseOffset = res.FirstOffset
	sp.LogAppendTime = res.LogAppendTime
	sp.LogStartOffset = res.LogStartOffset
	if req.Acks == -1 {
		return pendingAck{part: part, end: res.LastOffset + 1}, true
	}
	return pendingAck{}, false
}
