package e2e

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/record"
)

// batch builds a v2 batch of n small records.
func batch(t *testing.T, n int, h record.Header, codec record.Codec) []byte {
	t.Helper()
	var recs []kmsg.Record
	for i := 0; i < n; i++ {
		r := kmsg.NewRecord()
		r.OffsetDelta = int32(i)
		r.Value = []byte("v")
		recs = append(recs, r)
	}
	h.LastOffsetDelta = int32(n - 1)
	if h.BaseTimestamp == 0 {
		h.BaseTimestamp = time.Now().UnixMilli()
		h.MaxTimestamp = h.BaseTimestamp
	}
	b, err := record.Build(h, recs, codec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func plainHeader() record.Header {
	return record.Header{ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, PartitionLeaderEpoch: -1}
}

// produceRaw sends one partition's records and returns its answer.
func produceRaw(t *testing.T, cl *kgo.Client, topic string, records []byte) kmsg.ProduceResponseTopicPartition {
	t.Helper()
	md, err := kadm.NewClient(cl).Metadata(ctxT(t), topic)
	if err != nil {
		t.Fatal(err)
	}
	req := kmsg.NewPtrProduceRequest()
	req.Acks = -1
	req.TimeoutMillis = 5000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rt.TopicID = md.Topics[topic].ID
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Records = records
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctxT(t), cl)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Topics[0].Partitions[0]
}

func TestProduceRejectsBadBatches(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "bad", 1, nil)
	cl := newClient(t, srv.Bootstrap)

	good := batch(t, 3, plainHeader(), record.CodecNone)
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)-1] ^= 0xff
	magic1 := append([]byte(nil), good...)
	magic1[16] = 1
	big := batch(t, 1, plainHeader(), record.CodecNone)
	{
		r := kmsg.NewRecord()
		r.Value = make([]byte, 1100000)
		var err error
		if big, err = record.Build(plainHeader(), []kmsg.Record{r}, record.CodecNone); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		records []byte
		want    *kerr.Error
	}{
		{"corrupt CRC", corrupt, kerr.CorruptMessage},
		{"magic 1", magic1, kerr.UnsupportedForMessageFormat},
		{"over max.message.bytes", big, kerr.MessageTooLarge},
		{"truncated", good[:len(good)-5], kerr.CorruptMessage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := produceRaw(t, cl, "bad", tc.records)
			if p.ErrorCode != tc.want.Code {
				t.Fatalf("error code %d (%v), want %s", p.ErrorCode, kerr.ErrorForCode(p.ErrorCode), tc.want.Message)
			}
		})
	}
	// Nothing bad was stored; a good batch still lands at offset 0.
	if p := produceRaw(t, cl, "bad", good); p.ErrorCode != 0 || p.BaseOffset != 0 {
		t.Fatalf("good batch after bad ones: code %d offset %d", p.ErrorCode, p.BaseOffset)
	}
	if p := produceRaw(t, cl, "no-such-topic-and-no-autocreate-here", good); p.ErrorCode != kerr.UnknownTopicID.Code {
		t.Fatalf("unknown topic: code %d", p.ErrorCode)
	}
}

func TestIdempotentProducerSequences(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "idem", 1, nil)
	cl := newClient(t, srv.Bootstrap)
	init := kmsg.NewPtrInitProducerIDRequest()
	ir, err := init.RequestWith(ctxT(t), cl)
	if err != nil || ir.ErrorCode != 0 {
		t.Fatalf("InitProducerId: %v code %d", err, ir.ErrorCode)
	}
	h := plainHeader()
	h.ProducerID, h.ProducerEpoch = ir.ProducerID, ir.ProducerEpoch
	h.BaseSequence = 0
	first := batch(t, 5, h, record.CodecNone)
	if p := produceRaw(t, cl, "idem", first); p.ErrorCode != 0 || p.BaseOffset != 0 {
		t.Fatalf("first batch: code %d offset %d", p.ErrorCode, p.BaseOffset)
	}
	h.BaseSequence = 5
	second := batch(t, 5, h, record.CodecNone)
	if p := produceRaw(t, cl, "idem", second); p.ErrorCode != 0 || p.BaseOffset != 5 {
		t.Fatalf("second batch: code %d offset %d", p.ErrorCode, p.BaseOffset)
	}
	// A retried duplicate gets its original offset and is not stored twice.
	dup := batch(t, 5, h, record.CodecNone)
	if p := produceRaw(t, cl, "idem", dup); p.ErrorCode != 0 || p.BaseOffset != 5 {
		t.Fatalf("duplicate: code %d offset %d, want original offset 5", p.ErrorCode, p.BaseOffset)
	}
	h.BaseSequence = 20
	if p := produceRaw(t, cl, "idem", batch(t, 1, h, record.CodecNone)); p.ErrorCode != kerr.OutOfOrderSequenceNumber.Code {
		t.Fatalf("gap: code %d, want OUT_OF_ORDER_SEQUENCE_NUMBER", p.ErrorCode)
	}
	h.BaseSequence, h.ProducerEpoch = 10, ir.ProducerEpoch+1
	if p := produceRaw(t, cl, "idem", batch(t, 1, h, record.CodecNone)); p.ErrorCode != kerr.OutOfOrderSequenceNumber.Code {
		t.Fatalf("new epoch not starting at sequence 0: code %d, want OUT_OF_ORDER_SEQUENCE_NUMBER", p.ErrorCode)
	}
	h.BaseSequence = 0
	if p := produceRaw(t, cl, "idem", batch(t, 1, h, record.CodecNone)); p.ErrorCode != 0 || p.BaseOffset != 10 {
		t.Fatalf("new epoch from sequence 0: code %d offset %d", p.ErrorCode, p.BaseOffset)
	}
	h.BaseSequence, h.ProducerEpoch = 0, ir.ProducerEpoch
	if p := produceRaw(t, cl, "idem", batch(t, 1, h, record.CodecNone)); p.ErrorCode != kerr.InvalidProducerEpoch.Code {
		t.Fatalf("stale epoch: code %d, want INVALID_PRODUCER_EPOCH", p.ErrorCode)
	}
	end, err := adm.ListEndOffsets(ctxT(t), "idem")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := end.Lookup("idem", 0); o.Offset != 11 {
		t.Fatalf("log end offset %d, want 11 (duplicate and rejected batches not stored)", o.Offset)
	}
}

func TestTransactionalIDRefusedClearly(t *testing.T) {
	srv := startServer(t)
	cl := newClient(t, srv.Bootstrap)
	req := kmsg.NewPtrInitProducerIDRequest()
	req.TransactionalID = kmsg.StringPtr("txn-1")
	// Straight to the broker: a client would first look for a transaction
	// coordinator, which this broker does not advertise.
	resp, err := req.RequestWith(ctxT(t), cl.Broker(1))
	if err != nil {
		t.Fatal(err)
	}
	if resp.ErrorCode == 0 || kerr.IsRetriable(kerr.ErrorForCode(resp.ErrorCode)) {
		t.Fatalf("transactional InitProducerId: code %d, want a non-retriable error", resp.ErrorCode)
	}
}

func TestInvalidTopicNames(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	for _, name := range []string{"bad name", "..", strings.Repeat("x", 250), "a/b"} {
		resp, err := adm.CreateTopics(ctxT(t), 1, 1, nil, name)
		if err != nil {
			t.Fatal(err)
		}
		if !errors.Is(resp[name].Err, kerr.InvalidTopicException) {
			t.Fatalf("create %q: %v, want INVALID_TOPIC_EXCEPTION", name, resp[name].Err)
		}
	}
}

// rawConn speaks the wire protocol directly for framing tests.
func rawConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

func frame(key, version int16, corr int32, body []byte) []byte {
	b := make([]byte, 4, 64+len(body))
	b = binary.BigEndian.AppendUint16(b, uint16(key))
	b = binary.BigEndian.AppendUint16(b, uint16(version))
	b = binary.BigEndian.AppendUint32(b, uint32(corr))
	b = binary.BigEndian.AppendUint16(b, 4)
	b = append(b, "test"...)
	b = append(b, body...)
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

func readFrame(t *testing.T, c net.Conn) []byte {
	t.Helper()
	var sz [4]byte
	if _, err := io.ReadFull(c, sz[:]); err != nil {
		t.Fatalf("reading response size: %v", err)
	}
	b := make([]byte, binary.BigEndian.Uint32(sz[:]))
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("reading response: %v", err)
	}
	return b
}

func TestApiVersionsFallbackForTooNewVersion(t *testing.T) {
	srv := startServer(t)
	c := rawConn(t, srv.Bootstrap)
	c.Write(frame(18, 99, 7, nil))
	b := readFrame(t, c)
	if corr := int32(binary.BigEndian.Uint32(b)); corr != 7 {
		t.Fatalf("correlation id %d", corr)
	}
	resp := kmsg.NewPtrApiVersionsResponse()
	resp.Version = 0
	if err := resp.ReadFrom(b[4:]); err != nil {
		t.Fatal(err)
	}
	if resp.ErrorCode != kerr.UnsupportedVersion.Code || len(resp.ApiKeys) == 0 {
		t.Fatalf("code %d with %d keys, want UNSUPPORTED_VERSION and the list", resp.ErrorCode, len(resp.ApiKeys))
	}
}

func TestBadFramesCloseOnlyThatConnection(t *testing.T) {
	srv := startServer(t)
	cl := newClient(t, srv.Bootstrap)
	healthy := func() {
		t.Helper()
		if _, err := kmsg.NewPtrMetadataRequest().RequestWith(ctxT(t), cl); err != nil {
			t.Fatalf("healthy connection broke: %v", err)
		}
	}
	healthy()
	cases := map[string][]byte{
		"over socket.request.max.bytes": {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0},
		"negative size":                 {0xff, 0xff, 0xff, 0xfe},
		"garbage header":                {0, 0, 0, 3, 1, 2, 3},
		"unknown api key":               frame(9999, 0, 1, nil),
		"truncated body":                frame(3, 12, 1, []byte{0, 0}),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			c := rawConn(t, srv.Bootstrap)
			c.Write(data)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			var one [1]byte
			if _, err := c.Read(one[:]); err == nil {
				t.Fatalf("connection stayed open and answered")
			} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("connection was not closed")
			}
			healthy()
		})
	}
}

// TestRemovedVersionsAnswerUnsupported sends versions KIP-896 removed.
func TestRemovedVersionsAnswerUnsupported(t *testing.T) {
	srv := startServer(t)
	c := rawConn(t, srv.Bootstrap)
	for i, req := range []kmsg.Request{
		func() kmsg.Request {
			r := kmsg.NewPtrProduceRequest()
			r.Version, r.Acks, r.TimeoutMillis = 2, 1, 1000
			rt := kmsg.NewProduceRequestTopic()
			rt.Topic = "x"
			rp := kmsg.NewProduceRequestTopicPartition()
			rt.Partitions = append(rt.Partitions, rp)
			r.Topics = append(r.Topics, rt)
			return r
		}(),
		func() kmsg.Request {
			r := kmsg.NewPtrListOffsetsRequest()
			r.Version = 0
			rt := kmsg.NewListOffsetsRequestTopic()
			rt.Topic = "x"
			rt.Partitions = append(rt.Partitions, kmsg.NewListOffsetsRequestTopicPartition())
			r.Topics = append(r.Topics, rt)
			return r
		}(),
	} {
		c.Write(frame(req.Key(), req.GetVersion(), int32(i), req.AppendTo(nil)))
		b := readFrame(t, c)
		resp := req.ResponseKind()
		resp.SetVersion(req.GetVersion())
		if err := resp.ReadFrom(b[4:]); err != nil {
			t.Fatal(err)
		}
		var code int16
		switch r := resp.(type) {
		case *kmsg.ProduceResponse:
			code = r.Topics[0].Partitions[0].ErrorCode
		case *kmsg.ListOffsetsResponse:
			code = r.Topics[0].Partitions[0].ErrorCode
		}
		if code != kerr.UnsupportedVersion.Code {
			t.Fatalf("%s v%d: code %d, want UNSUPPORTED_VERSION", kmsg.NameForKey(req.Key()), req.GetVersion(), code)
		}
	}
}

// TestFindCoordinatorRefusesClearly: without a transaction coordinator, a
// transactional id gets a non-retriable error with a message.
func TestFindCoordinatorRefusesClearly(t *testing.T) {
	srv := startServer(t)
	req := kmsg.NewPtrFindCoordinatorRequest()
	req.CoordinatorType = 1
	req.CoordinatorKeys = []string{"txn-1"}
	resp, err := req.RequestWith(ctxT(t), newClient(t, srv.Bootstrap).Broker(1))
	if err != nil {
		t.Fatal(err)
	}
	c := resp.Coordinators[0]
	if c.ErrorCode == 0 || kerr.IsRetriable(kerr.ErrorForCode(c.ErrorCode)) || c.ErrorMessage == nil {
		t.Fatalf("FindCoordinator: code %d message %v, want a non-retriable error with a message", c.ErrorCode, c.ErrorMessage)
	}
}
