package kafkatime

import (
	"strings"
	"testing"
	"time"
)

func TestParseKafkaDateTime(t *testing.T) {
	ms := func(s string) int64 { tm, _ := time.Parse(time.RFC3339Nano, s); return tm.UnixMilli() }
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"2024-03-01T12:30:45.123", ms("2024-03-01T12:30:45.123Z"), ""},
		{"2024-03-01T12:30:45.123Z", ms("2024-03-01T12:30:45.123Z"), ""},
		{"2024-03-01T12:30:45.123+01:00", ms("2024-03-01T11:30:45.123Z"), ""},
		{"2024-03-01T12:30:45.123-0230", ms("2024-03-01T15:00:45.123Z"), ""},
		{"2024-03-01T12:30:45.123+05", ms("2024-03-01T07:30:45.123Z"), ""},
		{"2024-03-01T12:30:45.5", ms("2024-03-01T12:30:45.005Z"), ""}, // Java reads "5" as 5 ms
		{"2024-03-01 12:30:45.123", 0, "does not contain a 'T'"},
		{"2024-03-01T12:30:45", 0, "Unparseable date"},
		{"2024-02-30T12:30:45.000", 0, "out of range"},
		{"2024-03-01T25:00:00.000", 0, "out of range"},
		{"yesterday", 0, "does not contain a 'T'"},
	}
	for _, tc := range tests {
		got, err := ParseDateTime(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func TestParseISODuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"PT1H", time.Hour, true},
		{"P1DT2H3M4S", 26*time.Hour + 3*time.Minute + 4*time.Second, true},
		{"PT0.5S", 500 * time.Millisecond, true},
		{"pt30m", 30 * time.Minute, true},
		{"-PT1M", -time.Minute, true},
		{"PT-1M", -time.Minute, true},
		{"P2D", 48 * time.Hour, true},
		{"PT-1.5S", -1500 * time.Millisecond, true},
		{"P", 0, false},
		{"PT", 0, false},
		{"1h", 0, false},
		{"P1Y", 0, false},
		{"P999999999D", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%q = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
