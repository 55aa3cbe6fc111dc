package replication

import (
	"testing"

	"github.com/odradek/odradek/internal/metadata"
)

func TestISRChangeCounts(t *testing.T) {
	tests := []struct {
		name             string
		from, to         metadata.Partition
		shrinks, expands uint64
	}{
		{"unchanged", metadata.Partition{Leader: 1, ISR: []int32{1, 2}}, metadata.Partition{Leader: 1, ISR: []int32{1, 2}}, 0, 0},
		{"shrink", metadata.Partition{Leader: 1, ISR: []int32{1, 2, 3}}, metadata.Partition{Leader: 1, ISR: []int32{1, 3}}, 1, 0},
		{"expand", metadata.Partition{Leader: 1, ISR: []int32{1}}, metadata.Partition{Leader: 1, ISR: []int32{1, 2}}, 0, 1},
		{"swap is both", metadata.Partition{Leader: 1, ISR: []int32{1, 2}}, metadata.Partition{Leader: 1, ISR: []int32{1, 3}}, 1, 1},
		{"reordered is neither", metadata.Partition{Leader: 1, ISR: []int32{1, 2}}, metadata.Partition{Leader: 1, ISR: []int32{2, 1}}, 0, 0},
		{"not led here before", metadata.Partition{Leader: 2, ISR: []int32{1, 2}}, metadata.Partition{Leader: 1, ISR: []int32{1}}, 0, 0},
		{"leadership moves away", metadata.Partition{Leader: 1, ISR: []int32{1, 2}}, metadata.Partition{Leader: 2, ISR: []int32{2}}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lg := openLog(t)
			from, to := tc.from, tc.to
			from.Replicas, to.Replicas = []int32{1, 2, 3}, []int32{1, 2, 3}
			p := newPartition(1, "t", metadata.UUID{1}, &from, lg)
			counts := &isrChanges{}
			p.counts = counts
			p.update(&to)
			if got := counts.shrinks.Load(); got != tc.shrinks {
				t.Errorf("shrinks = %d, want %d", got, tc.shrinks)
			}
			if got := counts.expands.Load(); got != tc.expands {
				t.Errorf("expands = %d, want %d", got, tc.expands)
			}
		})
	}
}
