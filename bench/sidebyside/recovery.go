package main

// Workload (e), second half: fill a log, kill -9 the server, and time the
// way back to serving; then a clean restart of the same log for contrast.

import (
	"context"
	"fmt"
	"time"
)

const recoveryTopic = "e-recovery"

func (r *runner) recovery(ctx context.Context, c *cluster, res *SystemResult) error {
	p := r.prof
	bs := c.bootstrap()
	if _, err := createTopic(ctx, bs, recoveryTopic, p.partitions, c.rf, time.Minute); err != nil {
		return err
	}
	// Big batches, leader acks: the quickest way both systems accept to
	// write a large valid log.
	records := p.recoveryBytes / int64(p.recordSize)
	u := startUsage(c.pids())
	lr, err := runLoad(ctx, loadSpec{bootstrap: bs, topic: recoveryTopic, partitions: p.partitions,
		recordSize: p.recordSize, producers: 2, records: records, acks: "1", bulk: true})
	if err == nil {
		err = lr.err
	}
	if err != nil {
		u.end("", 0)
		return fmt.Errorf("filling %s: %w", recoveryTopic, err)
	}
	res.Resources = append(res.Resources, u.end("fill for recovery, acks=1", lr.bytes))
	rr := &RecoveryResult{FillMiBPerS: float64(lr.bytes) / (1 << 20) / lr.wall.Seconds()}
	res.Recovery = rr
	rr.LogBytes = c.logBytes()
	rr.TopicBytes = c.topicLogBytes(recoveryTopic)
	if err := c.kill9(); err != nil {
		return err
	}
	t0 := time.Now()
	ready, err := c.start(ctx, p.readyTimeout)
	if err != nil {
		return fmt.Errorf("restart after kill -9: %w", err)
	}
	rr.ReadyMs = ready
	if err := serveProbe(ctx, bs, recoveryTopic, p.partitions, p.readyTimeout); err != nil {
		return fmt.Errorf("serving after kill -9: %w", err)
	}
	rr.ServeMs = float64(time.Since(t0)) / float64(time.Millisecond)
	rr.RecoveredBytes = c.logBytes()
	if p.skipExtraRestarts {
		return nil
	}
	if err := c.stop(2 * time.Minute); err != nil {
		return err
	}
	t0 = time.Now()
	if _, err := c.start(ctx, p.readyTimeout); err != nil {
		return fmt.Errorf("clean restart: %w", err)
	}
	if err := serveProbe(ctx, bs, recoveryTopic, p.partitions, p.readyTimeout); err != nil {
		return fmt.Errorf("serving after a clean restart: %w", err)
	}
	rr.CleanStartMs = float64(time.Since(t0)) / float64(time.Millisecond)
	return nil
}
