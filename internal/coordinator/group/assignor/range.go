package assignor

import "sort"

// Range assigns each topic's partitions to the members subscribed to it in
// contiguous ranges, in member id order: with n partitions and m members the
// first n%m members get n/m+1 partitions and the others n/m. Members with the
// same subscriptions therefore get the same partition indexes of
// equally-partitioned topics (co-partitioning). It is sticky within those
// quotas: a member keeps current partitions up to its quota, and members
// that already held more than the base quota get the extra slots first.
// With racks known, free partitions go first to members in a rack holding a
// replica.
type Range struct{}

// Name implements Assignor.
func (Range) Name() string { return RangeName }

// Assign implements Assignor.
func (Range) Assign(in Input) (map[string]Assignment, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	ms := sortedMembers(in)
	out := make(map[string][]TopicPartition, len(ms))
	subscribers := map[TopicID][]int{}
	for i, m := range ms {
		for t := range subscribedSet(m, in) {
			subscribers[t] = append(subscribers[t], i)
		}
	}
	topics := make([]TopicID, 0, len(subscribers))
	for t := range subscribers {
		topics = append(topics, t)
	}
	sort.Slice(topics, func(i, j int) bool { return compareID(topics[i], topics[j]) < 0 })

	for _, t := range topics {
		members := subscribers[t]
		sort.Ints(members)
		n := int(in.Topics[t].Partitions)
		base, extra := n/len(members), n%len(members)

		current := make(map[int][]int32, len(members))
		for _, i := range members {
			for _, p := range ms[i].Current[t] {
				if p >= 0 && int(p) < n {
					current[i] = append(current[i], p)
				}
			}
			sort.Slice(current[i], func(a, b int) bool { return current[i][a] < current[i][b] })
		}
		quota := make(map[int]int, len(members))
		for _, i := range members {
			quota[i] = base
		}
		for _, i := range members {
			if extra > 0 && len(current[i]) > base {
				quota[i]++
				extra--
			}
		}
		for _, i := range members {
			if extra > 0 && quota[i] == base {
				quota[i]++
				extra--
			}
		}

		taken := make([]bool, n)
		got := make(map[int][]int32, len(members))
		for _, i := range members {
			for _, p := range current[i] {
				if len(got[i]) < quota[i] && !taken[p] {
					taken[p] = true
					got[i] = append(got[i], p)
				}
			}
		}
		fill := func(rackOnly bool) {
			for _, i := range members {
				for p := 0; p < n && len(got[i]) < quota[i]; p++ {
					if taken[p] || (rackOnly && !rackMatch(in, ms[i].Rack, TopicPartition{t, int32(p)})) {
						continue
					}
					taken[p] = true
					got[i] = append(got[i], int32(p))
				}
			}
		}
		fill(true)
		fill(false)
		for _, i := range members {
			for _, p := range got[i] {
				out[ms[i].ID] = append(out[ms[i].ID], TopicPartition{t, p})
			}
		}
	}
	res := make(map[string]Assignment, len(ms))
	for _, m := range ms {
		res[m.ID] = FromPartitions(out[m.ID])
	}
	return res, nil
}
