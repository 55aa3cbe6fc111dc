package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func testRecords(n int) []kmsg.Record {
	recs := make([]kmsg.Record, n)
	for i := range recs {
		recs[i] = kmsg.Record{
			TimestampDelta64: int64(i * 3),
			OffsetDelta:      int32(i),
			Key:              []byte{byte(i)},
			Value:            bytes.Repeat([]byte("value-"), i+1),
			Headers:          []kmsg.Header{{Key: "k", Value: []byte{1, 2}}, {Key: "n", Value: nil}},
		}
	}
	recs[0].Key = nil
	return recs
}

func testHeader(n int) Header {
	return Header{BaseOffset: 0, PartitionLeaderEpoch: -1, LastOffsetDelta: int32(n - 1), BaseTimestamp: 1000,
		MaxTimestamp: 1000 + int64(3*(n-1)), ProducerID: 9, ProducerEpoch: 1, BaseSequence: 4}
}

func TestCodecRoundTrip(t *testing.T) {
	for _, c := range []Codec{CodecNone, CodecGzip, CodecSnappy, CodecLZ4, CodecZstd} {
		t.Run(c.String(), func(t *testing.T) {
			recs := testRecords(50)
			b, err := Build(testHeader(50), recs, c)
			if err != nil {
				t.Fatal(err)
			}
			// The batch must also decode with kmsg, the client's decoder.
			var kb kmsg.RecordBatch
			if err := kb.ReadFrom(b); err != nil || kb.NumRecords != 50 || int(kb.Attributes&7) != int(c) {
				t.Fatalf("kmsg decode: %v %+v", err, kb.NumRecords)
			}
			h, err := Validate(b)
			if err != nil {
				t.Fatal(err)
			}
			if h.Codec() != c || h.RecordCount != 50 || h.LastSequence() != 53 {
				t.Fatalf("header %+v", h)
			}
			got, err := Records(&h, b)
			if err != nil {
				t.Fatal(err)
			}
			for i := range recs {
				w, g := recs[i], got[i]
				if g.OffsetDelta != w.OffsetDelta || g.TimestampDelta64 != w.TimestampDelta64 || !bytes.Equal(g.Key, w.Key) ||
					(g.Key == nil) != (w.Key == nil) || !bytes.Equal(g.Value, w.Value) || len(g.Headers) != 2 || g.Headers[1].Value != nil {
					t.Fatalf("record %d: got %+v want %+v", i, g, w)
				}
			}
		})
	}
}

func TestRawSnappyBlock(t *testing.T) {
	raw := EncodeRecords(nil, testRecords(5))
	// Non-Java clients send a bare snappy block.
	block := snappy.Encode(nil, raw)
	b := BuildRaw(testHeader(5), 5, block, CodecSnappy)
	h, err := Validate(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Records(&h, b)
	if err != nil || len(got) != 5 {
		t.Fatalf("raw snappy: %v %d", err, len(got))
	}
	framed, _ := Compress(CodecSnappy, raw)
	if !bytes.HasPrefix(framed, xerialMagic) {
		t.Fatalf("compressed snappy is not xerial framed")
	}
}

func TestPatching(t *testing.T) {
	b, _ := Build(testHeader(3), testRecords(3), CodecNone)
	SetBaseOffset(b, 12345)
	SetPartitionLeaderEpoch(b, 7)
	h, err := Validate(b)
	if err != nil {
		t.Fatalf("patching offset and epoch broke the CRC: %v", err)
	}
	if h.BaseOffset != 12345 || h.PartitionLeaderEpoch != 7 || h.LastOffset() != 12347 {
		t.Fatalf("header %+v", h)
	}
	SetLogAppendTime(b, 99999)
	h, err = Validate(b)
	if err != nil || !h.IsLogAppendTime() || h.MaxTimestamp != 99999 || h.BaseTimestamp != 1000 {
		t.Fatalf("log append time: %v %+v", err, h)
	}
	SetMaxTimestamp(b, 5)
	if h, err = Validate(b); err != nil || h.MaxTimestamp != 5 {
		t.Fatalf("max timestamp: %v", err)
	}
}

func TestValidateErrors(t *testing.T) {
	good, _ := Build(testHeader(3), testRecords(3), CodecNone)
	mut := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"crc", mut(func(b []byte) { b[len(b)-1]++ }), kerr.CorruptMessage},
		{"magic 0", mut(func(b []byte) { b[MagicOffset] = 0 }), kerr.UnsupportedForMessageFormat},
		{"magic 7", mut(func(b []byte) { b[MagicOffset] = 7 }), kerr.CorruptMessage},
		{"length too small", mut(func(b []byte) { binary.BigEndian.PutUint32(b[8:], 3) }), kerr.CorruptMessage},
		{"length too big", mut(func(b []byte) { binary.BigEndian.PutUint32(b[8:], 1<<30) }), kerr.CorruptMessage},
		{"short", good[:30], kerr.CorruptMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NextBatch(tc.in)
			if err == nil {
				_, err = Validate(tc.in)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRecordStructureErrors(t *testing.T) {
	raw := EncodeRecords(nil, testRecords(3))
	tests := []struct {
		name  string
		count int32
		data  []byte
	}{
		{"count too high", 4, raw},
		{"count too low", 2, raw},
		{"truncated", 3, raw[:len(raw)-1]},
		{"garbage", 1, []byte{0x7f, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := BuildRaw(testHeader(int(tc.count)), tc.count, tc.data, CodecNone)
			h, err := Validate(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Records(&h, b); !errors.Is(err, kerr.CorruptMessage) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestIncrementSequence(t *testing.T) {
	tests := []struct{ seq, inc, want int32 }{
		{0, 4, 4},
		{math.MaxInt32, 0, math.MaxInt32},
		{math.MaxInt32, 1, 0},
		{math.MaxInt32 - 1, 3, 1},
	}
	for _, tc := range tests {
		if got := IncrementSequence(tc.seq, tc.inc); got != tc.want {
			t.Errorf("IncrementSequence(%d, %d) = %d, want %d", tc.seq, tc.inc, got, tc.want)
		}
	}
}

func TestDecompressionBomb(t *testing.T) {
	old := maxDecompressed
	maxDecompressed = 1 << 20
	defer func() { maxDecompressed = old }()
	big := make([]byte, maxDecompressed+10)
	for _, c := range []Codec{CodecGzip, CodecLZ4, CodecSnappy} {
		comp, err := Compress(c, big)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decompress(c, comp); !errors.Is(err, kerr.CorruptMessage) {
			t.Fatalf("%s: oversized output accepted: %v", c, err)
		}
	}
}
