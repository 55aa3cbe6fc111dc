package main

// Workload (d): one topic with many partitions (10,000 in the full profile),
// idle and under a light load spread over every partition, and a restart
// with all of them on disk.

import (
	"context"
	"fmt"
	"time"
)

const manyTopic = "d-many"

func (r *runner) manyPartitions(ctx context.Context, c *cluster, res *SystemResult) error {
	p := r.prof
	bs := c.bootstrap()
	pr := &PartitionsResult{Partitions: p.manyPartitions}
	res.ManyPartitions = pr
	took, err := createTopic(ctx, bs, manyTopic, p.manyPartitions, c.rf, p.readyTimeout)
	if err != nil {
		return err
	}
	// The later steps should not pay for these partitions, whatever fails here.
	deleted := false
	defer func() {
		if !deleted && c.alive() {
			_ = deleteTopic(ctx, c.bootstrap(), manyTopic)
		}
	}()
	pr.CreateSec = took.Seconds()

	if err := sleepCtx(ctx, p.manySettle); err != nil {
		return err
	}
	u := startUsage(c.pids())
	if err := sleepCtx(ctx, p.manyIdle); err != nil {
		return err
	}
	ru := u.end(fmt.Sprintf("%d partitions, idle", p.manyPartitions), 0)
	res.Resources = append(res.Resources, ru)
	pr.IdleDurationSec = ru.WallSec
	pr.IdleCPUPercent = ru.CPUSec / ru.WallSec * 100
	pr.IdleRSSMiB = ru.MaxRSSMiB

	pr.ActiveRate = p.manyRate
	u = startUsage(c.pids())
	lr, err := runLoad(ctx, loadSpec{bootstrap: bs, topic: manyTopic, partitions: p.manyPartitions,
		recordSize: p.recordSize, producers: 1, rate: p.manyRate, roundRobin: true, acks: "all",
		records: int64(p.manyRate * p.manyActive.Seconds()), warmup: p.manyActive / 10})
	if err == nil {
		err = lr.err
	}
	if err != nil {
		u.end("", 0)
		return fmt.Errorf("load over %d partitions: %w", p.manyPartitions, err)
	}
	ru = u.end(fmt.Sprintf("%d partitions, %.0f records/s", p.manyPartitions, p.manyRate), lr.bytes)
	res.Resources = append(res.Resources, ru)
	pc := percentiles(lr.produceLat)
	pr.ActiveDuration = ru.WallSec
	pr.ActiveCPUPerc = ru.CPUSec / ru.WallSec * 100
	pr.ActiveRSSMiB = ru.MaxRSSMiB
	pr.ActiveP50Ms, pr.ActiveP99Ms = pc["50"], pc["99"]
	pr.ActiveAchieved = float64(lr.acked) / lr.wall.Seconds()

	if p.skipExtraRestarts {
		deleted = true
		return deleteTopic(ctx, bs, manyTopic)
	}
	if err := c.stop(2 * time.Minute); err != nil {
		return err
	}
	t0 := time.Now()
	if _, err := c.start(ctx, p.readyTimeout); err != nil {
		return fmt.Errorf("restart with %d partitions: %w", p.manyPartitions, err)
	}
	if err := waitLeaders(ctx, bs, manyTopic, p.manyPartitions, p.readyTimeout); err != nil {
		return err
	}
	pr.RestartReadyMs = float64(time.Since(t0)) / float64(time.Millisecond)
	deleted = true
	return deleteTopic(ctx, bs, manyTopic)
}
