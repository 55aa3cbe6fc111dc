package storage

import (
	"bytes"
	"errors"
	"testing"

	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
)

func TestAppendReadRoundTrip(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	var want [][]byte
	for i := 0; i < 20; i++ {
		b := buildBatch(t, plainBatch(3, nowMs()))
		res := mustAppend(t, l, b)
		if res.FirstOffset != int64(i*3) || res.LastOffset != int64(i*3+2) {
			t.Fatalf("append %d: offsets %d-%d", i, res.FirstOffset, res.LastOffset)
		}
		want = append(want, b)
	}
	if l.LogEndOffset() != 60 {
		t.Fatalf("LEO %d", l.LogEndOffset())
	}
	res, err := l.Read(0, 1<<20, 60, false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Records, bytes.Join(want, nil)) {
		t.Fatalf("read bytes differ from appended batches")
	}
	// Offset in the middle of a batch returns that batch.
	res, err = l.Read(31, 1<<20, 60, false)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := record.ParseHeader(res.Records)
	if h.BaseOffset != 30 {
		t.Fatalf("read at 31 starts at %d", h.BaseOffset)
	}
	// maxOffset excludes batches reaching it.
	res, _ = l.Read(0, 1<<20, 31, false)
	if got := len(res.Records); got != 10*len(want[0]) {
		t.Fatalf("read up to 31 returned %d bytes", got)
	}
	// maxBytes smaller than one batch: nothing, unless minOneMessage.
	res, _ = l.Read(0, 10, 60, false)
	if len(res.Records) != 0 {
		t.Fatalf("read with tiny maxBytes returned data")
	}
	res, _ = l.Read(0, 10, 60, true)
	if len(res.Records) != len(want[0]) {
		t.Fatalf("minOneMessage read returned %d bytes", len(res.Records))
	}
	if _, err := l.Read(61, 100, 60, false); !errors.Is(err, kerr.OffsetOutOfRange) {
		t.Fatalf("read past LEO: %v", err)
	}
	res, err = l.Read(60, 100, 60, false)
	if err != nil || len(res.Records) != 0 {
		t.Fatalf("read at LEO: %v %d", err, len(res.Records))
	}
}

func TestAppendValidation(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.MaxMessageBytes = 2000
	l := e.log("t", 0, cfg)
	good := buildBatch(t, plainBatch(2, nowMs()))

	badCRC := append([]byte(nil), good...)
	badCRC[len(badCRC)-1] ^= 0xff
	magic1 := append([]byte(nil), good...)
	magic1[record.MagicOffset] = 1
	big := buildBatch(t, batchSpec{n: 1, valueLen: 3000, ts: nowMs(), pid: -1, epoch: -1, seq: -1})
	oldTs := buildBatch(t, plainBatch(1, nowMs()-1))
	futureTs := buildBatch(t, plainBatch(2, nowMs()+2*3600*1000))
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"crc", badCRC, kerr.CorruptMessage},
		{"magic1", magic1, kerr.UnsupportedForMessageFormat},
		{"truncated", good[:len(good)-3], kerr.CorruptMessage},
		{"short prefix", good[:5], kerr.CorruptMessage},
		{"too large", big, kerr.MessageTooLarge},
		{"future timestamp", futureTs, kerr.InvalidTimestamp},
		{"trailing garbage", append(append([]byte(nil), good...), 1, 2, 3), kerr.CorruptMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := l.Append(append([]byte(nil), tc.in...), AppendOptions{AssignOffsets: true})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.want == kerr.InvalidTimestamp && len(res.RecordErrors) != 2 {
				t.Fatalf("record errors %v", res.RecordErrors)
			}
		})
	}
	mustAppend(t, l, oldTs)
	if l.LogEndOffset() != 1 {
		t.Fatalf("LEO %d after failed appends", l.LogEndOffset())
	}
}

func TestLogAppendTime(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.MessageTimestampType = "LogAppendTime"
	l := e.log("t", 0, cfg)
	res := mustAppend(t, l, buildBatch(t, plainBatch(2, 5)))
	if res.LogAppendTime != nowMs() {
		t.Fatalf("LogAppendTime %d", res.LogAppendTime)
	}
	hs := readAll(t, l, 0)
	if !hs[0].IsLogAppendTime() || hs[0].MaxTimestamp != nowMs() {
		t.Fatalf("stored header %+v", hs[0])
	}
}
