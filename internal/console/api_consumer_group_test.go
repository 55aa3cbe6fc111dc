package console_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// A KIP-848 group is described with ConsumerGroupDescribe: its type,
// assignor and members' assignments show, and a reset is refused while it
// has members.
func TestConsumerProtocolGroupAPI(t *testing.T) {
	e := newEnv(t, "group.consumer.min.heartbeat.interval.ms=100", "group.consumer.heartbeat.interval.ms=200")
	e.createTopic(t, "stream", 2)
	member, err := kgo.NewClient(kgo.SeedBrokers(e.srv.Bootstrap), kgo.ConsumerGroup("kip848"), kgo.ConsumeTopics("stream"),
		kgo.Balancers(kgo.RangeBalancer()), kgo.ServerSideBalancer())
	if err != nil {
		t.Fatal(err)
	}
	defer member.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var g groupDetail
	for g.State != "Stable" || len(g.MemberList) != 1 || len(g.MemberList[0].Assignment) != 1 || len(g.MemberList[0].Assignment[0].Partitions) != 2 {
		poll, cancelPoll := context.WithTimeout(ctx, 250*time.Millisecond)
		member.PollRecords(poll, 1)
		cancelPoll()
		if ctx.Err() != nil {
			t.Fatalf("the consumer group never settled (last %+v)", g)
		}
		if code, _ := e.call(t, "GET", "/api/groups/kip848", nil, &g); code == http.StatusNotFound {
			continue
		}
	}
	if g.Type != "consumer" {
		t.Fatalf("type %q, want consumer", g.Type)
	}
	var list struct{ Groups []groupRow }
	e.mustOK(t, "GET", "/api/groups", nil, &list)
	if len(list.Groups) != 1 || list.Groups[0].Type != "consumer" || list.Groups[0].Members != 1 {
		t.Fatalf("list: %+v", list.Groups)
	}
	e.wantError(t, "POST", "/api/groups/kip848/reset-offsets", map[string]any{"strategy": "latest"}, http.StatusConflict, "",
		"Assignments can only be reset if the group 'kip848' is inactive, but the current state is Stable.")
}

// Group ids may hold any character; the UI escapes them in the path.
func TestGroupIDWithSlash(t *testing.T) {
	e := newEnv(t)
	e.createTopic(t, "t", 1)
	offsets := kadm.Offsets{}
	offsets.Add(kadm.Offset{Topic: "t", Partition: 0, At: 0, LeaderEpoch: -1})
	e.commit(t, "team/app 1", offsets)
	var g groupDetail
	e.mustOK(t, "GET", "/api/groups/team%2Fapp%201", nil, &g)
	if g.ID != "team/app 1" || len(g.Offsets) != 1 {
		t.Fatalf("group: %+v", g)
	}
	e.wantError(t, "GET", "/api/groups/team%2Fother", nil, http.StatusNotFound, "", "team/other")
}
