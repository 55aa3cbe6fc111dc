package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type payload struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	Size int    `json:"size"`
}

type page struct {
	LogStart      int64 `json:"logStartOffset"`
	HighWatermark int64 `json:"highWatermark"`
	From          int64 `json:"from"`
	Next          int64 `json:"nextOffset"`
	Prev          int64 `json:"prevOffset"`
	Records       []struct {
		Offset    int64   `json:"offset"`
		Timestamp int64   `json:"timestamp"`
		Key       payload `json:"key"`
		Value     payload `json:"value"`
		Headers   []struct {
			Key   string  `json:"key"`
			Value payload `json:"value"`
		} `json:"headers"`
	} `json:"records"`
}

func (p page) offsets() []int64 {
	var out []int64
	for _, r := range p.Records {
		out = append(out, r.Offset)
	}
	return out
}

func TestMessagesAPI(t *testing.T) {
	e := newEnv(t)
	e.createTopic(t, "events", 2)
	base := time.UnixMilli(1_700_000_000_000)
	var recs []*kgo.Record
	for i := range 30 {
		recs = append(recs, &kgo.Record{Topic: "events", Partition: 0, Timestamp: base.Add(time.Duration(i) * time.Second), Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "v%d", i)})
	}
	recs[3].Value = []byte(`{"id":3,"tags":["a","b"]}`)
	recs[4].Value = []byte{0xff, 0x00, 0x10}
	recs[5].Key = nil
	recs[5].Headers = []kgo.RecordHeader{{Key: "trace", Value: []byte("abc")}, {Key: "bin", Value: []byte{0xc3, 0x28}}}
	manual, err := kgo.NewClient(kgo.SeedBrokers(e.srv.Bootstrap), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer manual.Close()
	if err := manual.ProduceSync(t.Context(), recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}

	t.Run("earliest page renders payloads", func(t *testing.T) {
		var p page
		e.mustOK(t, "GET", "/api/topics/events/messages?partition=0&limit=10", nil, &p)
		if p.LogStart != 0 || p.HighWatermark != 30 || p.From != 0 || p.Next != 10 || p.Prev != -1 || len(p.Records) != 10 {
			t.Fatalf("page: start=%d hw=%d from=%d next=%d prev=%d offsets=%v", p.LogStart, p.HighWatermark, p.From, p.Next, p.Prev, p.offsets())
		}
		r0 := p.Records[0]
		if r0.Key != (payload{"text", "k0", 2}) || r0.Value != (payload{"text", "v0", 2}) || r0.Timestamp != base.UnixMilli() {
			t.Fatalf("record 0: %+v", r0)
		}
		if got := p.Records[3].Value; got.Kind != "json" || got.Text != "{\n  \"id\": 3,\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}" {
			t.Fatalf("JSON value: %+v", got)
		}
		if got := p.Records[4].Value; got != (payload{"hex", "ff 00 10", 3}) {
			t.Fatalf("binary value: %+v", got)
		}
		r5 := p.Records[5]
		if r5.Key.Kind != "null" || len(r5.Headers) != 2 || r5.Headers[0].Key != "trace" || r5.Headers[0].Value != (payload{"text", "abc", 3}) || r5.Headers[1].Value != (payload{"hex", "c3 28", 2}) {
			t.Fatalf("record 5: %+v", r5)
		}
	})

	t.Run("start choices", func(t *testing.T) {
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"offset=25&limit=3", []int64{25, 26, 27}},
			{"offset=28", []int64{28, 29}},
			{"offset=30", nil},
			{"offset=99", nil},
			{"from=latest&limit=2", []int64{28, 29}},
			{"from=earliest&limit=1", []int64{0}},
			{fmt.Sprintf("timestamp=%d&limit=2", base.Add(7*time.Second).UnixMilli()), []int64{7, 8}},
			{fmt.Sprintf("timestamp=%d&limit=2", base.Add(6500*time.Millisecond).UnixMilli()), []int64{7, 8}},
			{"timestamp=" + base.Add(10*time.Second).UTC().Format(time.RFC3339) + "&limit=1", []int64{10}},
			{fmt.Sprintf("timestamp=%d", base.Add(time.Hour).UnixMilli()), nil},
		} {
			var p page
			e.mustOK(t, "GET", "/api/topics/events/messages?partition=0&"+tc.query, nil, &p)
			if fmt.Sprint(p.offsets()) != fmt.Sprint(tc.want) {
				t.Errorf("%s: offsets %v, want %v", tc.query, p.offsets(), tc.want)
			}
		}
	})

	t.Run("paging", func(t *testing.T) {
		var p page
		e.mustOK(t, "GET", "/api/topics/events/messages?partition=0&offset=12&limit=5", nil, &p)
		if p.Prev != 7 || p.Next != 17 {
			t.Fatalf("prev=%d next=%d", p.Prev, p.Next)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			query, field, msg string
			status            int
		}{
			{"", "partition", "required", 400},
			{"partition=x", "partition", "whole number", 400},
			{"partition=7", "partition", "partitions 0 to 1", 400},
			{"partition=0&limit=0", "limit", "between 1 and 500", 400},
			{"partition=0&offset=-1", "offset", "want an offset", 400},
			{"partition=0&offset=abc", "offset", "want an offset", 400},
			{"partition=0&timestamp=yesterday", "timestamp", "RFC 3339", 400},
			{"partition=0&offset=1&timestamp=2", "offset", "only one", 400},
			{"partition=0&from=middle", "from", "earliest or latest", 400},
		} {
			e.wantError(t, "GET", "/api/topics/events/messages?"+tc.query, nil, tc.status, tc.field, tc.msg)
		}
		e.wantError(t, "GET", "/api/topics/nope/messages?partition=0", nil, http.StatusNotFound, "", "nope")
	})

	t.Run("produce", func(t *testing.T) {
		var res struct {
			Partition int32 `json:"partition"`
			Offset    int64 `json:"offset"`
		}
		code, raw := e.call(t, "POST", "/api/topics/events/messages", map[string]any{
			"partition": 1, "key": "order-1", "value": `{"total": 12.5}`,
			"headers": []map[string]any{{"key": "source", "value": "console"}},
		}, &res)
		if code != http.StatusCreated || res.Partition != 1 || res.Offset != 0 {
			t.Fatalf("produce = %d %s", code, raw)
		}
		var p page
		e.mustOK(t, "GET", "/api/topics/events/messages?partition=1&offset=0", nil, &p)
		if len(p.Records) != 1 || p.Records[0].Key.Text != "order-1" || p.Records[0].Value.Kind != "json" || p.Records[0].Value.Text != "{\n  \"total\": 12.5\n}" ||
			len(p.Records[0].Headers) != 1 || p.Records[0].Headers[0].Value.Text != "console" {
			b, _ := json.Marshal(p)
			t.Fatalf("produced record reads back as %s", b)
		}
		// Without a partition, a keyed record goes where Kafka's default
		// partitioner (and franz-go's) puts it.
		for _, key := range []string{"a", "b", "c", "d"} {
			e.mustOK(t, "POST", "/api/topics/events/messages", map[string]any{"key": key, "value": "x"}, &res)
			rec := &kgo.Record{Topic: "events", Key: []byte(key), Value: []byte("x")}
			e.produce(t, rec)
			if rec.Partition != res.Partition {
				t.Fatalf("key %q: console chose partition %d, the default producer %d", key, res.Partition, rec.Partition)
			}
		}
		// A null value is a tombstone.
		e.mustOK(t, "POST", "/api/topics/events/messages", map[string]any{"partition": 1, "key": "gone"}, &res)
		e.mustOK(t, "GET", fmt.Sprintf("/api/topics/events/messages?partition=1&offset=%d", res.Offset), nil, &p)
		if len(p.Records) == 0 || p.Records[0].Value.Kind != "null" {
			t.Fatalf("tombstone reads back as %+v", p.Records)
		}
		e.wantError(t, "POST", "/api/topics/events/messages", map[string]any{"partition": 2, "value": "x"}, 400, "partition", "partitions 0 to 1")
		e.wantError(t, "POST", "/api/topics/events/messages", map[string]any{"value": 5}, 400, "value", "want a string")
		e.wantError(t, "POST", "/api/topics/nope/messages", map[string]any{"value": "x"}, 404, "", "nope")
	})
}
