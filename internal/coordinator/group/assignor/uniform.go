package assignor

import "sort"

// Uniform spreads every subscribed partition over the members subscribed to
// its topic so that partition counts differ by at most one whenever the
// subscriptions allow it. It is sticky: a member keeps the partitions of its
// current assignment unless they must move to restore balance, and a
// partition only moves to a member that has at least two fewer partitions
// than its current owner. With member and partition racks known it prefers
// to place (and to move) partitions onto members in a rack holding a
// replica, but never at the cost of balance.
type Uniform struct{}

// Name implements Assignor.
func (Uniform) Name() string { return UniformName }

// Assign implements Assignor.
func (Uniform) Assign(in Input) (map[string]Assignment, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	ms := sortedMembers(in)
	subs := make([]map[TopicID]bool, len(ms))
	for i, m := range ms {
		subs[i] = subscribedSet(m, in)
	}
	owner := make(map[TopicPartition]int)
	owned := make([]map[TopicPartition]bool, len(ms))
	for i := range ms {
		owned[i] = map[TopicPartition]bool{}
	}
	give := func(tp TopicPartition, i int) {
		if prev, ok := owner[tp]; ok {
			delete(owned[prev], tp)
		}
		owner[tp] = i
		owned[i][tp] = true
	}

	// Keep what members already hold if it is still valid.
	for i, m := range ms {
		for _, tp := range m.Current.Partitions() {
			t, ok := in.Topics[tp.Topic]
			if !ok || !subs[i][tp.Topic] || tp.Partition < 0 || tp.Partition >= t.Partitions {
				continue
			}
			if _, taken := owner[tp]; taken {
				continue
			}
			give(tp, i)
		}
	}

	// Place unowned partitions, most constrained (fewest eligible members) first.
	eligible := map[TopicID][]int{}
	for i := range ms {
		for t := range subs[i] {
			eligible[t] = append(eligible[t], i)
		}
	}
	var free []TopicPartition
	for t, members := range eligible {
		sort.Ints(members)
		for p := int32(0); p < in.Topics[t].Partitions; p++ {
			tp := TopicPartition{t, p}
			if _, ok := owner[tp]; !ok {
				free = append(free, tp)
			}
		}
	}
	sort.Slice(free, func(i, j int) bool {
		ei, ej := len(eligible[free[i].Topic]), len(eligible[free[j].Topic])
		if ei != ej {
			return ei < ej
		}
		return LessTP(free[i], free[j])
	})
	for _, tp := range free {
		best := -1
		for _, i := range eligible[tp.Topic] {
			if best < 0 || len(owned[i]) < len(owned[best]) ||
				(len(owned[i]) == len(owned[best]) && rackMatch(in, ms[i].Rack, tp) && !rackMatch(in, ms[best].Rack, tp)) {
				best = i
			}
		}
		give(tp, best)
	}

	// Rebalance: move from the most to the least loaded member while the gap
	// is at least two. Each move lowers the sum of squared loads, so it ends.
	for moveOne(in, ms, subs, owned, give) {
	}

	out := make(map[string]Assignment, len(ms))
	for i, m := range ms {
		tps := make([]TopicPartition, 0, len(owned[i]))
		for tp := range owned[i] {
			tps = append(tps, tp)
		}
		out[m.ID] = FromPartitions(tps)
	}
	return out, nil
}

func moveOne(in Input, ms []Member, subs []map[TopicID]bool, owned []map[TopicPartition]bool, give func(TopicPartition, int)) bool {
	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(owned[order[a]]) > len(owned[order[b]]) })
	for gi := 0; gi < len(order); gi++ {
		g := order[gi]
		for ri := len(order) - 1; ri > gi; ri-- {
			r := order[ri]
			if len(owned[g])-len(owned[r]) < 2 {
				break
			}
			if tp, ok := pickMovable(in, ms, subs, owned[g], g, r); ok {
				give(tp, r)
				return true
			}
		}
	}
	return false
}

// pickMovable chooses the partition that g gives to r: preferably one whose
// rack matches r and not g, then the highest topic-partition so that low
// partitions stay put, which keeps the choice deterministic.
func pickMovable(in Input, ms []Member, subs []map[TopicID]bool, gOwned map[TopicPartition]bool, g, r int) (TopicPartition, bool) {
	var best TopicPartition
	bestScore, found := -1, false
	for tp := range gOwned {
		if !subs[r][tp.Topic] {
			continue
		}
		score := 0
		if rackMatch(in, ms[r].Rack, tp) {
			score += 2
		}
		if !rackMatch(in, ms[g].Rack, tp) {
			score++
		}
		if !found || score > bestScore || (score == bestScore && LessTP(best, tp)) {
			best, bestScore, found = tp, score, true
		}
	}
	return best, found
}
