package main

// The physical limits the systems are compared against: sequential disk
// bandwidth of the data directory's filesystem (dd, with and without the page
// cache) and loopback TCP throughput between two goroutines.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func measurePhysical(ctx context.Context, e *env, dir string, diskBytes int64, loopback time.Duration) Physical {
	p := Physical{DiskTestBytes: diskBytes}
	var errs []error
	if err := measureDisk(ctx, e, dir, diskBytes, &p); err != nil {
		errs = append(errs, err)
	}
	best := 0.0
	for _, conns := range []int{1, 4} {
		mibs, err := loopbackMiBs(ctx, conns, loopback)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if mibs > best {
			best, p.LoopbackConns = mibs, conns
		}
	}
	p.LoopbackMiBs = best
	if err := errors.Join(errs...); err != nil {
		p.Error = err.Error()
	}
	return p
}

func measureDisk(ctx context.Context, e *env, dir string, size int64, p *Physical) error {
	f := filepath.Join(dir, "dd-test")
	defer os.Remove(f)
	mib := strconv.FormatInt(max(size>>20, 1), 10)
	bytes := max(size>>20, 1) << 20
	dd := func(args ...string) (float64, error) {
		cmd := append([]string{"dd"}, args...)
		e.record(cmd)
		t0 := time.Now()
		out, err := exec.CommandContext(ctx, "dd", args...).CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("dd %v: %w: %s", args, err, out)
		}
		return float64(bytes) / (1 << 20) / time.Since(t0).Seconds(), nil
	}
	var errs []error
	var err error
	if p.DiskWriteDirectMiBs, err = dd("if=/dev/zero", "of="+f, "bs=1M", "count="+mib, "oflag=direct", "conv=fsync"); err != nil {
		errs = append(errs, fmt.Errorf("O_DIRECT write (filesystem may not support it): %w", err))
	}
	if p.DiskWriteBufferedMiBs, err = dd("if=/dev/zero", "of="+f, "bs=1M", "count="+mib, "conv=fdatasync"); err != nil {
		return errors.Join(append(errs, err)...)
	}
	if p.DiskReadDirectMiBs, err = dd("if="+f, "of=/dev/null", "bs=1M", "iflag=direct"); err != nil {
		errs = append(errs, fmt.Errorf("O_DIRECT read: %w", err))
	}
	// The buffered write left the file in the page cache; one read makes sure.
	if _, err = dd("if="+f, "of=/dev/null", "bs=1M"); err == nil {
		p.DiskReadCachedMiBs, err = dd("if="+f, "of=/dev/null", "bs=1M")
	}
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// loopbackMiBs streams 1 MiB writes over conns loopback TCP connections for
// d and returns what the receivers read per second.
func loopbackMiBs(ctx context.Context, conns int, d time.Duration) (float64, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("loopback listener: %w", err)
	}
	defer l.Close()
	var received atomic.Int64
	var wg sync.WaitGroup
	accepted := make(chan net.Conn, conns)
	go func() {
		for range conns {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
		close(accepted)
	}()
	senders := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range senders {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			return 0, fmt.Errorf("loopback dial: %w", err)
		}
		senders = append(senders, c)
	}
	for c := range accepted {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			defer c.Close()
			buf := make([]byte, 1<<20)
			for {
				n, err := c.Read(buf)
				received.Add(int64(n))
				if err != nil {
					return
				}
			}
		}(c)
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	t0 := time.Now()
	var sw sync.WaitGroup
	for _, c := range senders {
		sw.Add(1)
		go func(c net.Conn) {
			defer sw.Done()
			buf := make([]byte, 1<<20)
			for ctx.Err() == nil {
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}(c)
	}
	sw.Wait()
	got := received.Load()
	elapsed := time.Since(t0)
	for _, c := range senders {
		c.Close()
	}
	senders = nil
	wg.Wait()
	if got == 0 {
		return 0, fmt.Errorf("loopback: nothing received: %w", io.ErrUnexpectedEOF)
	}
	return float64(got) / (1 << 20) / elapsed.Seconds(), nil
}
