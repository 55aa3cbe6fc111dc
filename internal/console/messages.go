package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

type headerView struct {
	Key   string      `json:"key"`
	Value payloadView `json:"value"`
}

type recordView struct {
	Offset int64 `json:"offset"`
	// Timestamp is in milliseconds since the epoch; TimestampType is
	// "CreateTime" or "LogAppendTime".
	Timestamp     int64        `json:"timestamp"`
	TimestampType string       `json:"timestampType"`
	Key           payloadView  `json:"key"`
	Value         payloadView  `json:"value"`
	Headers       []headerView `json:"headers"`
}

type pageView struct {
	Topic         string       `json:"topic"`
	Partition     int32        `json:"partition"`
	LogStart      int64        `json:"logStartOffset"`
	HighWatermark int64        `json:"highWatermark"`
	From          int64        `json:"from"`
	Records       []recordView `json:"records"`
	// Next is where the following page starts; Prev where the page before
	// this one starts (-1 at the log start).
	Next int64 `json:"nextOffset"`
	Prev int64 `json:"prevOffset"`
}

const (
	defaultPageSize = 20
	maxPageSize     = 500
	// pageFetchBytes bounds one Fetch of the message browser.
	pageFetchBytes = 1 << 20
)

// browseMessages answers one page of the message browser. The start is
// chosen by exactly one of offset, timestamp (ms since the epoch or
// RFC 3339; ListOffsets by timestamp) or from=earliest|latest (latest
// shows the last page).
func (c *Console) browseMessages(r *http.Request) (any, error) {
	topic := r.PathValue("topic")
	q := r.URL.Query()
	partition, err := intParam(q, "partition", -1)
	if err != nil {
		return nil, err
	}
	if !q.Has("partition") {
		return nil, badField("partition", "required")
	}
	limit, err := intParam(q, "limit", defaultPageSize)
	if err != nil {
		return nil, err
	}
	if limit < 1 || limit > maxPageSize {
		return nil, badField("limit", "must be between 1 and %d, got %d", maxPageSize, limit)
	}
	ctx, cancel := c.requestContext(r)
	defer cancel()
	ref, err := c.partitionRef(ctx, topic, int32(partition))
	if err != nil {
		return nil, err
	}
	starts, ends, err := c.startEndOffsets(ctx, topic)
	if err != nil {
		return nil, err
	}
	start, hw := offsetOf(starts, topic, ref.partition), offsetOf(ends, topic, ref.partition)
	if start < 0 || hw < 0 {
		return nil, fmt.Errorf("listing offsets of %s-%d failed", topic, ref.partition)
	}
	from, err := c.pageStart(ctx, q, topic, ref.partition, start, hw, int64(limit))
	if err != nil {
		return nil, err
	}
	from = min(max(from, start), hw)
	recs, next, err := c.readRecords(ctx, ref, from, hw, int(limit), pageFetchBytes)
	if err != nil {
		return nil, err
	}
	page := pageView{Topic: topic, Partition: ref.partition, LogStart: start, HighWatermark: hw, From: from, Records: []recordView{}, Next: next, Prev: -1}
	if from > start {
		page.Prev = max(start, from-int64(limit))
	}
	for _, rec := range recs {
		page.Records = append(page.Records, viewRecord(rec))
	}
	return page, nil
}

// pageStart reads which of offset, timestamp and from chooses the start.
func (c *Console) pageStart(ctx context.Context, q url.Values, topic string, partition int32, start, hw, limit int64) (int64, error) {
	given := 0
	for _, k := range []string{"offset", "timestamp", "from"} {
		if q.Get(k) != "" {
			given++
		}
	}
	if given > 1 {
		return 0, badField("offset", "give only one of offset, timestamp and from")
	}
	switch {
	case q.Get("offset") != "":
		off, err := strconv.ParseInt(q.Get("offset"), 10, 64)
		if err != nil || off < 0 {
			return 0, badField("offset", "want an offset (a whole number, 0 or more), got %q", q.Get("offset"))
		}
		return off, nil
	case q.Get("timestamp") != "":
		ms, err := parseTimestamp(q.Get("timestamp"))
		if err != nil {
			return 0, badField("timestamp", "%v", err)
		}
		listed, err := c.adm.ListOffsetsAfterMilli(ctx, ms, topic)
		if err != nil {
			return 0, fmt.Errorf("list offsets of %s by timestamp: %w", topic, err)
		}
		o, ok := listed.Lookup(topic, partition)
		if !ok {
			return 0, fmt.Errorf("list offsets of %s by timestamp: no answer for partition %d", topic, partition)
		}
		if o.Err != nil {
			return 0, kafkaError(o.Err, "", "timestamp")
		}
		if o.Offset < 0 {
			return hw, nil // no record at or after the timestamp
		}
		return o.Offset, nil
	case q.Get("from") == "latest":
		return max(start, hw-limit), nil
	case q.Get("from") == "", q.Get("from") == "earliest":
		return start, nil
	default:
		return 0, badField("from", "want earliest or latest, got %q", q.Get("from"))
	}
}

// parseTimestamp takes milliseconds since the epoch or an RFC 3339 time.
func parseTimestamp(s string) (int64, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return ms, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("want milliseconds since the epoch or an RFC 3339 time such as 2026-01-02T15:04:05Z, got %q", s)
	}
	return t.UnixMilli(), nil
}

func intParam(q url.Values, name string, def int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, badField(name, "want a whole number, got %q", s)
	}
	return n, nil
}

func viewRecord(r *kgo.Record) recordView {
	v := recordView{
		Offset: r.Offset, Timestamp: r.Timestamp.UnixMilli(), TimestampType: "CreateTime",
		Key: renderPayload(r.Key, r.Key == nil), Value: renderPayload(r.Value, r.Value == nil),
		Headers: []headerView{},
	}
	if r.Attrs.TimestampType() == 1 {
		v.TimestampType = "LogAppendTime"
	}
	for _, h := range r.Headers {
		v.Headers = append(v.Headers, headerView{Key: h.Key, Value: renderPayload(h.Value, h.Value == nil)})
	}
	return v
}

// partitionRef looks a partition up in the metadata: a missing topic is a
// 404, a missing partition a bad partition field.
func (c *Console) partitionRef(ctx context.Context, topic string, partition int32) (partitionRef, error) {
	t, err := c.topicDetail(ctx, topic)
	if err != nil {
		return partitionRef{}, err
	}
	p, ok := t.Partitions[partition]
	if !ok {
		return partitionRef{}, badField("partition", "topic %s has partitions 0 to %d, not %d", topic, len(t.Partitions)-1, partition)
	}
	if p.Leader < 0 {
		return partitionRef{}, &apiError{Status: http.StatusServiceUnavailable, Code: "LEADER_NOT_AVAILABLE", Message: fmt.Sprintf("partition %s-%d has no leader", topic, partition)}
	}
	return partitionRef{topic: topic, topicID: t.ID, partition: partition, leader: p.Leader}, nil
}

func (c *Console) topicDetail(ctx context.Context, topic string) (kadm.TopicDetail, error) {
	md, err := c.adm.Metadata(ctx, topic)
	if err != nil {
		return kadm.TopicDetail{}, fmt.Errorf("metadata for topic %s: %w", topic, err)
	}
	t, ok := md.Topics[topic]
	if !ok {
		return kadm.TopicDetail{}, notFound("topic %s does not exist", topic)
	}
	if t.Err != nil {
		return kadm.TopicDetail{}, kafkaError(t.Err, "topic "+topic, "")
	}
	return t, nil
}
