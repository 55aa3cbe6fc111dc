package assignor

import (
	"fmt"
	"testing"
)

// benchInput is a large homogeneous group: 500 members, 100 topics of 50
// partitions, with a current assignment from a previous run minus one
// member, so the run has to rebalance onto a newcomer.
func benchInput(b *testing.B, a Assignor) Input {
	b.Helper()
	ts := map[TopicID]Topic{}
	var ids []TopicID
	for i := 0; i < 100; i++ {
		id := TopicID{byte(i), byte(i >> 8), 1}
		ts[id] = Topic{ID: id, Name: fmt.Sprintf("t%d", i), Partitions: 50}
		ids = append(ids, id)
	}
	in := Input{Topics: ts}
	for i := 0; i < 499; i++ {
		in.Members = append(in.Members, Member{ID: fmt.Sprintf("m%04d", i), Subscribed: ids})
	}
	prev, err := a.Assign(in)
	if err != nil {
		b.Fatal(err)
	}
	for i := range in.Members {
		in.Members[i].Current = prev[in.Members[i].ID]
	}
	in.Members = append(in.Members, Member{ID: "new", Subscribed: ids})
	return in
}

func BenchmarkUniformJoin(b *testing.B) {
	in := benchInput(b, Uniform{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := (Uniform{}).Assign(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRangeJoin(b *testing.B) {
	in := benchInput(b, Range{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := (Range{}).Assign(in); err != nil {
			b.Fatal(err)
		}
	}
}
