package storage

import (
	"bytes"
	"math"
	"testing"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestCleanFilter(t *testing.T) {
	const now, retention = int64(1_000_000), int64(500)
	type rec struct {
		key, value string // "<nil>" value: tombstone; "" key: no key
	}
	build := func(t *testing.T, base int64, attrs int16, baseTs int64, pid int64, recs ...rec) []byte {
		var rs []kmsg.Record
		for i, r := range recs {
			kr := kmsg.Record{OffsetDelta: int32(i), TimestampDelta64: int64(i)}
			if r.key != "" {
				kr.Key = []byte(r.key)
			}
			if r.value != "<nil>" {
				kr.Value = []byte(r.value)
			}
			rs = append(rs, kr)
		}
		b, err := record.Build(record.Header{BaseOffset: base, PartitionLeaderEpoch: -1, Attributes: attrs, LastOffsetDelta: int32(len(recs) - 1),
			BaseTimestamp: baseTs, MaxTimestamp: baseTs + int64(len(recs)-1), ProducerID: pid, ProducerEpoch: 0, BaseSequence: 0}, rs, record.CodecNone)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name      string
		batch     func(t *testing.T) []byte
		latest    map[string]int64
		producers map[int64]producerLast
		aborted   []AbortedTxn
		want      []string // kept "key=value" in order; nil: batch dropped
		unchanged bool
		horizon   int64 // expected delete horizon, 0: none
		empty     bool  // expect a kept batch without records
	}{
		{name: "keyless and superseded records go",
			batch:  func(t *testing.T) []byte { return build(t, 10, 0, 5, -1, rec{"", "x"}, rec{"a", "1"}, rec{"b", "1"}) },
			latest: map[string]int64{"a": 20, "b": 12},
			want:   []string{"b=1"}},
		{name: "nothing to remove keeps the bytes",
			batch:     func(t *testing.T) []byte { return build(t, 10, 0, 5, -1, rec{"a", "1"}) },
			latest:    map[string]int64{"a": 10},
			want:      []string{"a=1"},
			unchanged: true},
		{name: "latest tombstone gets a horizon",
			batch:   func(t *testing.T) []byte { return build(t, 10, 0, 5, -1, rec{"a", "<nil>"}, rec{"b", "1"}) },
			latest:  map[string]int64{"a": 10, "b": 11},
			want:    []string{"a=<nil>", "b=1"},
			horizon: now + retention},
		{name: "tombstone before its horizon stays as is",
			batch: func(t *testing.T) []byte {
				return build(t, 10, record.AttrDeleteHorizonSet, now+1, -1, rec{"a", "<nil>"})
			},
			want:      []string{"a=<nil>"},
			unchanged: true,
			horizon:   now + 1},
		{name: "tombstone after its horizon goes",
			batch: func(t *testing.T) []byte {
				return build(t, 10, record.AttrDeleteHorizonSet, now, -1, rec{"a", "<nil>"}, rec{"b", "1"})
			},
			want:    []string{"b=1"},
			horizon: now},
		{name: "aborted transaction's batch goes",
			batch:   func(t *testing.T) []byte { return build(t, 10, record.AttrTransactional, 5, 7, rec{"a", "1"}) },
			aborted: []AbortedTxn{{ProducerID: 7, FirstOffset: 10, LastOffset: 11}}},
		{name: "aborted batch that is the producer's last is emptied",
			batch:     func(t *testing.T) []byte { return build(t, 10, record.AttrTransactional, 5, 7, rec{"a", "1"}) },
			aborted:   []AbortedTxn{{ProducerID: 7, FirstOffset: 10, LastOffset: 11}},
			producers: map[int64]producerLast{7: {lastOffset: 10}},
			empty:     true},
		{name: "producer's superseded last batch is emptied",
			batch:     func(t *testing.T) []byte { return build(t, 10, 0, 5, 7, rec{"a", "1"}, rec{"a", "2"}) },
			latest:    map[string]int64{"a": 30},
			producers: map[int64]producerLast{7: {lastOffset: 11}},
			empty:     true},
		{name: "control batch emptied by a Kafka cleaner stays as is",
			batch: func(t *testing.T) []byte {
				return record.BuildEmpty(record.Header{BaseOffset: 10, PartitionLeaderEpoch: -1, Attributes: record.AttrControl | record.AttrTransactional,
					ProducerID: 7, BaseSequence: -1}, 5)
			},
			unchanged: true,
			empty:     true},
		{name: "producer's older superseded batch goes",
			batch:     func(t *testing.T) []byte { return build(t, 10, 0, 5, 7, rec{"a", "1"}) },
			latest:    map[string]int64{"a": 30},
			producers: map[int64]producerLast{7: {lastOffset: 30}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			om := newOffsetMap(1 << 20)
			for k, off := range tc.latest {
				om.put([]byte(k), off)
			}
			f := &cleanFilter{offsets: om, txns: newCleanerTxns(tc.aborted), nowMs: now, deleteRetentionMs: retention,
				producers: tc.producers, minHorizon: math.MaxInt64}
			in := tc.batch(t)
			h, err := record.Validate(in)
			if err != nil {
				t.Fatal(err)
			}
			out, changed, err := f.filter(&h, in)
			if err != nil {
				t.Fatal(err)
			}
			if changed == tc.unchanged || (tc.unchanged && !bytes.Equal(out, in)) {
				t.Fatalf("changed %v, want %v", changed, !tc.unchanged)
			}
			if tc.want == nil && !tc.empty {
				if out != nil {
					t.Fatalf("batch kept, want it dropped")
				}
				return
			}
			oh, err := record.Validate(out)
			if err != nil {
				t.Fatalf("output batch invalid: %v", err)
			}
			if oh.BaseOffset != h.BaseOffset || oh.LastOffsetDelta != h.LastOffsetDelta || oh.ProducerID != h.ProducerID || oh.BaseSequence != h.BaseSequence {
				t.Fatalf("offsets or producer fields changed: %+v -> %+v", h, oh)
			}
			if tc.empty {
				if oh.RecordCount != 0 {
					t.Fatalf("%d records kept, want an empty batch", oh.RecordCount)
				}
				return
			}
			recs, err := record.Records(&oh, out)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range recs {
				v := "<nil>"
				if r.Value != nil {
					v = string(r.Value)
				}
				got = append(got, string(r.Key)+"="+v)
				if ts, orig := oh.BaseTimestamp+r.TimestampDelta64, h.BaseTimestamp+int64(r.OffsetDelta); ts != orig {
					t.Fatalf("record at delta %d has timestamp %d, was %d", r.OffsetDelta, ts, orig)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("kept %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("kept %v, want %v", got, tc.want)
				}
			}
			hz, ok := oh.DeleteHorizon()
			if (tc.horizon != 0) != ok || (ok && hz != tc.horizon) {
				t.Fatalf("horizon %d (set %v), want %d", hz, ok, tc.horizon)
			}
		})
	}
}

func TestOffsetMapCapacity(t *testing.T) {
	for _, tc := range []struct {
		buffer int64
		want   int
	}{{0, 1}, {offsetMapEntryBytes, 1}, {10 * offsetMapEntryBytes, 9}, {128 << 20, 5033164}} {
		if got := newOffsetMap(tc.buffer).capacity; got != tc.want {
			t.Errorf("buffer %d: capacity %d, want %d", tc.buffer, got, tc.want)
		}
	}
	m := newOffsetMap(3 * offsetMapEntryBytes) // 2 keys
	m.put([]byte("a"), 1)
	m.put([]byte("a"), 5)
	if m.get([]byte("a")) != 5 || m.get([]byte("b")) != -1 || !m.fits(1) || m.fits(2) {
		t.Fatalf("offset map: a=%d b=%d", m.get([]byte("a")), m.get([]byte("b")))
	}
}

func TestCleanerCompactAndDelete(t *testing.T) {
	e := newTestEnv(t)
	cfg := compactConfig()
	cfg.CleanupPolicy = "compact,delete"
	cfg.RetentionMs = 3600 * 1000
	l := e.log("c", 0, cfg)
	appendRolled(t, l, nowMs()-2*3600*1000, []string{"a", "1"}, []string{"b", "1"})
	appendRolled(t, l, nowMs(), []string{"a", "2"}, []string{"a", "3"}, []string{"c", "1"})
	if err := e.m.RunRetention(); err != nil {
		t.Fatal(err)
	}
	if l.LogStartOffset() != 2 {
		t.Fatalf("retention under compact,delete: log start %d, want 2", l.LogStartOffset())
	}
	runCleaner(t, e)
	if got := readRecords(t, l); len(got) != 2 || got[3] != "a=3" || got[4] != "c=1" {
		t.Fatalf("compaction under compact,delete: %v", got)
	}
}
