package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runner runs every workload on one system after the other.
type runner struct {
	env   *env
	prof  profile
	root  string
	nodes int
	rf    int
	// rate is workload (b)'s fixed rate: half of Kafka's maximum, known once
	// Kafka has run (or given with -rate).
	rate float64
	// toolRates caps a client tool's fixed rate at half of what that tool
	// reached on Kafka: Kafka's Java tool, four JVMs on two cores, tops out
	// far below the broker, and a rate it cannot send would stretch its run.
	toolRates map[string]float64
	notes     *[]string
	logf      func(format string, args ...any)
	// steps limits the run to these steps (nil: all).
	steps map[string]bool
}

func (r *runner) runSystem(ctx context.Context, sys string) *SystemResult {
	res := &SystemResult{Name: sys, Errors: map[string]string{}, Extra: map[string]float64{}}
	dir := filepath.Join(r.root, sys)
	defer os.RemoveAll(dir)
	c, err := newCluster(ctx, sys, r.env, dir, r.nodes, r.rf, r.prof.serverProps)
	if err != nil {
		res.Errors["setup"] = err.Error()
		return res
	}
	defer func() {
		if c.alive() {
			if err := c.stop(2 * time.Minute); err != nil {
				r.logf("%s: %v", sys, err)
			}
		}
	}()
	r.logf("%s: starting %d node(s)", sys, r.nodes)
	ready, err := c.start(ctx, r.prof.readyTimeout)
	if err != nil {
		res.Errors["start"] = err.Error()
		r.logf("%s: start FAILED: %v", sys, err)
		_ = c.kill9()
		return res
	}
	res.StartToReadyMs = ready
	r.logf("%s: ready in %.0f ms", sys, ready)

	step := func(name string, f func() error) {
		if r.steps != nil && !r.steps[strings.ReplaceAll(name, " ", "-")] {
			return
		}
		if ctx.Err() != nil {
			res.Errors[name] = ctx.Err().Error()
			return
		}
		t0 := time.Now()
		r.logf("%s: %s", sys, name)
		err := f()
		if err != nil {
			res.Errors[name] = err.Error()
			r.logf("%s: %s FAILED after %.1fs: %v", sys, name, time.Since(t0).Seconds(), err)
		} else {
			r.logf("%s: %s done in %.1fs", sys, name, time.Since(t0).Seconds())
		}
		if c.alive() || ctx.Err() != nil {
			return
		}
		// A node that died takes the later workloads with it unless it comes back.
		_ = c.kill9()
		if _, err := c.start(ctx, r.prof.readyTimeout); err != nil {
			r.logf("%s: restart after a failed step: %v", sys, err)
		}
	}
	step("max produce", func() error { return r.maxProduce(ctx, c, res) })
	if sys == kafkaSys {
		if r.rate == 0 {
			r.rate = halfOfMax(res)
		}
		for _, p := range res.Produce {
			if p.Workload == "max produce" && r.toolRates[p.Tool] == 0 {
				r.toolRates[p.Tool] = p.RecordsPerS / 2
			}
		}
	}
	step("fixed rate", func() error {
		rate := r.rate
		if rate == 0 {
			rate = halfOfMax(res)
			*r.notes = append(*r.notes, fmt.Sprintf("no Kafka maximum to take half of; %s ran the fixed-rate workload at half of its own", sys))
		}
		if rate == 0 {
			return fmt.Errorf("no fixed rate: Kafka's maximum produce run failed and no -rate was given")
		}
		if r.prof.maxFixedRate > 0 {
			rate = min(rate, r.prof.maxFixedRate)
		}
		r.rate = rate
		return r.fixedRate(ctx, c, res, rate)
	})
	step("consume", func() error { return r.consume(ctx, c, res) })
	step("many partitions", func() error { return r.manyPartitions(ctx, c, res) })
	step("recovery", func() error { return r.recovery(ctx, c, res) })
	for _, u := range res.Resources {
		res.PeakRSSMiB = max(res.PeakRSSMiB, u.MaxRSSMiB)
	}
	if len(res.Errors) == 0 {
		res.Errors = nil
	}
	return res
}

// halfOfMax is half the best unkeyed produce throughput any client reached:
// the broker's maximum on this machine, not one client's.
func halfOfMax(res *SystemResult) float64 {
	best := 0.0
	for _, p := range res.Produce {
		if !p.Keyed {
			best = max(best, p.RecordsPerS)
		}
	}
	return best / 2
}

func (c *cluster) alive() bool {
	for _, n := range c.nodes {
		if n.cmd == nil {
			return false
		}
		select {
		case <-n.done:
			return false
		default:
		}
	}
	return true
}
