package api

// DescribeLogDirs v1-5 and DeleteRecords v0-2.

import (
	"context"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (b *Broker) handleDescribeLogDirs(req *kmsg.DescribeLogDirsRequest) *kmsg.DescribeLogDirsResponse {
	resp := req.ResponseKind().(*kmsg.DescribeLogDirsResponse)
	// nil Topics means every partition.
	want := map[string]map[int32]bool{}
	for _, t := range req.Topics {
		ps := map[int32]bool{}
		for _, p := range t.Partitions {
			ps[p] = true
		}
		want[t.Topic] = ps
	}
	for _, d := range b.cfg.Logs.DirInfos() {
		rd := kmsg.NewDescribeLogDirsResponseDir()
		rd.Dir = d.Path
		rd.TotalBytes, rd.UsableBytes = d.TotalBytes, d.UsableBytes
		if d.Err != nil {
			rd.ErrorCode = kerr.KafkaStorageError.Code
		}
		byTopic := map[string]int{}
		for _, p := range d.Partitions {
			if req.Topics != nil && !want[p.Topic][p.Partition] {
				continue
			}
			i, ok := byTopic[p.Topic]
			if !ok {
				rt := kmsg.NewDescribeLogDirsResponseDirTopic()
				rt.Topic = p.Topic
				rd.Topics = append(rd.Topics, rt)
				i = len(rd.Topics) - 1
				byTopic[p.Topic] = i
			}
			rp := kmsg.NewDescribeLogDirsResponseDirTopicPartition()
			rp.Partition, rp.Size, rp.OffsetLag = p.Partition, p.Size, p.OffsetLag
			rd.Topics[i].Partitions = append(rd.Topics[i].Partitions, rp)
		}
		resp.Dirs = append(resp.Dirs, rd)
	}
	return resp
}

func (b *Broker) handleDeleteRecords(ctx context.Context, req *kmsg.DeleteRecordsRequest) *kmsg.DeleteRecordsResponse {
	img := b.image()
	resp := req.ResponseKind().(*kmsg.DeleteRecordsResponse)
	for _, rt := range req.Topics {
		st := kmsg.NewDeleteRecordsResponseTopic()
		st.Topic = rt.Topic
		topic := img.Topic(rt.Topic)
		for _, rp := range rt.Partitions {
			sp := kmsg.NewDeleteRecordsResponseTopicPartition()
			sp.Partition = rp.Partition
			sp.LowWatermark = -1
			switch part, err := b.cfg.Replicas.Partition(rt.Topic, rp.Partition); {
			case topic == nil || topic.Partitions[rp.Partition] == nil:
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
			case err != nil:
				sp.ErrorCode = kerr.NotLeaderForPartition.Code
			default:
				if err := part.CheckLeaderEpoch(-1); err != nil {
					sp.ErrorCode = errorCode(err)
					break
				}
				offset := rp.Offset
				if offset == -1 { // -1 means "up to the high watermark"
					offset = part.HighWatermark()
				}
				if offset < 0 {
					sp.ErrorCode = kerr.OffsetOutOfRange.Code
					break
				}
				low, err := part.Log().DeleteRecordsBefore(offset)
				if err != nil {
					sp.ErrorCode = errorCode(err)
					break
				}
				sp.LowWatermark = low
			}
			st.Partitions = append(st.Partitions, sp)
		}
		resp.Topics = append(resp.Topics, st)
	}
	return resp
}
