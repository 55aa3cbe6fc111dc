// Package kafkatime parses the time formats Kafka's tools and configs
// accept: its strict ISO-8601 date-time (consumer-groups --to-datetime) and
// java.time.Duration's PnDTnHnMnS form (--by-duration, share.auto.offset.reset
// by_duration:).
package kafkatime

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var kafkaDateTimeRE = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{1,3})(Z|[+-]\d{2}(?::?\d{2})?)$`)

// ParseDateTime parses 'YYYY-MM-DDThh:mm:ss.sss' with an optional zone
// (Z, +hh, +hhmm or +hh:mm; UTC when absent) into epoch milliseconds, as
// Kafka's tools do. Milliseconds are required and fields are not normalised
// (no February 30th).
func ParseDateTime(s string) (int64, error) {
	date, clock, ok := strings.Cut(s, "T")
	if !ok || clock == "" || date == "" {
		return 0, fmt.Errorf("Error parsing timestamp. It does not contain a 'T' according to ISO8601 format: %q", s)
	}
	full := s
	if !strings.ContainsAny(clock, "+-Z") {
		full += "Z"
	}
	m := kafkaDateTimeRE.FindStringSubmatch(full)
	if m == nil {
		return 0, fmt.Errorf("Unparseable date: %q (expected YYYY-MM-DDThh:mm:ss.sss, optionally followed by Z or an offset such as +01:00)", s)
	}
	n := make([]int, 7)
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	loc := time.UTC
	if z := m[8]; z != "Z" {
		digits := strings.ReplaceAll(z[1:], ":", "")
		h, _ := strconv.Atoi(digits[:2])
		mins := 0
		if len(digits) == 4 {
			mins, _ = strconv.Atoi(digits[2:])
		}
		if h > 23 || mins > 59 {
			return 0, fmt.Errorf("Unparseable date: %q (bad zone offset %s)", s, z)
		}
		off := h*3600 + mins*60
		if z[0] == '-' {
			off = -off
		}
		loc = time.FixedZone(z, off)
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], n[6]*int(time.Millisecond), loc)
	if t.Year() != n[0] || int(t.Month()) != n[1] || t.Day() != n[2] || t.Hour() != n[3] || t.Minute() != n[4] || t.Second() != n[5] {
		return 0, fmt.Errorf("Unparseable date: %q (field out of range)", s)
	}
	return t.UnixMilli(), nil
}

var isoDurationRE = regexp.MustCompile(`(?i)^([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$`)

// ParseDuration parses java.time.Duration's text form, e.g. P1DT2H3M4.5S
// or PT-30M. Like Java, days are exactly 24 hours.
func ParseDuration(s string) (time.Duration, error) {
	m := isoDurationRE.FindStringSubmatch(s)
	if m == nil || (m[2] == "" && m[3] == "") || m[3] == "T" {
		return 0, fmt.Errorf("Text cannot be parsed to a Duration: %q (expected PnDTnHnMnS)", s)
	}
	total := new(big.Int)
	add := func(v string, unit time.Duration) error {
		if v == "" {
			return nil
		}
		n, ok := new(big.Int).SetString(strings.TrimPrefix(v, "+"), 10)
		if !ok {
			return fmt.Errorf("Text cannot be parsed to a Duration: %q", s)
		}
		total.Add(total, n.Mul(n, big.NewInt(int64(unit))))
		return nil
	}
	for _, p := range []struct {
		v    string
		unit time.Duration
	}{{m[2], 24 * time.Hour}, {m[4], time.Hour}, {m[5], time.Minute}, {m[6], time.Second}} {
		if err := add(p.v, p.unit); err != nil {
			return 0, err
		}
	}
	if frac := m[7]; frac != "" {
		ns, _ := strconv.Atoi((frac + "000000000")[:9])
		if strings.HasPrefix(m[6], "-") {
			ns = -ns
		}
		total.Add(total, big.NewInt(int64(ns)))
	}
	if m[1] == "-" {
		total.Neg(total)
	}
	if !total.IsInt64() || total.Int64() == math.MinInt64 {
		return 0, fmt.Errorf("duration %q is out of range (at most about 292 years)", s)
	}
	return time.Duration(total.Int64()), nil
}
