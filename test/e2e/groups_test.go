package e2e

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/testserver"
)

var kerrUnknownTP = kerr.UnknownTopicOrPartition.Error()

// consumeGroup consumes n records as a member of group and commits them.
func consumeGroup(t *testing.T, bootstrap, group, topic string, n int, opts ...kgo.Opt) map[int32]int64 {
	t.Helper()
	cl := newClient(t, bootstrap, append([]kgo.Opt{kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, opts...)...)
	next := map[int32]int64{}
	got := 0
	ctx := ctxT(t)
	for got < n {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records: %v", got, n, err)
		}
		fs.EachError(func(topic string, p int32, err error) { t.Fatalf("fetch %s-%d: %v", topic, p, err) })
		fs.EachRecord(func(r *kgo.Record) {
			got++
			next[r.Partition] = r.Offset + 1
		})
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	cl.Close()
	return next
}

func committed(t *testing.T, bootstrap, group string) map[int32]int64 {
	t.Helper()
	resp, err := newAdmin(t, bootstrap).FetchOffsets(ctxT(t), group)
	if err != nil {
		t.Fatalf("fetch offsets: %v", err)
	}
	if err := resp.Error(); err != nil {
		t.Fatalf("fetch offsets: %v", err)
	}
	out := map[int32]int64{}
	resp.Each(func(o kadm.OffsetResponse) { out[o.Partition] = o.At })
	return out
}

func sameOffsets(t *testing.T, what string, got, want map[int32]int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: committed %v, want %v", what, got, want)
	}
}

func TestGroupConsumeCommitRestart(t *testing.T) {
	srv := startServer(t, "group.initial.rebalance.delay.ms=0")
	dir := srv.DataDir
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "orders", 4, nil)
	produceN(t, srv.Bootstrap, "orders", 200, nil)

	want := consumeGroup(t, srv.Bootstrap, "billing", "orders", 200, kgo.Balancers(kgo.RangeBalancer()))
	total := int64(0)
	for _, o := range want {
		total += o
	}
	if total != 200 {
		t.Fatalf("consumed offsets %v do not add up to 200", want)
	}
	sameOffsets(t, "before restart", committed(t, srv.Bootstrap, "billing"), want)

	// A second member of the same group resumes from the commits: nothing left.
	cl := newClient(t, srv.Bootstrap, kgo.ConsumerGroup("billing"), kgo.ConsumeTopics("orders"), kgo.DisableAutoCommit())
	produceN(t, srv.Bootstrap, "orders", 1, nil)
	ctx := ctxT(t)
	fs := cl.PollFetches(ctx)
	if n := fs.NumRecords(); n != 1 {
		t.Fatalf("resumed member got %d records, want the 1 produced after the commit", n)
	}
	cl.Close()

	srv.Stop(t)
	srv2 := startServerIn(t, dir, "group.initial.rebalance.delay.ms=0")
	sameOffsets(t, "after a clean restart", committed(t, srv2.Bootstrap, "billing"), want)

	adm2 := newAdmin(t, srv2.Bootstrap)
	groups, err := adm2.ListGroups(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := groups["billing"]; !ok || g.State != "Empty" || g.ProtocolType != "consumer" {
		t.Fatalf("ListGroups after restart: %+v", groups)
	}

	// Deleting the topic deletes its committed offsets.
	if _, err := adm2.DeleteTopic(ctxT(t), "orders"); err != nil {
		t.Fatal(err)
	}
	ctx = ctxT(t)
	for len(committed(t, srv2.Bootstrap, "billing")) > 0 {
		select {
		case <-ctx.Done():
			t.Fatalf("offsets of a deleted topic remain: %v", committed(t, srv2.Bootstrap, "billing"))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitAssigned polls DescribeGroups until the group is stable with the
// wanted number of members and every partition assigned exactly once.
func waitAssigned(t *testing.T, adm *kadm.Client, group string, members, partitions int) kadm.DescribedGroup {
	t.Helper()
	ctx := ctxT(t)
	for {
		ds, err := adm.DescribeGroups(ctx, group)
		if err != nil {
			t.Fatal(err)
		}
		d := ds[group]
		assigned := 0
		for _, m := range d.Members {
			if ca, ok := m.Assigned.AsConsumer(); ok {
				for _, tp := range ca.Topics {
					assigned += len(tp.Partitions)
				}
			}
		}
		if d.State == "Stable" && len(d.Members) == members && assigned == partitions {
			return d
		}
		select {
		case <-ctx.Done():
			t.Fatalf("group %s never reached %d members owning %d partitions; last: state %s, %d members, %d assigned", group, members, partitions, d.State, len(d.Members), assigned)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestGroupMembersJoinAndLeave(t *testing.T) {
	for _, tc := range []struct {
		name     string
		balancer kgo.GroupBalancer
	}{
		{"range", kgo.RangeBalancer()},
		{"cooperative-sticky", kgo.CooperativeStickyBalancer()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, "group.initial.rebalance.delay.ms=0")
			adm := newAdmin(t, srv.Bootstrap)
			topic := "t-" + tc.name
			createTopic(t, adm, topic, 6, nil)
			group := "g-" + tc.name
			var members []*kgo.Client
			for i := 0; i < 3; i++ {
				// Members learn of a rebalance from their heartbeat.
				cl := newClient(t, srv.Bootstrap, kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.Balancers(tc.balancer),
					kgo.ClientID(fmt.Sprintf("member-%d", i)), kgo.HeartbeatInterval(200*time.Millisecond))
				members = append(members, cl)
				go pollUntilClosed(cl)
				waitAssigned(t, adm, group, i+1, 6)
			}
			d := waitAssigned(t, adm, group, 3, 6)
			var ids []string
			for _, m := range d.Members {
				ids = append(ids, m.ClientID)
			}
			sort.Strings(ids)
			if fmt.Sprint(ids) != "[member-0 member-1 member-2]" {
				t.Fatalf("members %v", ids)
			}
			members[0].Close()
			waitAssigned(t, adm, group, 2, 6)
			members[1].Close()
			waitAssigned(t, adm, group, 1, 6)
		})
	}
}

// pollUntilClosed keeps a group member polling (and so heartbeating and
// rebalancing) until its client is closed.
func pollUntilClosed(cl *kgo.Client) {
	for {
		fs := cl.PollFetches(context.Background())
		if fs.IsClientClosed() {
			return
		}
	}
}

func TestStaticMemberRejoinsWithoutRebalance(t *testing.T) {
	srv := startServer(t, "group.initial.rebalance.delay.ms=0")
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "static", 2, nil)
	opts := []kgo.Opt{kgo.ConsumerGroup("sg"), kgo.ConsumeTopics("static"), kgo.InstanceID("instance-a")}
	cl := newClient(t, srv.Bootstrap, opts...)
	go pollUntilClosed(cl)
	d := waitAssigned(t, adm, "sg", 1, 2)
	if d.Members[0].InstanceID == nil || *d.Members[0].InstanceID != "instance-a" {
		t.Fatalf("member instance id %v", d.Members[0].InstanceID)
	}
	// A static member does not leave on close: the group keeps it.
	cl.Close()
	d = waitAssigned(t, adm, "sg", 1, 2)
	first := d.Members[0].MemberID
	cl2 := newClient(t, srv.Bootstrap, opts...)
	go pollUntilClosed(cl2)
	ctx := ctxT(t)
	for {
		d = waitAssigned(t, adm, "sg", 1, 2)
		if d.Members[0].MemberID != first {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("restarted static member never took over")
		case <-time.After(50 * time.Millisecond):
		}
	}
	cl2.Close()
}

// TestGroupOffsetsSurviveKill9: offsets acknowledged to a committer are in
// __consumer_offsets after the server is killed without warning.
func TestGroupOffsetsSurviveKill9(t *testing.T) {
	dir := t.TempDir()
	port, ctrl := testserver.FreePort(t), testserver.FreePort(t)
	p := startProc(t, dir, port, ctrl)
	adm := newAdmin(t, p.bootstrap)
	createTopic(t, adm, "crash-offsets", 3, nil)
	produceN(t, p.bootstrap, "crash-offsets", 90, nil)
	want := consumeGroup(t, p.bootstrap, "survivor", "crash-offsets", 90, kgo.Balancers(kgo.CooperativeStickyBalancer()))
	sameOffsets(t, "before kill", committed(t, p.bootstrap, "survivor"), want)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait()
	p2 := startProc(t, dir, port, ctrl)
	sameOffsets(t, "after kill -9", committed(t, p2.bootstrap, "survivor"), want)
}

// TestOffsetCommitUnknownPartition: as in Kafka, a commit for a partition
// that does not exist is refused per partition; the others are stored.
func TestOffsetCommitUnknownPartition(t *testing.T) {
	srv := startServer(t)
	adm := newAdmin(t, srv.Bootstrap)
	createTopic(t, adm, "known", 1, nil)
	var os kadm.Offsets
	os.Add(kadm.Offset{Topic: "known", Partition: 0, At: 4, LeaderEpoch: -1})
	os.Add(kadm.Offset{Topic: "known", Partition: 3, At: 4, LeaderEpoch: -1})
	os.Add(kadm.Offset{Topic: "missing", Partition: 0, At: 4, LeaderEpoch: -1})
	// The first group request creates __consumer_offsets; until its shard
	// has loaded, Kafka's answer is the retriable
	// COORDINATOR_LOAD_IN_PROGRESS, which clients retry.
	var resp kadm.OffsetResponses
	for attempt := 0; ; attempt++ {
		var err error
		if resp, err = adm.CommitOffsets(ctxT(t), "admin-commits", os); err != nil {
			t.Fatal(err)
		}
		retry := false
		resp.Each(func(o kadm.OffsetResponse) { retry = retry || errors.Is(o.Err, kerr.CoordinatorLoadInProgress) })
		if !retry || attempt == 50 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	got := map[string]string{}
	resp.Each(func(o kadm.OffsetResponse) { got[fmt.Sprintf("%s-%d", o.Topic, o.Partition)] = fmt.Sprint(o.Err) })
	want := map[string]string{"known-0": "<nil>", "known-3": kerrUnknownTP, "missing-0": kerrUnknownTP}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("commit results %v, want %v", got, want)
	}
	sameOffsets(t, "stored", committed(t, srv.Bootstrap, "admin-commits"), map[int32]int64{0: 4})
}
