package console_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

type groupRow struct {
	ID      string `json:"id"`
	State   string `json:"state"`
	Type    string `json:"type"`
	Members int    `json:"members"`
	Topics  int    `json:"topics"`
	Lag     *int64 `json:"lag"`
}

type groupDetail struct {
	groupRow
	MemberList []struct {
		MemberID   string `json:"memberId"`
		ClientID   string `json:"clientId"`
		Assignment []struct {
			Topic      string  `json:"topic"`
			Partitions []int32 `json:"partitions"`
		} `json:"assignment"`
	} `json:"memberList"`
	Offsets []struct {
		Topic     string `json:"topic"`
		Partition int32  `json:"partition"`
		Committed int64  `json:"committed"`
		End       int64  `json:"endOffset"`
		Lag       *int64 `json:"lag"`
		LagMs     *int64 `json:"lagMs"`
	} `json:"offsets"`
}

type resetAnswer struct {
	Executed bool `json:"executed"`
	Plan     []struct {
		Topic     string `json:"topic"`
		Partition int32  `json:"partition"`
		Current   *int64 `json:"current"`
		Target    int64  `json:"target"`
	} `json:"plan"`
}

func (r resetAnswer) targets() map[int32]int64 {
	out := map[int32]int64{}
	for _, p := range r.Plan {
		out[p.Partition] = p.Target
	}
	return out
}

func TestGroupsAPI(t *testing.T) {
	e := newEnv(t)
	e.createTopic(t, "payments", 2)
	old := time.Now().Add(-time.Hour)
	var recs []*kgo.Record
	for i := range 10 {
		recs = append(recs, &kgo.Record{Topic: "payments", Partition: int32(i % 2), Timestamp: old.Add(time.Duration(i) * time.Second), Value: []byte("p")})
	}
	manual, err := kgo.NewClient(kgo.SeedBrokers(e.srv.Bootstrap), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer manual.Close()
	if err := manual.ProduceSync(t.Context(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	// Partition 0 holds offsets 0-4, partition 1 the same; the group has
	// consumed 2 of partition 0 and all of partition 1.
	offsets := kadm.Offsets{}
	offsets.Add(kadm.Offset{Topic: "payments", Partition: 0, At: 2, LeaderEpoch: -1})
	offsets.Add(kadm.Offset{Topic: "payments", Partition: 1, At: 5, LeaderEpoch: -1})
	e.commit(t, "billing", offsets)

	committed := func(t *testing.T) map[int32]int64 {
		t.Helper()
		resp, err := e.adm.FetchOffsets(t.Context(), "billing")
		if err != nil {
			t.Fatal(err)
		}
		out := map[int32]int64{}
		resp.Each(func(o kadm.OffsetResponse) { out[o.Partition] = o.At })
		return out
	}

	t.Run("list", func(t *testing.T) {
		var list struct{ Groups []groupRow }
		e.mustOK(t, "GET", "/api/groups", nil, &list)
		if len(list.Groups) != 1 {
			t.Fatalf("groups: %+v", list.Groups)
		}
		g := list.Groups[0]
		if g.ID != "billing" || g.State != "Empty" || g.Type != "classic" || g.Members != 0 || g.Topics != 1 || g.Lag == nil || *g.Lag != 3 {
			t.Fatalf("group row: %+v lag=%v", g, g.Lag)
		}
	})

	t.Run("detail with lag in records and time", func(t *testing.T) {
		var g groupDetail
		before := time.Now()
		e.mustOK(t, "GET", "/api/groups/billing", nil, &g)
		after := time.Now()
		if len(g.Offsets) != 2 || *g.Lag != 3 {
			t.Fatalf("detail: %+v", g)
		}
		p0, p1 := g.Offsets[0], g.Offsets[1]
		if p0.Committed != 2 || p0.End != 5 || *p0.Lag != 3 || p0.LagMs == nil {
			t.Fatalf("partition 0: %+v", p0)
		}
		// The first unconsumed record of partition 0 is offset 2, the
		// third record produced there (4s after the first of the topic):
		// its age, taken while the call ran.
		ts := old.Add(4 * time.Second).UnixMilli()
		if lo, hi := before.UnixMilli()-ts, after.UnixMilli()-ts; *p0.LagMs < lo || *p0.LagMs > hi {
			t.Fatalf("partition 0 lag time %dms, want between %d and %d", *p0.LagMs, lo, hi)
		}
		if *p1.Lag != 0 || p1.LagMs == nil || *p1.LagMs != 0 {
			t.Fatalf("partition 1: %+v", p1)
		}
		e.wantError(t, "GET", "/api/groups/nobody", nil, http.StatusNotFound, "", "GROUP_ID_NOT_FOUND")
	})

	t.Run("reset dry run then execute", func(t *testing.T) {
		var r resetAnswer
		e.mustOK(t, "POST", "/api/groups/billing/reset-offsets", map[string]any{"strategy": "earliest"}, &r)
		if r.Executed || len(r.Plan) != 2 || r.targets()[0] != 0 || r.targets()[1] != 0 || *r.Plan[0].Current != 2 {
			t.Fatalf("dry run: %+v", r)
		}
		if got := committed(t); got[0] != 2 || got[1] != 5 {
			t.Fatalf("a dry run changed the offsets: %v", got)
		}
		e.mustOK(t, "POST", "/api/groups/billing/reset-offsets", map[string]any{"strategy": "earliest", "execute": true}, &r)
		if !r.Executed {
			t.Fatalf("execute: %+v", r)
		}
		if got := committed(t); got[0] != 0 || got[1] != 0 {
			t.Fatalf("offsets after reset: %v", got)
		}
	})

	t.Run("strategies", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			body map[string]any
			want map[int32]int64
		}{
			{"latest", map[string]any{"strategy": "latest"}, map[int32]int64{0: 5, 1: 5}},
			{"offset clamped", map[string]any{"strategy": "offset", "offset": 99}, map[int32]int64{0: 5, 1: 5}},
			{"offset", map[string]any{"strategy": "offset", "offset": 3, "topic": "payments", "partitions": []int{1}}, map[int32]int64{1: 3}},
			{"shift back", map[string]any{"strategy": "shift", "shift": -1}, map[int32]int64{0: 4, 1: 2}},
			{"shift clamped", map[string]any{"strategy": "shift", "shift": -10}, map[int32]int64{0: 0, 1: 0}},
			{"datetime", map[string]any{"strategy": "datetime", "datetime": old.Add(4 * time.Second).UTC().Format(time.RFC3339Nano)}, map[int32]int64{0: 2, 1: 2}},
			{"datetime after all", map[string]any{"strategy": "datetime", "datetime": "4102444800000"}, map[int32]int64{0: 5, 1: 5}},
		} {
			var r resetAnswer
			e.mustOK(t, "POST", "/api/groups/billing/reset-offsets", map[string]any{"strategy": "latest", "execute": true}, nil)
			if tc.name == "shift back" || tc.name == "shift clamped" || tc.name == "offset" {
				e.mustOK(t, "POST", "/api/groups/billing/reset-offsets", map[string]any{"strategy": "offset", "offset": 3, "topic": "payments", "partitions": []int{1}, "execute": true}, nil)
			}
			e.mustOK(t, "POST", "/api/groups/billing/reset-offsets", tc.body, &r)
			if got := r.targets(); len(got) != len(tc.want) || func() bool {
				for p, o := range tc.want {
					if got[p] != o {
						return true
					}
				}
				return false
			}() {
				t.Errorf("%s: plan %v, want %v", tc.name, got, tc.want)
			}
		}
	})

	t.Run("reset refused", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			body   map[string]any
			status int
			field  string
			msg    string
		}{
			{"no strategy", map[string]any{}, 400, "strategy", "required"},
			{"bad strategy", map[string]any{"strategy": "yesterday"}, 400, "strategy", "want earliest"},
			{"offset missing", map[string]any{"strategy": "offset"}, 400, "offset", "required"},
			{"shift missing", map[string]any{"strategy": "shift"}, 400, "shift", "required"},
			{"bad datetime", map[string]any{"strategy": "datetime", "datetime": "noon"}, 400, "datetime", "RFC 3339"},
			{"offset not a number", map[string]any{"strategy": "offset", "offset": "3"}, 400, "offset", "whole number"},
			{"unknown topic", map[string]any{"strategy": "earliest", "topic": "nope"}, 404, "topic", "nope"},
			{"bad partition", map[string]any{"strategy": "earliest", "topic": "payments", "partitions": []int{5}}, 400, "partitions", "partitions 0 to 1"},
			{"partitions without topic", map[string]any{"strategy": "earliest", "partitions": []int{0}}, 400, "partitions", "need a topic"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.wantError(t, "POST", "/api/groups/billing/reset-offsets", tc.body, tc.status, tc.field, tc.msg)
			})
		}
	})

	t.Run("reset refused while the group has members", func(t *testing.T) {
		member, err := kgo.NewClient(kgo.SeedBrokers(e.srv.Bootstrap), kgo.ConsumerGroup("billing"), kgo.ConsumeTopics("payments"))
		if err != nil {
			t.Fatal(err)
		}
		defer member.Close()
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		var g groupDetail
		for g.State != "Stable" {
			// Polling drives the join; records are not needed, so each
			// poll is short.
			poll, cancelPoll := context.WithTimeout(ctx, 250*time.Millisecond)
			member.PollRecords(poll, 1)
			cancelPoll()
			if ctx.Err() != nil {
				t.Fatalf("group never became Stable (last %+v)", g)
			}
			e.mustOK(t, "GET", "/api/groups/billing", nil, &g)
		}
		if len(g.MemberList) != 1 || len(g.MemberList[0].Assignment) != 1 || len(g.MemberList[0].Assignment[0].Partitions) != 2 {
			t.Fatalf("members: %+v", g.MemberList)
		}
		e.wantError(t, "POST", "/api/groups/billing/reset-offsets", map[string]any{"strategy": "earliest"}, http.StatusConflict, "",
			"Assignments can only be reset if the group 'billing' is inactive, but the current state is Stable.")
	})
}
