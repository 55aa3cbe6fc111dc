package config

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// parseValue converts a raw string to the Go value for t: bool, int64,
// float64, string or []string. Numbers and strings are trimmed like Kafka's
// ConfigDef does; passwords are kept verbatim.
func parseValue(t Type, raw string) (any, error) {
	s := strings.TrimSpace(raw)
	switch t {
	case TypeBoolean:
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, errors.New("Expected value to be either true or false")
	case TypeInt, TypeShort, TypeLong:
		bits := map[Type]int{TypeInt: 32, TypeShort: 16, TypeLong: 64}[t]
		n, err := strconv.ParseInt(s, 10, bits)
		if err != nil {
			return nil, fmt.Errorf("Not a number of type %s", strings.ToUpper(t.String()))
		}
		return n, nil
	case TypeDouble:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) {
			return nil, errors.New("Not a number of type DOUBLE")
		}
		return f, nil
	case TypeList:
		return splitList(s), nil
	case TypePassword:
		return raw, nil
	default:
		return s, nil
	}
}

// splitList splits a comma-separated list, trimming items; "" is empty.
func splitList(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return []string{}
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// Validator checks an already-typed value and describes the valid values
// for the generated docs.
type Validator interface {
	Validate(v any) error
	String() string
}

type rangeV struct {
	min, max       float64
	hasMin, hasMax bool
}

func atLeast(n float64) Validator      { return rangeV{min: n, hasMin: true} }
func between(lo, hi float64) Validator { return rangeV{min: lo, max: hi, hasMin: true, hasMax: true} }

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func fmtNum(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e18 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func (r rangeV) Validate(v any) error {
	f, ok := num(v)
	if !ok {
		return nil
	}
	if r.hasMin && f < r.min {
		return fmt.Errorf("Value must be at least %s", fmtNum(r.min))
	}
	if r.hasMax && f > r.max {
		return fmt.Errorf("Value must be no more than %s", fmtNum(r.max))
	}
	return nil
}

func (r rangeV) String() string {
	switch {
	case r.hasMin && r.hasMax:
		return "[" + fmtNum(r.min) + ",...," + fmtNum(r.max) + "]"
	case r.hasMin:
		return "[" + fmtNum(r.min) + ",...]"
	case r.hasMax:
		return "[...," + fmtNum(r.max) + "]"
	}
	return ""
}

// inV accepts one of a fixed set of strings (case-insensitive when fold).
type inV struct {
	vals []string
	fold bool
}

func oneOf(vals ...string) Validator     { return inV{vals: vals} }
func oneOfFold(vals ...string) Validator { return inV{vals: vals, fold: true} }

func (in inV) has(s string) bool {
	for _, v := range in.vals {
		if v == s || (in.fold && strings.EqualFold(v, s)) {
			return true
		}
	}
	return false
}

func (in inV) Validate(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	if !in.has(s) {
		return fmt.Errorf("String must be one of: %s", strings.Join(in.vals, ", "))
	}
	return nil
}

func (in inV) String() string { return joinQuoted(in.vals) }

// listInV accepts a list whose every item is one of vals.
type listInV struct {
	vals       []string
	allowEmpty bool
}

func listOf(vals ...string) Validator { return listInV{vals: vals, allowEmpty: true} }

func (l listInV) Validate(v any) error {
	items, ok := v.([]string)
	if !ok {
		return nil
	}
	if len(items) == 0 && !l.allowEmpty {
		return errors.New("Empty list not allowed")
	}
	for _, it := range items {
		if !slices.Contains(l.vals, it) {
			return fmt.Errorf("item %q is not one of: %s", it, strings.Join(l.vals, ", "))
		}
	}
	return nil
}

func (l listInV) String() string { return joinQuoted(l.vals) }

// funcV wraps an ad-hoc check with its docs text.
type funcV struct {
	fn   func(any) error
	desc string
}

func (f funcV) Validate(v any) error { return f.fn(v) }
func (f funcV) String() string       { return f.desc }

// rangeOr accepts [lo, hi] or the single value extra (gzip level: 1..9 or -1).
func rangeOr(lo, hi, extra int64) Validator {
	return funcV{
		desc: fmt.Sprintf("[%d,...,%d] or %d", lo, hi, extra),
		fn: func(v any) error {
			n, ok := v.(int64)
			if !ok || n == extra || (n >= lo && n <= hi) {
				return nil
			}
			return fmt.Errorf("Value must be between %d and %d or equal to %d", lo, hi, extra)
		},
	}
}

// nonEmptyList rejects an empty list (log.dirs, process.roles when set).
func nonEmptyList(desc string) Validator {
	return funcV{desc: desc, fn: func(v any) error {
		if items, ok := v.([]string); ok {
			for _, it := range items {
				if it == "" {
					return errors.New("Empty list item not allowed")
				}
			}
		}
		return nil
	}}
}

// throttledReplicas validates "*" or "partition:broker,..." lists.
var throttledReplicas = funcV{
	desc: "[partitionId]:[brokerId],[partitionId]:[brokerId],... or *",
	fn: func(v any) error {
		items, _ := v.([]string)
		if len(items) == 1 && items[0] == "*" {
			return nil
		}
		for _, it := range items {
			p, b, ok := strings.Cut(it, ":")
			if !ok {
				return errors.New("must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...")
			}
			if _, err := strconv.ParseInt(strings.TrimSpace(p), 10, 32); err != nil {
				return fmt.Errorf("bad partition id %q", p)
			}
			if _, err := strconv.ParseInt(strings.TrimSpace(b), 10, 32); err != nil {
				return fmt.Errorf("bad broker id %q", b)
			}
		}
		return nil
	},
}

// listenersV checks every entry of a listeners-style list parses.
var listenersV = funcV{
	desc: "NAME://host:port,...",
	fn: func(v any) error {
		_, err := parseListeners(asList(v))
		return err
	},
}

var protocolMapV = funcV{
	desc: "NAME:PROTOCOL,...",
	fn: func(v any) error {
		_, err := parseProtocolMap(asList(v))
		return err
	},
}

var votersV = funcV{
	desc: "id@host:port,...",
	fn: func(v any) error {
		_, err := parseVoters(asList(v))
		return err
	},
}

// asList accepts both LIST values and comma-separated STRING values
// (listeners and friends are STRING typed in Kafka).
func asList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case string:
		return splitList(x)
	}
	return nil
}
