package api

// Fetch v4-18 for consumers: long poll on max wait and min bytes, response
// and partition size limits (the first batch is returned whole even when
// larger, KIP-74), incremental fetch sessions (KIP-227), topic ids from v13.
// read_committed reads to the last stable offset, which equals the high
// watermark until transactions exist. Follower fetches arrive with
// multi-node replication.

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/replication"
	"github.com/odradek/odradek/internal/storage"
)

const readCommitted = 1

type fetchItem struct {
	key         sessionKey
	fetchOffset int64
	maxBytes    int32
	leaderEpoch int32
	sp          *sessionPart // nil without a session

	part     *replication.Partition
	errCode  int16
	records  storage.FileSlice // File nil: nothing read
	hw       int64
	lso      int64
	logStart int64
	aborted  []kmsg.FetchResponseTopicPartitionAbortedTransaction
}

func (b *Broker) handleFetch(ctx context.Context, req *kmsg.FetchRequest) *fetchResponse {
	resp := &fetchResponse{FetchResponse: req.ResponseKind().(*kmsg.FetchResponse)}
	img := b.image()

	var sess *fetchSession
	incremental := false
	switch {
	case req.Version < 7 || (req.SessionID == 0 && req.SessionEpoch == finalEpoch):
	case req.SessionEpoch == initialEpoch:
		// A client restarting its session sends its old id with epoch 0:
		// drop the old one and start afresh, as Kafka does.
		if req.SessionID != 0 {
			b.sessions.remove(req.SessionID)
		}
		sess = b.sessions.create()
	case req.SessionID == 0:
		resp.ErrorCode = kerr.InvalidFetchSessionEpoch.Code
		return resp
	case req.SessionEpoch == finalEpoch:
		b.sessions.remove(req.SessionID)
	default:
		s, err := b.sessions.lookup(req.SessionID, req.SessionEpoch)
		if err != nil {
			resp.ErrorCode = errorCode(err)
			return resp
		}
		sess, incremental = s, true
	}
	if sess != nil {
		sess.mu.Lock()
		defer sess.mu.Unlock()
		sess.lastUsed = b.cfg.Clock.Now()
	}

	items := b.fetchItems(img, req, sess, incremental)
	maxBytes := req.MaxBytes
	if req.Version < 3 || maxBytes <= 0 {
		maxBytes = int32(b.cfg.Static.Int("fetch.max.bytes"))
	}
	if limit := int32(b.cfg.Static.Int("fetch.max.bytes")); limit > 0 && maxBytes > limit {
		maxBytes = limit
	}
	b.fetchWithWait(ctx, req, items, maxBytes, req.IsolationLevel == readCommitted)

	// Build the response, grouping consecutive items of a topic.
	for _, it := range items {
		if incremental && it.sp != nil && it.records.Size == 0 && it.errCode == 0 &&
			it.hw == it.sp.sentHW && it.logStart == it.sp.sentLogStart {
			continue
		}
		if it.sp != nil {
			it.sp.sentHW, it.sp.sentLogStart = it.hw, it.logStart
		}
		rp := kmsg.NewFetchResponseTopicPartition()
		rp.Partition = it.key.part
		rp.ErrorCode = it.errCode
		rp.HighWatermark = it.hw
		rp.LastStableOffset = it.lso
		rp.LogStartOffset = it.logStart
		rp.PreferredReadReplica = -1
		// librdkafka rejects a null record set; an empty one is what
		// Kafka sends when there is nothing to return.
		resp.addSlice(&rp, it.records)
		b.countFetched(req, it.key.topic, it.records.Size)
		if req.IsolationLevel == readCommitted {
			// read_committed gets a list, empty when nothing was aborted,
			// as Kafka sends (null is for read_uncommitted).
			rp.AbortedTransactions = it.aborted
			if rp.AbortedTransactions == nil {
				rp.AbortedTransactions = []kmsg.FetchResponseTopicPartitionAbortedTransaction{}
			}
		}
		if it.errCode == kerr.NotLeaderForPartition.Code && it.part != nil {
			rp.CurrentLeader.LeaderID, rp.CurrentLeader.LeaderEpoch = it.part.Leadership()
		}
		n := len(resp.Topics)
		if n == 0 || resp.Topics[n-1].Topic != it.key.topic || resp.Topics[n-1].TopicID != it.key.topicID {
			rt := kmsg.NewFetchResponseTopic()
			rt.Topic, rt.TopicID = it.key.topic, it.key.topicID
			resp.Topics = append(resp.Topics, rt)
			n++
		}
		resp.Topics[n-1].Partitions = append(resp.Topics[n-1].Partitions, rp)
	}
	if sess != nil {
		resp.SessionID = sess.id
		sess.epoch++
		if sess.epoch <= 0 {
			sess.epoch = 1
		}
	}
	return resp
}

// fetchItems resolves the partitions this request fetches: the request's own
// list, or for an incremental request the session's list after applying the
// request's additions, changes and forgotten partitions.
func (b *Broker) fetchItems(img *metadata.Image, req *kmsg.FetchRequest, sess *fetchSession, incremental bool) []*fetchItem {
	var items []*fetchItem
	if incremental {
		for _, ft := range req.ForgottenTopics {
			name := ft.Topic
			if req.Version >= 13 {
				if t := img.TopicByID(metadata.UUID(ft.TopicID)); t != nil {
					name = t.Name
				}
			}
			for _, p := range ft.Partitions {
				sess.forget(sessionKey{topicID: ft.TopicID, topic: name, part: p})
			}
		}
	}
	for _, rt := range req.Topics {
		name, id := rt.Topic, rt.TopicID
		var topic *metadata.Topic
		if req.Version >= 13 {
			if topic = img.TopicByID(metadata.UUID(id)); topic != nil {
				name = topic.Name
			}
		} else if topic = img.Topic(name); topic != nil && req.Version >= 13 {
			id = topic.ID
		}
		if req.Version < 13 {
			id = [16]byte{}
		}
		for _, rp := range rt.Partitions {
			sp := sessionPart{
				key:                sessionKey{topicID: id, topic: name, part: rp.Partition},
				fetchOffset:        rp.FetchOffset,
				maxBytes:           rp.PartitionMaxBytes,
				currentLeaderEpoch: rp.CurrentLeaderEpoch,
			}
			if sess != nil {
				sess.upsert(sp)
			}
			if !incremental {
				items = append(items, &fetchItem{key: sp.key, fetchOffset: sp.fetchOffset, maxBytes: sp.maxBytes, leaderEpoch: sp.currentLeaderEpoch})
			}
		}
	}
	if sess != nil {
		if incremental {
			for _, k := range sess.order {
				p := sess.parts[k]
				items = append(items, &fetchItem{key: k, fetchOffset: p.fetchOffset, maxBytes: p.maxBytes, leaderEpoch: p.currentLeaderEpoch})
			}
		}
		for _, it := range items {
			it.sp = sess.parts[it.key]
		}
	}
	for _, it := range items {
		b.resolveFetchItem(img, req.Version, it)
	}
	return items
}

func (b *Broker) resolveFetchItem(img *metadata.Image, version int16, it *fetchItem) {
	it.hw, it.lso, it.logStart = -1, -1, -1
	var topic *metadata.Topic
	if version >= 13 {
		topic = img.TopicByID(metadata.UUID(it.key.topicID))
	} else {
		topic = img.Topic(it.key.topic)
	}
	switch {
	case topic == nil && version >= 13:
		it.errCode = kerr.UnknownTopicID.Code
		return
	case topic == nil || topic.Partitions[it.key.part] == nil:
		it.errCode = kerr.UnknownTopicOrPartition.Code
		return
	}
	part, err := b.cfg.Replicas.Partition(topic.Name, it.key.part)
	if err != nil {
		it.errCode = kerr.NotLeaderForPartition.Code
		return
	}
	it.part = part
	if err := part.CheckLeaderEpoch(it.leaderEpoch); err != nil {
		it.errCode = errorCode(err)
	}
}

// fetchWithWait reads every item, then long-polls until min bytes are
// available, max wait passes, or the request's connection goes away.
func (b *Broker) fetchWithWait(ctx context.Context, req *kmsg.FetchRequest, items []*fetchItem, maxBytes int32, committed bool) {
	total, failed := b.readItems(items, maxBytes, committed)
	if total >= int(req.MinBytes) || req.MaxWaitMillis <= 0 || failed {
		return
	}
	wake := make(chan struct{}, 1)
	timeout := make(chan struct{})
	t := b.cfg.Clock.AfterFunc(time.Duration(req.MaxWaitMillis)*time.Millisecond, func() { close(timeout) })
	defer t.Stop()
	for {
		for _, it := range items {
			if it.part != nil {
				it.part.Watch(wake)
			}
		}
		// Data may have arrived between the read and the watch.
		n, failed := b.readItems(items, maxBytes-int32(total), committed)
		total += n
		if total >= int(req.MinBytes) || failed {
			break
		}
		select {
		case <-wake:
			continue
		case <-timeout:
		case <-ctx.Done():
		}
		break
	}
	for _, it := range items {
		if it.part != nil {
			it.part.Unwatch(wake)
		}
	}
}

// readItems reads items that have no data yet; it returns the bytes read and
// whether any partition failed (which ends the long poll, as in Kafka).
// read_committed reads stop at the last stable offset and carry the aborted
// transactions of the range returned.
func (b *Broker) readItems(items []*fetchItem, budget int32, committed bool) (int, bool) {
	total := 0
	failed := false
	anyData := false
	for _, it := range items {
		if it.records.Size > 0 {
			anyData = true
		}
	}
	for _, it := range items {
		if it.errCode != 0 {
			failed = true
			continue
		}
		if it.part == nil || it.records.Size > 0 {
			continue
		}
		lg := it.part.Log()
		limit := min(it.maxBytes, budget-int32(total))
		minOne := !anyData && total == 0
		it.lso = lg.LastStableOffset()
		if limit <= 0 && !minOne {
			it.hw, it.logStart = lg.HighWatermark(), lg.LogStartOffset()
			continue
		}
		bound := lg.HighWatermark()
		if committed {
			bound = it.lso
		}
		sl, res, err := lg.ReadSlice(it.fetchOffset, max(limit, 0), bound, minOne)
		it.hw, it.logStart = res.HighWatermark, res.LogStartOffset
		if err != nil {
			it.errCode = errorCode(err)
			if it.errCode == kerr.UnknownServerError.Code {
				b.log.Error("fetch read failed", "topic", it.key.topic, "partition", it.key.part, "err", err)
			}
			failed = true
			continue
		}
		it.records = sl
		total += int(sl.Size)
		if committed && sl.Size > 0 {
			for _, a := range lg.AbortedTransactions(it.fetchOffset, sl.LastOffset+1) {
				at := kmsg.NewFetchResponseTopicPartitionAbortedTransaction()
				at.ProducerID, at.FirstOffset = a.ProducerID, a.FirstOffset
				it.aborted = append(it.aborted, at)
			}
		}
	}
	return total, failed
}
