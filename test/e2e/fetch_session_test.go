package e2e

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TestIncrementalFetchSessions drives KIP-227 sessions by hand: a full
// fetch opens a session, incremental fetches carry only news, and a wrong
// epoch or unknown session id is refused.
func TestIncrementalFetchSessions(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "fs", 2, nil)
	produceN(t, srv.Bootstrap, "fs", 3, nil) // all to partition 0 (manual partitioner)
	md, err := adm.Metadata(ctxT(t), "fs")
	if err != nil {
		t.Fatal(err)
	}
	id := md.Topics["fs"].ID
	br := newClient(t, srv.Bootstrap).Broker(1)

	fetch := func(sessionID, epoch int32, parts map[int32]int64) *kmsg.FetchResponse {
		t.Helper()
		req := kmsg.NewPtrFetchRequest()
		req.ReplicaID = -1
		req.MaxBytes = 1 << 20
		req.SessionID, req.SessionEpoch = sessionID, epoch
		if len(parts) > 0 {
			rt := kmsg.NewFetchRequestTopic()
			rt.TopicID = id
			for p, off := range parts {
				rp := kmsg.NewFetchRequestTopicPartition()
				rp.Partition, rp.FetchOffset, rp.PartitionMaxBytes, rp.CurrentLeaderEpoch = p, off, 1<<20, -1
				rt.Partitions = append(rt.Partitions, rp)
			}
			req.Topics = append(req.Topics, rt)
		}
		resp, err := req.RequestWith(ctxT(t), br)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	count := func(r *kmsg.FetchResponse) int {
		n := 0
		for _, t := range r.Topics {
			n += len(t.Partitions)
		}
		return n
	}

	full := fetch(0, 0, map[int32]int64{0: 0, 1: 0})
	if full.ErrorCode != 0 || full.SessionID == 0 || count(full) != 2 {
		t.Fatalf("full fetch: code %d session %d partitions %d", full.ErrorCode, full.SessionID, count(full))
	}
	sid := full.SessionID
	// Nothing changed since: an incremental fetch returns no partitions.
	inc := fetch(sid, 1, map[int32]int64{0: 3})
	if inc.ErrorCode != 0 || count(inc) != 0 {
		t.Fatalf("incremental without news: code %d partitions %d", inc.ErrorCode, count(inc))
	}
	produceN(t, srv.Bootstrap, "fs", 1, nil)
	inc = fetch(sid, 2, nil)
	if inc.ErrorCode != 0 || count(inc) != 1 || len(inc.Topics[0].Partitions[0].RecordBatches) == 0 {
		t.Fatalf("incremental with news: code %d partitions %d", inc.ErrorCode, count(inc))
	}
	if r := fetch(sid, 7, nil); r.ErrorCode != kerr.InvalidFetchSessionEpoch.Code {
		t.Fatalf("wrong epoch: code %d", r.ErrorCode)
	}
	if r := fetch(sid+100, 1, nil); r.ErrorCode != kerr.FetchSessionIDNotFound.Code {
		t.Fatalf("unknown session: code %d", r.ErrorCode)
	}
	if r := fetch(0, 5, nil); r.ErrorCode != kerr.InvalidFetchSessionEpoch.Code {
		t.Fatalf("epoch without session: code %d", r.ErrorCode)
	}
	// Restarting with the old id and epoch 0 opens a fresh session.
	restart := fetch(sid, 0, map[int32]int64{0: 0, 1: 0})
	if restart.ErrorCode != 0 || restart.SessionID == 0 || count(restart) != 2 {
		t.Fatalf("session restart: code %d session %d partitions %d", restart.ErrorCode, restart.SessionID, count(restart))
	}
	if r := fetch(sid, 3, nil); sid != restart.SessionID && r.ErrorCode != kerr.FetchSessionIDNotFound.Code {
		t.Fatalf("old session after restart: code %d", r.ErrorCode)
	}
	sid = restart.SessionID
	// Closing the session (epoch -1) fetches sessionless.
	if r := fetch(sid, -1, map[int32]int64{0: 0}); r.ErrorCode != 0 || r.SessionID != 0 || count(r) != 1 {
		t.Fatalf("close session: code %d session %d", r.ErrorCode, r.SessionID)
	}
}
