package cli

// consumer-groups --describe --lag-time, an Odradek extension: how far behind
// a group is in time rather than in records. The estimate is the age of the
// oldest record the group has not consumed, i.e. now minus the timestamp of
// the first record at or after the committed offset.

import (
	"context"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// maxLagTimeWait bounds the reads behind --lag-time, so that a partition
// with nothing readable after its committed offset does not hold up the
// whole report for the full --timeout.
const maxLagTimeWait = 5 * time.Second

// fillLagTimes sets LagTime on every row: "-" without a committed offset or
// log end offset, "0s" when nothing is unconsumed, otherwise the age of the
// first unconsumed record. Partitions whose first unconsumed record cannot be
// read within maxLagTimeWait or --timeout, whichever is shorter (only control
// records follow the committed offset, or the fetch fails), print "-".
func (s *groupService) fillLagTimes(rows []offsetRow) {
	want := map[string]map[int32]kgo.Offset{}
	for i := range rows {
		r := &rows[i]
		r.LagTime = missingColumn
		lag := r.lag()
		if lag == nil {
			continue
		}
		if *lag <= 0 {
			r.LagTime = "0s"
			continue
		}
		if want[r.Topic] == nil {
			want[r.Topic] = map[int32]kgo.Offset{}
		}
		want[r.Topic][r.Partition] = kgo.NewOffset().At(*r.Offset)
	}
	if len(want) == 0 {
		return
	}
	stamps := s.firstRecordTimes(want)
	now := s.now()
	for i := range rows {
		r := &rows[i]
		if ts, ok := stamps[r.Topic][r.Partition]; ok {
			r.LagTime = formatLagTime(now.Sub(ts))
		}
	}
}

// firstRecordTimes reads one record from each partition at the given offset
// and returns its timestamp.
func (s *groupService) firstRecordTimes(want map[string]map[int32]kgo.Offset) map[string]map[int32]time.Time {
	got := map[string]map[int32]time.Time{}
	cl, err := newClient(s.cmd, s.o.bootstrap, s.props, roleAdmin, kgo.ConsumePartitions(want))
	if err != nil {
		return got
	}
	defer cl.Close()
	pending := 0
	for _, ps := range want {
		pending += len(ps)
	}
	wait := min(time.Duration(s.o.timeoutMs)*time.Millisecond, maxLagTimeWait)
	ctx, cancel := context.WithTimeout(cmdContext(s.cmd), wait)
	defer cancel()
	for pending > 0 && ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		fetches.EachRecord(func(r *kgo.Record) {
			if got[r.Topic] == nil {
				got[r.Topic] = map[int32]time.Time{}
			}
			if _, done := got[r.Topic][r.Partition]; done {
				return
			}
			got[r.Topic][r.Partition] = r.Timestamp
			pending--
			// Stop fetching a partition once its first record is known.
			cl.PauseFetchPartitions(map[string][]int32{r.Topic: {r.Partition}})
		})
	}
	return got
}

// formatLagTime renders a lag as a Go duration rounded to seconds
// ("1h2m3s"); clocks ahead of the broker never give a negative lag.
func formatLagTime(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
