package console

import (
	"context"
	"fmt"
	"net/http"

	"github.com/twmb/franz-go/pkg/kadm"
)

// The chart endpoints answer the sampler's history; interval is the sample
// spacing in ms, so the UI can draw gaps where samples are missing.

func (c *Console) clusterSeries(*http.Request) (any, error) {
	return map[string]any{"interval": c.opts.SampleInterval.Milliseconds(), "points": c.sampler.clusterSeries()}, nil
}

func (c *Console) topicSeries(r *http.Request) (any, error) {
	return map[string]any{"interval": c.opts.SampleInterval.Milliseconds(), "points": c.sampler.topicSeries(r.PathValue("topic"))}, nil
}

func (c *Console) groupSeries(r *http.Request) (any, error) {
	return map[string]any{"interval": c.opts.SampleInterval.Milliseconds(), "points": c.sampler.groupSeries(r.PathValue("group"))}, nil
}

// kafkaSource samples through the console's Kafka client: ListOffsets for
// end offsets, DescribeLogDirs for sizes, ListGroups and OffsetFetch for
// lag.
type kafkaSource struct{ c *Console }

func (k *kafkaSource) snapshot(ctx context.Context) (snapshot, error) {
	c := k.c
	snap := snapshot{topics: map[string]topicTotals{}, groupLag: map[string]int64{}}
	md, err := c.adm.Metadata(ctx)
	if err != nil {
		return snap, fmt.Errorf("metadata: %w", err)
	}
	names := md.Topics.Names()
	if len(names) > 0 {
		ends, err := c.adm.ListEndOffsets(ctx, names...)
		if err != nil {
			return snap, fmt.Errorf("list end offsets: %w", err)
		}
		sizes, err := c.topicSizes(ctx, nil)
		if err != nil {
			return snap, err
		}
		for _, name := range names {
			tt := topicTotals{internal: md.Topics[name].IsInternal}
			for _, sz := range sizes[name] {
				tt.sizeBytes += sz
			}
			snap.topics[name] = tt
		}
		ends.Each(func(o kadm.ListedOffset) {
			if tt, ok := snap.topics[o.Topic]; ok && o.Err == nil {
				tt.endOffsets += o.Offset
				snap.topics[o.Topic] = tt
			}
		})
		groups, err := c.listGroupSummaries(ctx)
		if err != nil {
			return snap, err
		}
		var ids []string
		for _, g := range groups {
			ids = append(ids, g.ID)
		}
		if len(ids) > 0 {
			fetched := c.adm.FetchManyOffsets(ctx, ids...)
			for id, f := range fetched {
				if f.Err == nil {
					snap.groupLag[id] = totalLag(f.Fetched, ends)
				}
			}
		}
	}
	return snap, nil
}
