package storage

import (
	"bytes"
	"testing"

	"github.com/odradek/odradek/internal/record"
)

var allCodecs = []record.Codec{record.CodecNone, record.CodecGzip, record.CodecSnappy, record.CodecLZ4, record.CodecZstd}

// TestCodecsStoredAsReceived: compressed batches are validated by
// decompressing them and stored byte for byte (offsets patched).
func TestCodecsStoredAsReceived(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	var want []byte
	for _, c := range allCodecs {
		s := plainBatch(20, nowMs())
		s.codec = c
		b := buildBatch(t, s)
		res := mustAppend(t, l, b)
		want = append(want, b...) // b was patched in place
		if res.LastOffset-res.FirstOffset != 19 {
			t.Fatalf("%s: offsets %d-%d", c, res.FirstOffset, res.LastOffset)
		}
	}
	res, err := l.Read(0, 1<<20, l.LogEndOffset(), false)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Records, want) {
		t.Fatalf("stored bytes differ from the batches received")
	}
	for i, h := range readAll(t, l, 0) {
		if h.Codec() != allCodecs[i] || h.BaseOffset != int64(20*i) {
			t.Fatalf("batch %d: %+v", i, h)
		}
	}
}

// TestRecompression: a topic compression.type other than the batch's codec
// recompresses the batch, keeping every record.
func TestRecompression(t *testing.T) {
	for _, target := range []string{"uncompressed", "gzip", "snappy", "lz4", "zstd"} {
		t.Run(target, func(t *testing.T) {
			e := newTestEnv(t)
			cfg := DefaultLogConfig()
			cfg.CompressionType = target
			l := e.log("t", 0, cfg)
			for _, c := range allCodecs {
				s := idemBatch(7, nowMs(), 3, 0, int32(7*int(c)))
				s.codec = c
				mustAppend(t, l, buildBatch(t, s))
			}
			want, _ := record.CodecByName(target)
			res, err := l.Read(0, 1<<20, l.LogEndOffset(), false)
			if err != nil {
				t.Fatal(err)
			}
			rest := res.Records
			for i := 0; len(rest) > 0; i++ {
				b, r, err := record.NextBatch(rest)
				if err != nil {
					t.Fatal(err)
				}
				rest = r
				h, err := record.Validate(b)
				if err != nil {
					t.Fatal(err)
				}
				if h.Codec() != want || h.ProducerID != 3 || h.BaseSequence != int32(7*i) || h.BaseOffset != int64(7*i) {
					t.Fatalf("batch %d header %+v", i, h)
				}
				recs, err := record.Records(&h, b)
				if err != nil || len(recs) != 7 || string(recs[6].Key) != "k6" {
					t.Fatalf("batch %d records: %v %d", i, err, len(recs))
				}
			}
		})
	}
}
