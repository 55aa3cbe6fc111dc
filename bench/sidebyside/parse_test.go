package main

import (
	"math"
	"testing"
)

func TestParseProducerPerf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		out     string
		want    perfSummary
		wantErr bool
	}{
		{
			name: "kafka summary after progress lines",
			out: "49981 records sent, 9992.2 records/sec (9.76 MB/sec), 3.1 ms avg latency, 180.0 ms max latency.\n" +
				"100000 records sent, 9994.003598 records/sec (9.76 MB/sec), 2.61 ms avg latency, 180.00 ms max latency, 2 ms 50th, 4 ms 95th, 12 ms 99th, 101 ms 99.9th.\n",
			want: perfSummary{records: 100000, recPerSec: 9994.003598, mibPerSec: 9.76, avgMs: 2.61, maxMs: 180, p50: 2, p95: 4, p99: 12, p999: 101},
		},
		{
			name: "steady state line is not the total",
			out: "10 records sent, 5.000000 records/sec (0.00 MB/sec), 1.00 ms avg latency, 2.00 ms max latency, 1 ms 50th, 2 ms 95th, 2 ms 99th, 2 ms 99.9th.\n" +
				"8 steady state records sent, 5.000000 records/sec (0.00 MB/sec), 1.00 ms avg latency, 2.00 ms max latency, 1 ms 50th, 2 ms 95th, 2 ms 99th, 2 ms 99.9th.\n",
			want: perfSummary{records: 10, recPerSec: 5, avgMs: 1, maxMs: 2, p50: 1, p95: 2, p99: 2, p999: 2},
		},
		{name: "no summary", out: "Exception in thread main\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProducerPerf(tc.out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseConsumerPerf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		out     string
		want    consumerSummary
		wantErr bool
	}{
		{
			name: "kafka layout",
			out: "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n" +
				"2026-11-21 18:30:44:162, 2026-11-21 18:30:46:162, 19.5312, 9.7656, 20000, 10000.0000, 312, 1688, 11.5706, 11848.3412\n",
			want: consumerSummary{mib: 19.5312, mibPerSec: 9.7656, records: 20000, recPerSec: 10000, rebalanceMs: 312, fetchMs: 1688, fetchMiBs: 11.5706, fetchRecs: 11848.3412},
		},
		{name: "header only", out: "start.time, end.time, data.consumed.in.MB\n", wantErr: true},
		{name: "short line", out: "start.time, end.time, data.consumed.in.MB, MB.sec\n1, 2, 3\n", wantErr: true},
		{name: "not a number", out: "data.consumed.in.MB\na, b, x, 1, 2, 3, 4, 5, 6, 7\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseConsumerPerf(tc.out)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseEndToEnd(t *testing.T) {
	got, err := parseEndToEnd("Avg latency: 1.2345 ms\nPercentiles: 50th = 1, 99th = 3, 99.9th = 17\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"avg": 1.2345, "50": 1, "99": 3, "99.9": 17}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if _, err := parseEndToEnd("Avg latency: 1.2 ms\n"); err == nil {
		t.Error("missing percentiles line accepted")
	}
}

func TestParseProc(t *testing.T) {
	stat := []byte("1234 (java (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 40 0 123 456 789\n")
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3.25 {
		t.Errorf("parseStatCPU = %v, %v; want 3.25", cpu, err)
	}
	if _, err := parseStatCPU([]byte("no paren")); err == nil {
		t.Error("malformed stat accepted")
	}
	status := []byte("Name:\todradek\nVmHWM:\t  40960 kB\nVmRSS:\t  30720 kB\nThreads:\t9\n")
	rss, hwm, err := parseStatusMem(status)
	if err != nil || rss != 30720 || hwm != 40960 {
		t.Errorf("parseStatusMem = %d, %d, %v", rss, hwm, err)
	}
	if _, _, err := parseStatusMem([]byte("Name:\tzombie\n")); err == nil {
		t.Error("status without VmRSS accepted")
	}
}

func TestPercentiles(t *testing.T) {
	var us []int64
	for i := int64(1); i <= 1000; i++ {
		us = append(us, i*1000) // 1..1000 ms
	}
	for _, tc := range []struct {
		q    float64
		want float64
	}{{50, 500}, {99, 990}, {99.9, 999}, {100, 1000}, {0, 1}} {
		if got := percentileMs(us, tc.q); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.q, got, tc.want)
		}
	}
	if !math.IsNaN(percentileMs(nil, 50)) {
		t.Error("percentile of no samples is not NaN")
	}
	p := percentiles([]int64{3000, 1000, 2000})
	if p["50"] != 2 || p["100"] != 3 {
		t.Errorf("percentiles = %v", p)
	}
}
