package assignor

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"
)

func tid(b byte) TopicID { return TopicID{b} }

func topics(counts ...int32) map[TopicID]Topic {
	out := map[TopicID]Topic{}
	for i, c := range counts {
		id := tid(byte(i + 1))
		out[id] = Topic{ID: id, Name: fmt.Sprintf("t%d", i+1), Partitions: c}
	}
	return out
}

func allIDs(ts map[TopicID]Topic) []TopicID {
	var ids []TopicID
	for id := range ts {
		ids = append(ids, id)
	}
	return ids
}

// checkExactlyOnce asserts every subscribed partition is owned by exactly one
// member that subscribes to its topic.
func checkExactlyOnce(t *testing.T, in Input, out map[string]Assignment) {
	t.Helper()
	subscribed := map[TopicID]map[string]bool{}
	for _, m := range in.Members {
		for _, id := range m.Subscribed {
			if subscribed[id] == nil {
				subscribed[id] = map[string]bool{}
			}
			subscribed[id][m.ID] = true
		}
	}
	owners := map[TopicPartition]string{}
	for mid, a := range out {
		for _, tp := range a.Partitions() {
			if prev, dup := owners[tp]; dup {
				t.Fatalf("%v owned by %s and %s", tp, prev, mid)
			}
			if !subscribed[tp.Topic][mid] {
				t.Fatalf("%v given to %s which does not subscribe", tp, mid)
			}
			owners[tp] = mid
		}
	}
	for id, subs := range subscribed {
		if len(subs) == 0 {
			continue
		}
		for p := int32(0); p < in.Topics[id].Partitions; p++ {
			if _, ok := owners[TopicPartition{id, p}]; !ok {
				t.Fatalf("%v unassigned", TopicPartition{id, p})
			}
		}
	}
}

func spread(out map[string]Assignment) (lo, hi int) {
	lo = -1
	for _, a := range out {
		c := a.Count()
		if lo < 0 || c < lo {
			lo = c
		}
		if c > hi {
			hi = c
		}
	}
	return lo, hi
}

func homogeneous(n int, ts map[TopicID]Topic) Input {
	in := Input{Topics: ts}
	for i := 0; i < n; i++ {
		in.Members = append(in.Members, Member{ID: fmt.Sprintf("m%02d", i), Subscribed: allIDs(ts)})
	}
	return in
}

func TestPropertiesHomogeneous(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, a := range []Assignor{Uniform{}, Range{}} {
		for iter := 0; iter < 200; iter++ {
			var counts []int32
			for k := rng.Intn(4) + 1; k > 0; k-- {
				counts = append(counts, int32(rng.Intn(12)))
			}
			in := homogeneous(rng.Intn(7)+1, topics(counts...))
			out, err := a.Assign(in)
			if err != nil {
				t.Fatal(err)
			}
			checkExactlyOnce(t, in, out)
			if a.Name() == UniformName {
				if lo, hi := spread(out); hi-lo > 1 {
					t.Fatalf("%s: unbalanced %d..%d for %v", a.Name(), lo, hi, counts)
				}
			}
			again, _ := a.Assign(in)
			if !reflect.DeepEqual(out, again) {
				t.Fatalf("%s: not deterministic", a.Name())
			}
		}
	}
}

func TestRangePerTopicBalanceAndCopartitioning(t *testing.T) {
	in := homogeneous(3, topics(7, 7))
	out, err := Range{}.Assign(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int32{"m00": {0, 1, 2}, "m01": {3, 4}, "m02": {5, 6}}
	for mid, ps := range want {
		for _, id := range []TopicID{tid(1), tid(2)} {
			if !reflect.DeepEqual(out[mid][id], ps) {
				t.Fatalf("%s topic %v: got %v want %v", mid, id[0], out[mid][id], ps)
			}
		}
	}
}

func TestHeterogeneousExactlyOnce(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, a := range []Assignor{Uniform{}, Range{}} {
		for iter := 0; iter < 200; iter++ {
			ts := topics(int32(rng.Intn(9)), int32(rng.Intn(9)), int32(rng.Intn(9)))
			in := Input{Topics: ts}
			for i := rng.Intn(6) + 1; i > 0; i-- {
				var sub []TopicID
				for id := range ts {
					if rng.Intn(2) == 0 {
						sub = append(sub, id)
					}
				}
				in.Members = append(in.Members, Member{ID: fmt.Sprintf("m%d", i), Subscribed: sub})
			}
			out, err := a.Assign(in)
			if err != nil {
				t.Fatal(err)
			}
			checkExactlyOnce(t, in, out)
		}
	}
}

// A member joining a balanced group takes only the partitions it needs and
// every moved partition goes to it.
func TestUniformStabilityOnJoin(t *testing.T) {
	for members := 1; members <= 6; members++ {
		for parts := int32(0); parts <= 20; parts++ {
			ts := topics(parts, parts/2+1)
			in := homogeneous(members, ts)
			before, _ := Uniform{}.Assign(in)
			for i := range in.Members {
				in.Members[i].Current = before[in.Members[i].ID]
			}
			in.Members = append(in.Members, Member{ID: "new", Subscribed: allIDs(ts)})
			after, _ := Uniform{}.Assign(in)
			checkExactlyOnce(t, in, after)
			moved := 0
			for mid, a := range before {
				for _, tp := range a.Partitions() {
					if !contains(after[mid], tp) {
						moved++
					}
				}
			}
			total := int(parts + parts/2 + 1)
			if need := total / (members + 1); moved != after["new"].Count() || moved != need {
				t.Fatalf("members=%d parts=%d: moved %d, new got %d, need %d", members, parts, moved, after["new"].Count(), need)
			}
		}
	}
}

func TestStickyWhenUnchanged(t *testing.T) {
	for _, a := range []Assignor{Uniform{}, Range{}} {
		in := homogeneous(4, topics(10, 3))
		first, _ := a.Assign(in)
		for i := range in.Members {
			in.Members[i].Current = first[in.Members[i].ID]
		}
		second, _ := a.Assign(in)
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("%s: assignment changed without input change", a.Name())
		}
	}
}

func TestRackAwarePlacement(t *testing.T) {
	id := tid(1)
	ts := map[TopicID]Topic{id: {ID: id, Name: "t", Partitions: 4, PartitionRacks: [][]string{{"b"}, {"a"}, {"b"}, {"a"}}}}
	in := Input{Topics: ts, Members: []Member{
		{ID: "x", Rack: "a", Subscribed: []TopicID{id}},
		{ID: "y", Rack: "b", Subscribed: []TopicID{id}},
	}}
	for _, a := range []Assignor{Uniform{}, Range{}} {
		out, err := a.Assign(in)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out["x"][id], []int32{1, 3}) || !reflect.DeepEqual(out["y"][id], []int32{0, 2}) {
			t.Fatalf("%s: rack-unaware result %v", a.Name(), out)
		}
	}
}

func TestBadInput(t *testing.T) {
	in := Input{Topics: topics(1), Members: []Member{{ID: "a"}, {ID: "a"}}}
	for _, a := range []Assignor{Uniform{}, Range{}} {
		if _, err := a.Assign(in); err == nil {
			t.Fatalf("%s: duplicate member accepted", a.Name())
		}
	}
	if _, err := New("sticky"); err == nil {
		t.Fatal("unknown assignor accepted")
	}
}

func contains(a Assignment, tp TopicPartition) bool {
	for _, p := range a[tp.Topic] {
		if p == tp.Partition {
			return true
		}
	}
	return false
}
