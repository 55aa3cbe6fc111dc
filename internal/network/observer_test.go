package network

import (
	"encoding/binary"
	"io"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

type recordingObserver chan RequestObservation

func (r recordingObserver) ObserveRequest(o RequestObservation) { r <- o }

func TestObserverSeesEveryRequest(t *testing.T) {
	obs := make(recordingObserver, 10)
	s, c := serveAndDial(t, Config{Observer: obs}, echoHandler{})

	md := kmsg.NewPtrMetadataRequest()
	md.SetVersion(12)
	av := kmsg.NewPtrApiVersionsRequest()
	av.SetVersion(9) // newer than served: answered in v0 (KIP-511)
	frames := [][]byte{encodeRequest(md, 1), encodeRequest(av, 2)}
	var sizes []int
	for _, f := range frames {
		if _, err := c.Write(f); err != nil {
			t.Fatal(err)
		}
		var sz [4]byte
		if _, err := io.ReadFull(c, sz[:]); err != nil {
			t.Fatal(err)
		}
		n := int(binary.BigEndian.Uint32(sz[:]))
		if _, err := io.ReadFull(c, make([]byte, n)); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, n+4)
	}

	if n := s.ConnectionCounts()["PLAINTEXT"]; n != 1 {
		t.Errorf("open connections on PLAINTEXT = %d, want 1", n)
	}

	tests := []struct {
		key, version int16
	}{{3, 12}, {18, 9}}
	for i, tc := range tests {
		o := <-obs
		if o.Listener != "PLAINTEXT" || o.APIKey != tc.key || o.APIVersion != tc.version || o.Failed {
			t.Errorf("observation %d = %+v, want listener PLAINTEXT key %d version %d, not failed", i, o, tc.key, tc.version)
		}
		if o.RequestBytes != len(frames[i]) || o.ResponseBytes != sizes[i] {
			t.Errorf("observation %d bytes in/out = %d/%d, want %d/%d", i, o.RequestBytes, o.ResponseBytes, len(frames[i]), sizes[i])
		}
		if o.Total < o.Queue || o.Total < o.Processing || o.Total < o.Send {
			t.Errorf("observation %d: total %v shorter than a phase (%+v)", i, o.Total, o)
		}
	}

	// An API the handler does not serve closes the connection: observed
	// as failed.
	ct := kmsg.NewPtrCreateTopicsRequest()
	ct.SetVersion(7)
	if _, err := c.Write(encodeRequest(ct, 3)); err != nil {
		t.Fatal(err)
	}
	if o := <-obs; o.APIKey != 19 || !o.Failed {
		t.Errorf("unserved CreateTopics observed as %+v, want failed", o)
	}
}
