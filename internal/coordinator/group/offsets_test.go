package group

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestOffsetsSurviveReload(t *testing.T) {
	h := newHarness(t, testConfig())
	a, _ := rebalanceTwo(h)
	if code := h.commit("g", a, 1, "orders", 2, 42); code != 0 {
		t.Fatalf("member commit: %d", code)
	}
	if code := h.commit("simple", "", -1, "orders", 0, 7); code != 0 {
		t.Fatalf("simple commit: %d", code)
	}
	big := kmsg.NewPtrOffsetCommitRequest()
	big.Version = 8
	big.Group, big.Generation = "simple", -1
	tp := kmsg.NewOffsetCommitRequestTopic()
	tp.Topic = "orders"
	p := kmsg.NewOffsetCommitRequestTopicPartition()
	p.Partition, p.Offset = 1, 5
	p.Metadata = kmsg.StringPtr(string(make([]byte, 4097)))
	tp.Partitions = append(tp.Partitions, p)
	big.Topics = append(big.Topics, tp)
	if code := h.c.OffsetCommit(context.Background(), big).Topics[0].Partitions[0].ErrorCode; code != kerr.OffsetMetadataTooLarge.Code {
		t.Fatalf("oversized metadata: %d", code)
	}
	check := func(when string) {
		t.Helper()
		for _, c := range []struct {
			group, topic string
			part         int32
			want         string
		}{
			{"g", "orders", 2, "42/3/m"},
			{"g", "orders", 0, "-1/-1/"},
			{"simple", "orders", 0, "7/3/m"},
			{"simple", "orders", 1, "-1/-1/"},
			{"nobody", "orders", 0, "-1/-1/"},
		} {
			if got := h.fetch(c.group, c.topic, c.part); got != c.want {
				t.Errorf("%s: %s %s-%d = %s, want %s", when, c.group, c.topic, c.part, got, c.want)
			}
		}
	}
	check("live")
	h.restart(testConfig())
	check("after reload")
	if got := h.state("g"); got != "Stable gen members=2" {
		t.Fatalf("group after reload: %s", got)
	}
}

func TestOffsetExpiry(t *testing.T) {
	cfg := testConfig()
	cfg.OffsetsRetention = time.Hour
	cfg.RetentionCheckInterval = time.Minute
	h := newHarness(t, cfg)
	h.commit("old", "", -1, "t", 0, 1)
	h.clk.Advance(30 * time.Minute)
	h.commit("young", "", -1, "t", 0, 2)
	a, b := rebalanceTwo(h)
	h.commit("g", a, 1, "t", 0, 3)
	alive := func(d time.Duration) {
		for ; d > 0; d -= 5 * time.Second {
			h.clk.Advance(5 * time.Second)
			h.heartbeat("g", a, 1)
			h.heartbeat("g", b, 1)
		}
	}
	alive(31 * time.Minute)
	// "old" is past the hour; "young" is not; "g" has members and keeps
	// its offsets whatever their age.
	if got := h.fetch("old", "t", 0); got != "-1/-1/" {
		t.Errorf("old: %s", got)
	}
	if got := h.fetch("young", "t", 0); got != "2/3/m" {
		t.Errorf("young: %s", got)
	}
	alive(2 * time.Hour)
	if got := h.fetch("g", "t", 0); got == "-1/-1/" {
		t.Errorf("offsets of an active group expired")
	}
	list := h.c.ListGroups(kmsg.NewPtrListGroupsRequest())
	var names []string
	for _, g := range list.Groups {
		names = append(names, g.Group)
	}
	if fmt.Sprint(names) != "[g]" {
		t.Fatalf("groups left after expiry: %v", names)
	}
	h.restart(cfg)
	if got := h.fetch("young", "t", 0); got != "-1/-1/" {
		t.Errorf("expired offset came back after reload: %s", got)
	}
}

func TestDeleteAndListGroups(t *testing.T) {
	h := newHarness(t, testConfig())
	rebalanceTwo(h)
	h.commit("idle", "", -1, "t", 0, 9)
	list := func(states ...string) string {
		req := kmsg.NewPtrListGroupsRequest()
		req.Version = 5
		req.StatesFilter = states
		var out []string
		for _, g := range h.c.ListGroups(req).Groups {
			out = append(out, g.Group+":"+g.GroupState+":"+g.GroupType)
		}
		return fmt.Sprint(out)
	}
	if got := list(); got != "[g:Stable:classic idle:Empty:classic]" {
		t.Fatalf("list: %s", got)
	}
	if got := list("empty"); got != "[idle:Empty:classic]" {
		t.Fatalf("list empty: %s", got)
	}
	del := kmsg.NewPtrDeleteGroupsRequest()
	del.Version = 2
	del.Groups = []string{"g", "idle", "missing"}
	var codes []int16
	for _, g := range h.c.DeleteGroups(context.Background(), del).Groups {
		codes = append(codes, g.ErrorCode)
	}
	want := []int16{kerr.NonEmptyGroup.Code, 0, kerr.GroupIDNotFound.Code}
	if fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Fatalf("delete codes %v, want %v", codes, want)
	}
	h.restart(testConfig())
	if got := list(); got != "[g:Stable:classic]" {
		t.Fatalf("list after delete and reload: %s", got)
	}
	if got := h.fetch("idle", "t", 0); got != "-1/-1/" {
		t.Fatalf("deleted group's offset: %s", got)
	}
}

func TestOffsetDelete(t *testing.T) {
	h := newHarness(t, testConfig())
	a, _ := rebalanceTwo(h)
	// rebalanceTwo's members' metadata is not a consumer subscription,
	// so no topic counts as subscribed.
	h.commit("g", a, 1, "t", 0, 1)
	req := kmsg.NewPtrOffsetDeleteRequest()
	req.Group = "g"
	rt := kmsg.NewOffsetDeleteRequestTopic()
	rt.Topic = "t"
	rp := kmsg.NewOffsetDeleteRequestTopicPartition()
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp := h.c.OffsetDelete(context.Background(), req)
	if resp.ErrorCode != 0 || resp.Topics[0].Partitions[0].ErrorCode != 0 {
		t.Fatalf("offset delete: %+v", resp)
	}
	if got := h.fetch("g", "t", 0); got != "-1/-1/" {
		t.Fatalf("after delete: %s", got)
	}
	req.Group = "missing"
	if code := h.c.OffsetDelete(context.Background(), req).ErrorCode; code != kerr.GroupIDNotFound.Code {
		t.Fatalf("unknown group: %d", code)
	}
}

func TestPartitionForMatchesKafka(t *testing.T) {
	// Java's "".hashCode() is 0; "group-1".hashCode() is 293427299 and
	// "consumer".hashCode() is -567770122.
	for _, c := range []struct {
		group string
		want  int32
	}{{"", 0}, {"group-1", 293427299 % 50}, {"consumer", 567770122 % 50}} {
		if got := PartitionFor(c.group, 50); got != c.want {
			t.Errorf("PartitionFor(%q) = %d, want %d", c.group, got, c.want)
		}
	}
}
