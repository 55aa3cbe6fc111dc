package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// tally counts how often each record value was consumed, across members.
type tally struct {
	mu   sync.Mutex
	seen map[string]int
	errs []error
}

func (ty *tally) add(v string) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	ty.seen[v]++
}

func (ty *tally) fail(err error) {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	ty.errs = append(ty.errs, err)
}

// waitExactlyOnce waits until records 0..n-1 of run were all consumed and
// fails on any consumed twice or any commit that failed.
func (ty *tally) waitExactlyOnce(t *testing.T, run string, n int) {
	t.Helper()
	ctx := ctxT(t)
	for {
		ty.mu.Lock()
		missing, dup := 0, ""
		for i := 0; i < n; i++ {
			switch c := ty.seen[fmt.Sprintf("%s-%d", run, i)]; {
			case c == 0:
				missing++
			case c > 1 && dup == "":
				dup = fmt.Sprintf("%s-%d consumed %d times", run, i, c)
			}
		}
		errs := ty.errs
		ty.mu.Unlock()
		if dup != "" || len(errs) > 0 {
			t.Fatalf("%s (commit errors: %v)", dup, errs)
		}
		if missing == 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d records of %s never consumed", missing, run)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// migrationMember consumes as a group member, committing what each poll
// returned before it lets a rebalance move partitions, so that no record is
// consumed twice.
func migrationMember(t *testing.T, bootstrap, group, topic, clientID string, ty *tally, opts ...kgo.Opt) *kgo.Client {
	cl := newClient(t, bootstrap, append([]kgo.Opt{kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic), kgo.ClientID(clientID),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit(), kgo.BlockRebalanceOnPoll()}, opts...)...)
	go func() {
		for {
			fs := cl.PollRecords(context.Background(), 50)
			if fs.IsClientClosed() {
				// A closing client leaves the group once rebalances are
				// allowed again.
				cl.AllowRebalance()
				return
			}
			fs.EachRecord(func(r *kgo.Record) { ty.add(string(r.Value)) })
			if fs.NumRecords() > 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if err := cl.CommitUncommittedOffsets(ctx); err != nil {
					ty.fail(fmt.Errorf("%s: commit: %w", clientID, err))
				}
				cancel()
			}
			cl.AllowRebalance()
		}
	}()
	return cl
}

func produceValues(t *testing.T, bootstrap, topic, run string, n int) {
	t.Helper()
	p := newClient(t, bootstrap, kgo.DefaultProduceTopic(topic))
	for i := 0; i < n; i++ {
		if err := p.ProduceSync(ctxT(t), kgo.StringRecord(fmt.Sprintf("%s-%d", run, i))).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
}

// waitClassic waits until DescribeGroups shows a stable classic group with
// the wanted members owning every partition.
func waitClassic(t *testing.T, bootstrap, group string, members, partitions int) {
	t.Helper()
	waitAssigned(t, newAdmin(t, bootstrap), group, members, partitions)
}

// A classic group of franz-go consumers is upgraded online when
// consumer-protocol members join one by one, and downgraded when they all
// leave; every record is consumed exactly once throughout.
func TestGroupMigrationOnline(t *testing.T) {
	srv := startServer(t, "group.initial.rebalance.delay.ms=0",
		"group.consumer.min.heartbeat.interval.ms=100", "group.consumer.heartbeat.interval.ms=200")
	adm := newAdmin(t, srv.Bootstrap)
	raw := newClient(t, srv.Bootstrap)
	for _, tc := range []struct {
		name     string
		balancer kgo.GroupBalancer
	}{
		{"cooperative-sticky", kgo.CooperativeStickyBalancer()},
		{"range", kgo.RangeBalancer()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const partitions, perStep = 6, 120
			topic, group := "migrate-"+tc.name, "migrate-"+tc.name
			createTopic(t, adm, topic, partitions, nil)
			ty := &tally{seen: map[string]int{}}
			classic := []kgo.Opt{kgo.Balancers(tc.balancer), kgo.HeartbeatInterval(200 * time.Millisecond)}
			modern := []kgo.Opt{kgo.Balancers(kgo.RangeBalancer()), kgo.ServerSideBalancer()}

			for i := 0; i < 2; i++ {
				migrationMember(t, srv.Bootstrap, group, topic, fmt.Sprintf("classic-%d", i), ty, classic...)
			}
			waitClassic(t, srv.Bootstrap, group, 2, partitions)
			produceValues(t, srv.Bootstrap, topic, "classic", perStep)
			ty.waitExactlyOnce(t, "classic", perStep)

			var upgraded []*kgo.Client
			for i := 0; i < 2; i++ {
				upgraded = append(upgraded, migrationMember(t, srv.Bootstrap, group, topic, fmt.Sprintf("consumer-%d", i), ty, modern...))
				d := waitConsumerAssigned(t, raw, group, 3+i, partitions)
				types := map[int8]int{}
				for _, m := range d.Members {
					types[m.MemberType]++
				}
				if types[0] != 2 || types[1] != i+1 {
					t.Fatalf("after consumer-%d joined: member types %v, want 2 classic and %d consumer", i, types, i+1)
				}
				run := fmt.Sprintf("mixed-%d", i)
				produceValues(t, srv.Bootstrap, topic, run, perStep)
				ty.waitExactlyOnce(t, run, perStep)
			}

			for i, cl := range upgraded {
				cl.Close()
				if i < len(upgraded)-1 {
					waitConsumerAssigned(t, raw, group, 4-i-1, partitions)
				}
			}
			// The last consumer-protocol member left: a classic group again.
			waitClassic(t, srv.Bootstrap, group, 2, partitions)
			if d := describeConsumerGroup(t, raw, group); d.ErrorCode == 0 {
				t.Fatalf("ConsumerGroupDescribe still finds the downgraded group: %+v", d)
			}
			listed, err := adm.ListGroupsByType(ctxT(t), []string{"classic"})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := listed[group]; !ok {
				t.Fatalf("ListGroups(classic) after the downgrade: %v", listed)
			}
			produceValues(t, srv.Bootstrap, topic, "downgraded", perStep)
			ty.waitExactlyOnce(t, "downgraded", perStep)
			for _, run := range []string{"classic", "mixed-0", "mixed-1"} {
				ty.waitExactlyOnce(t, run, perStep)
			}
		})
	}
}
