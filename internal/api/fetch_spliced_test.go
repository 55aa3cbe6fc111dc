package api

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/storage"
)

// The spliced encoding with each payload inserted is byte for byte what
// kmsg encodes with the records in place, in every Fetch version served.
func TestFetchResponseSplicedMatchesEncoding(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seg.log")
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ranges := [][2]int64{{0, 100}, {0, 0}, {7, 40000}, {50000, 1}, {3, 200}}
	for v := int16(4); v <= 18; v++ {
		resp := &fetchResponse{FetchResponse: kmsg.NewPtrFetchResponse()}
		want := kmsg.NewPtrFetchResponse()
		resp.Version, want.Version = v, v
		for ti, name := range []string{"a", "topic-b"} {
			rt, wt := kmsg.NewFetchResponseTopic(), kmsg.NewFetchResponseTopic()
			rt.Topic, wt.Topic = name, name
			rt.TopicID[0], wt.TopicID[0] = byte(ti+1), byte(ti+1)
			for pi, r := range ranges {
				rp, wp := kmsg.NewFetchResponseTopicPartition(), kmsg.NewFetchResponseTopicPartition()
				rp.Partition, wp.Partition = int32(pi), int32(pi)
				rp.HighWatermark, wp.HighWatermark = 1000, 1000
				sl := storage.FileSlice{}
				if r[1] > 0 {
					sl = storage.FileSlice{File: f, Position: r[0], Size: r[1]}
				}
				resp.addSlice(&rp, sl)
				wp.RecordBatches = append([]byte{}, data[r[0]:r[0]+r[1]]...)
				rt.Partitions, wt.Partitions = append(rt.Partitions, rp), append(wt.Partitions, wp)
			}
			resp.Topics, want.Topics = append(resp.Topics, rt), append(want.Topics, wt)
		}
		wantBytes := want.AppendTo([]byte("hdr"))

		enc, splices := resp.AppendSpliced([]byte("hdr"))
		if len(splices) != 8 {
			t.Fatalf("v%d: %d splices, want 8", v, len(splices))
		}
		var got bytes.Buffer
		prev := 0
		for _, s := range splices {
			got.Write(enc[prev:s.At])
			if _, err := s.Payload.WriteTo(&got); err != nil {
				t.Fatal(err)
			}
			prev = s.At
		}
		got.Write(enc[prev:])
		if !bytes.Equal(got.Bytes(), wantBytes) {
			t.Fatalf("v%d: spliced encoding differs from kmsg's (%d vs %d bytes)", v, got.Len(), len(wantBytes))
		}
		// Writers that cannot splice get the same bytes.
		copied := &fetchResponse{FetchResponse: resp.FetchResponse, slices: resp.slices}
		if !bytes.Equal(copied.AppendTo([]byte("hdr")), wantBytes) {
			t.Fatalf("v%d: copied encoding differs from kmsg's", v)
		}
		resp.Release()
	}
}

// A marker-like byte run elsewhere in the response makes the encoder fall
// back to copying rather than cut in the wrong place.
func TestFetchResponseSplicedFallsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seg.log")
	if err := os.WriteFile(path, []byte("records!"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	resp := &fetchResponse{FetchResponse: kmsg.NewPtrFetchResponse()}
	resp.Version = 12
	rt := kmsg.NewFetchResponseTopic()
	rt.Topic = string(spliceMarker) // not a legal name, but it must not confuse the cut
	rp := kmsg.NewFetchResponseTopicPartition()
	resp.addSlice(&rp, storage.FileSlice{File: f, Size: 8})
	rt.Partitions = append(rt.Partitions, rp)
	resp.Topics = append(resp.Topics, rt)
	enc, splices := resp.AppendSpliced(nil)
	if len(splices) != 0 {
		t.Fatalf("%d splices, want the copied fallback", len(splices))
	}
	var back kmsg.FetchResponse
	back.Version = 12
	if err := back.ReadFrom(enc); err != nil {
		t.Fatal(err)
	}
	if got := string(back.Topics[0].Partitions[0].RecordBatches); got != "records!" {
		t.Fatalf("records %q", got)
	}
}
