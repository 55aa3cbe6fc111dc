package api

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/network"
	"github.com/odradek/odradek/internal/storage"
)

// fetchResponse is a Fetch response whose record batches stay in their
// segment files until the connection writes them (sendfile(2) on plain
// TCP), as Kafka sends them: no copy through user space and no buffer the
// size of the response.
type fetchResponse struct {
	*kmsg.FetchResponse
	// slices, in the order their partitions are encoded; each of those
	// partitions carries spliceMarker as its RecordBatches.
	slices []storage.FileSlice
}

// spliceMarker stands in for record batches while kmsg encodes the rest of
// the response; the encoding is then cut at each marker. It starts with
// bytes no topic name can hold and is random per process, so it cannot
// occur in the other fields by chance; still, the markers are counted and
// every cut is checked against the length prefix kmsg wrote, and any
// mismatch falls back to copying.
var spliceMarker = func() []byte {
	m := make([]byte, 16)
	rand.Read(m[2:])
	m[0], m[1] = 0xff, 0x00
	return m
}()

// addSlice hands a partition's records to the response.
func (r *fetchResponse) addSlice(rp *kmsg.FetchResponseTopicPartition, s storage.FileSlice) {
	if s.File == nil {
		rp.RecordBatches = []byte{}
		return
	}
	rp.RecordBatches = spliceMarker
	r.slices = append(r.slices, s)
}

// AppendSpliced implements network.SplicedResponse.
func (r *fetchResponse) AppendSpliced(dst []byte) ([]byte, []network.Splice) {
	if len(r.slices) == 0 {
		return r.FetchResponse.AppendTo(dst), nil
	}
	enc := r.FetchResponse.AppendTo(nil)
	if bytes.Count(enc, spliceMarker) != len(r.slices) {
		return r.appendCopied(dst), nil
	}
	splices := make([]network.Splice, 0, len(r.slices))
	// The length kmsg wrote before each marker, to check every cut.
	prefix := r.lengthPrefix(nil, int64(len(spliceMarker)))
	out := dst
	pos := 0
	for i := range r.slices {
		s := &r.slices[i]
		at := bytes.Index(enc[pos:], spliceMarker)
		if at < 0 {
			return r.appendCopied(dst), nil
		}
		at += pos
		start := at - len(prefix)
		if start < pos || !bytes.Equal(enc[start:at], prefix) {
			return r.appendCopied(dst), nil
		}
		out = append(out, enc[pos:start]...)
		out = r.lengthPrefix(out, s.Size)
		splices = append(splices, network.Splice{At: len(out), Payload: s})
		pos = at + len(spliceMarker)
	}
	return append(out, enc[pos:]...), splices
}

// lengthPrefix appends the length of the records field as this version
// encodes it: compact (uvarint of length+1) when flexible, int32 before.
func (r *fetchResponse) lengthPrefix(b []byte, n int64) []byte {
	if r.IsFlexible() {
		return binary.AppendUvarint(b, uint64(n)+1)
	}
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

// appendCopied encodes with the records read into memory.
func (r *fetchResponse) appendCopied(dst []byte) []byte {
	next := 0
	for ti := range r.Topics {
		for pi := range r.Topics[ti].Partitions {
			rp := &r.Topics[ti].Partitions[pi]
			if next >= len(r.slices) || !bytes.Equal(rp.RecordBatches, spliceMarker) {
				continue
			}
			var buf bytes.Buffer
			s := &r.slices[next]
			if _, err := s.WriteTo(&buf); err != nil {
				// The frame would promise bytes that cannot be read;
				// an empty record set makes the client fetch again.
				buf.Reset()
			}
			rp.RecordBatches = buf.Bytes()
			next++
		}
	}
	r.releaseSlices()
	return r.FetchResponse.AppendTo(dst)
}

// AppendTo encodes the whole response with the records copied in, for
// writers that cannot splice.
func (r *fetchResponse) AppendTo(dst []byte) []byte { return r.appendCopied(dst) }

// Release implements network.SplicedResponse.
func (r *fetchResponse) Release() { r.releaseSlices() }

func (r *fetchResponse) releaseSlices() {
	for i := range r.slices {
		r.slices[i].Release()
	}
	r.slices = nil
}

var _ network.SplicedResponse = (*fetchResponse)(nil)
var _ network.Payload = (*storage.FileSlice)(nil)
