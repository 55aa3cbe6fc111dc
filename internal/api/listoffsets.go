package api

// ListOffsets v1-11: latest (-1), earliest (-2), max timestamp (-3),
// earliest local (-4, equal to earliest without tiered storage), latest
// tiered (-5) and earliest pending upload (-6) (both "none" without tiered
// storage), and the first offset at or after a timestamp.

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	tsLatest                = -1
	tsEarliest              = -2
	tsMaxTimestamp          = -3
	tsEarliestLocal         = -4
	tsLatestTiered          = -5
	tsEarliestPendingUpload = -6
)

func (b *Broker) handleListOffsets(req *kmsg.ListOffsetsRequest) *kmsg.ListOffsetsResponse {
	img := b.image()
	resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewListOffsetsResponseTopic()
		st.Topic = rt.Topic
		topic := img.Topic(rt.Topic)
		for _, rp := range rt.Partitions {
			sp := kmsg.NewListOffsetsResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.Timestamp, sp.Offset, sp.LeaderEpoch = -1, -1, -1
			if topic == nil || topic.Partitions[rp.Partition] == nil {
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
				st.Partitions = append(st.Partitions, sp)
				continue
			}
			part, err := b.cfg.Replicas.Partition(rt.Topic, rp.Partition)
			if err != nil {
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
				st.Partitions = append(st.Partitions, sp)
				continue
			}
			if err := part.CheckLeaderEpoch(rp.CurrentLeaderEpoch); err != nil {
				sp.ErrorCode = errorCode(err)
				st.Partitions = append(st.Partitions, sp)
				continue
			}
			lg := part.Log()
			// Consumers may only see committed records: everything is
			// bounded by the high watermark, or for read_committed by the
			// last stable offset.
			hw := lg.HighWatermark()
			if req.IsolationLevel == readCommitted {
				hw = lg.LastStableOffset()
			}
			switch rp.Timestamp {
			case tsLatest:
				sp.Offset = hw
				sp.LeaderEpoch = lg.LatestEpoch()
			case tsEarliest, tsEarliestLocal:
				sp.Offset = lg.LogStartOffset()
				sp.LeaderEpoch = lg.EpochForOffset(sp.Offset)
			case tsMaxTimestamp:
				off, ts := lg.MaxTimestamp()
				if off >= 0 && off < hw {
					sp.Offset, sp.Timestamp = off, ts
					sp.LeaderEpoch = lg.EpochForOffset(off)
				}
			case tsLatestTiered, tsEarliestPendingUpload:
				// No tiered storage: nothing is remote.
			default:
				if rp.Timestamp < 0 {
					sp.ErrorCode = kerr.InvalidRequest.Code
					break
				}
				off, ts, epoch, ok, err := lg.OffsetForTimestamp(rp.Timestamp)
				if err != nil {
					sp.ErrorCode = errorCode(err)
					break
				}
				if ok && off < hw {
					sp.Offset, sp.Timestamp, sp.LeaderEpoch = off, ts, epoch
				}
			}
			if req.Version == 0 {
				sp.OldStyleOffsets = []int64{sp.Offset}
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp
}
