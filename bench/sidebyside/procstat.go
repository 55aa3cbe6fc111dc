package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat; it
// is 100 on every Linux architecture the project targets.
const clockTicks = 100

// cpuSeconds is user plus system CPU time of a process so far.
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("reading stat of pid %d: %w", pid, err)
	}
	return parseStatCPU(b)
}

// parseStatCPU reads utime and stime (fields 14 and 15) from a stat line. The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStatCPU(b []byte) (float64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc stat line %q", b)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc stat line %q", b)
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bad utime/stime in /proc stat line %q", b)
	}
	return float64(ut+st) / clockTicks, nil
}

// memKiB returns VmRSS and VmHWM of a process in KiB.
func memKiB(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("reading status of pid %d: %w", pid, err)
	}
	return parseStatusMem(b)
}

func parseStatusMem(b []byte) (rss, hwm int64, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, perr := strconv.ParseInt(f[0], 10, 64)
		if perr != nil {
			return 0, 0, fmt.Errorf("bad %s value %q", k, v)
		}
		if k == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("no VmRSS in /proc status")
	}
	return rss, hwm, nil
}

// usage tracks one workload's server CPU time and largest resident set over
// all nodes of a cluster; RSS is sampled because VmHWM only ever grows.
type usage struct {
	pids     []int
	cpu0     float64
	start    time.Time
	mu       sync.Mutex
	maxRSS   int64
	stop     chan struct{}
	finished chan struct{}
}

func startUsage(pids []int) *usage {
	u := &usage{pids: pids, start: time.Now(), stop: make(chan struct{}), finished: make(chan struct{})}
	u.cpu0 = u.cpu()
	u.sample()
	go func() {
		defer close(u.finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-u.stop:
				return
			case <-t.C:
				u.sample()
			}
		}
	}()
	return u
}

func (u *usage) cpu() float64 {
	var sum float64
	for _, p := range u.pids {
		if c, err := cpuSeconds(p); err == nil {
			sum += c
		}
	}
	return sum
}

func (u *usage) sample() {
	var sum int64
	for _, p := range u.pids {
		if rss, _, err := memKiB(p); err == nil {
			sum += rss
		}
	}
	u.mu.Lock()
	u.maxRSS = max(u.maxRSS, sum)
	u.mu.Unlock()
}

// end stops sampling and returns the workload's resource record.
func (u *usage) end(workload string, bytesMoved int64) ResourceResult {
	u.sample()
	close(u.stop)
	<-u.finished
	cpu := u.cpu() - u.cpu0
	r := ResourceResult{
		Workload:   workload,
		BytesMoved: bytesMoved,
		CPUSec:     cpu,
		MaxRSSMiB:  float64(u.maxRSS) / 1024,
		WallSec:    time.Since(u.start).Seconds(),
	}
	if bytesMoved > 0 {
		r.CPUSecPerGiB = cpu / (float64(bytesMoved) / (1 << 30))
	}
	return r
}
