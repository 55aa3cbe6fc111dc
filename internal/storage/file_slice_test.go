package storage

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/record"
)

func sliceBytes(t *testing.T, fs FileSlice) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := fs.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadSliceMatchesRead(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.SegmentBytes = 2000
	cfg.IndexIntervalBytes = 100
	l := e.log("t", 0, cfg)
	for i := 0; i < 60; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(1+i%3, nowMs())))
	}
	end := l.LogEndOffset()
	cases := []struct {
		offset   int64
		maxBytes int32
		maxOff   int64
		minOne   bool
	}{
		{0, 1 << 20, end, false}, {5, 300, end, false}, {7, 10, end, false}, {7, 10, end, true},
		{30, 1 << 20, 40, false}, {end - 1, 1 << 20, end, false}, {end, 100, end, false},
	}
	for _, c := range cases {
		res, err := l.Read(c.offset, c.maxBytes, c.maxOff, c.minOne)
		if err != nil {
			t.Fatal(err)
		}
		fs, _, err := l.ReadSlice(c.offset, c.maxBytes, c.maxOff, c.minOne)
		if err != nil {
			t.Fatal(err)
		}
		got := sliceBytes(t, fs)
		fs.Release()
		if !bytes.Equal(got, res.Records) {
			t.Fatalf("ReadSlice%+v: %d bytes, Read gave %d", c, len(got), len(res.Records))
		}
		if want := lastOffsetOf(t, res.Records); len(got) > 0 && fs.LastOffset != want {
			t.Fatalf("ReadSlice%+v: last offset %d, want %d", c, fs.LastOffset, want)
		}
	}
}

func TestReadSliceSendfileAndDeletion(t *testing.T) {
	e := newTestEnv(t)
	cfg := DefaultLogConfig()
	cfg.RetentionMs = 1000
	cfg.SegmentMs = 1000
	cfg.FileDeleteDelayMs = 0
	l := e.log("t", 0, cfg)
	for i := 0; i < 3; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(20, nowMs()+int64(i)*2000)))
	}
	want, _ := l.Read(0, 1<<20, 20, true)
	fs, _, err := l.ReadSlice(0, 1<<20, 20, true)
	if err != nil || fs.File == nil {
		t.Fatalf("ReadSlice: %v", err)
	}
	// Retention deletes the segment while the slice is held.
	l.SetHighWatermark(l.LogEndOffset())
	e.clock.Advance(time.Hour)
	if err := e.m.RunRetention(); err != nil {
		t.Fatal(err)
	}
	if l.LogStartOffset() == 0 {
		t.Fatalf("segment not deleted")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(c)
		c.Close()
		got <- b
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	n, err := fs.WriteTo(conn)
	conn.Close()
	fs.Release()
	if err != nil || n != int64(len(want.Records)) {
		t.Fatalf("WriteTo: %d %v", n, err)
	}
	if b := <-got; !bytes.Equal(b, want.Records) {
		t.Fatalf("sent %d bytes that differ from the batch", len(b))
	}
}

func lastOffsetOf(t *testing.T, records []byte) int64 {
	t.Helper()
	last := int64(-1)
	for len(records) > 0 {
		b, rest, err := record.NextBatch(records)
		if err != nil {
			t.Fatal(err)
		}
		h, err := record.ParseHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		last, records = h.LastOffset(), rest
	}
	return last
}
