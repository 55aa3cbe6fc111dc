// Package config turns server.properties, KAFKA_* environment variables and
// --override flags into a typed Config, and holds the single table of broker
// and topic config definitions (names, types, defaults, validity, dynamic
// scope) that validation, DescribeConfigs and docs/configuration.md share.
package config

import (
	"fmt"
	"strings"
)

// Type is a config value type; the numbers are the ConfigType codes Kafka
// returns in DescribeConfigs responses (v3+).
type Type int8

const (
	TypeUnknown  Type = 0
	TypeBoolean  Type = 1
	TypeString   Type = 2
	TypeInt      Type = 3
	TypeShort    Type = 4
	TypeLong     Type = 5
	TypeDouble   Type = 6
	TypeList     Type = 7
	TypeClass    Type = 8
	TypePassword Type = 9
)

func (t Type) String() string {
	switch t {
	case TypeBoolean:
		return "boolean"
	case TypeString:
		return "string"
	case TypeInt:
		return "int"
	case TypeShort:
		return "short"
	case TypeLong:
		return "long"
	case TypeDouble:
		return "double"
	case TypeList:
		return "list"
	case TypeClass:
		return "class"
	case TypePassword:
		return "password"
	}
	return "unknown"
}

// Importance mirrors Kafka's HIGH/MEDIUM/LOW documentation grouping.
type Importance int8

const (
	High Importance = iota
	Medium
	Low
)

func (i Importance) String() string {
	switch i {
	case High:
		return "high"
	case Medium:
		return "medium"
	}
	return "low"
}

// Scope says whether and where a broker config may be changed at runtime,
// matching the "Update Mode" column of Kafka's broker config docs.
type Scope int8

const (
	ReadOnly    Scope = iota // only in server.properties; needs a restart
	PerBroker                // dynamic, settable per broker (and as cluster default)
	ClusterWide              // dynamic, settable per broker or cluster-wide
)

func (s Scope) String() string {
	switch s {
	case PerBroker:
		return "per-broker"
	case ClusterWide:
		return "cluster-wide"
	}
	return "read-only"
}

// Def defines one config key.
type Def struct {
	Name string
	Type Type
	// Default is the value used when the key is not set, as Kafka's docs
	// print it. NullDefault marks keys whose default is null (unset).
	Default     string
	NullDefault bool
	Valid       Validator // nil: any value of the right type
	Importance  Importance
	Scope       Scope // broker configs only; topic configs are always dynamic
	Doc         string
	// Synonyms, for a topic config, lists the broker properties it inherits
	// its default from, highest priority first (retention.ms <-
	// log.retention.ms, log.retention.minutes, log.retention.hours). For a
	// broker config that can be given under several keys it lists the whole
	// key group, highest priority first (Kafka's broker synonyms).
	Synonyms []string
	// Internal keys are accepted but left out of the generated docs.
	Internal bool
}

// Sensitive reports whether the value must be hidden in DescribeConfigs.
func (d *Def) Sensitive() bool { return d.Type == TypePassword }

// Dynamic reports whether a broker config may be altered at runtime.
func (d *Def) Dynamic() bool { return d.Scope != ReadOnly }

// Check parses value according to the def's type and validator.
func (d *Def) Check(value string) error {
	v, err := parseValue(d.Type, value)
	if err != nil {
		return &ValueError{Name: d.Name, Value: value, Reason: err.Error()}
	}
	if d.Valid != nil && v != nil {
		if err := d.Valid.Validate(v); err != nil {
			return &ValueError{Name: d.Name, Value: value, Reason: err.Error()}
		}
	}
	return nil
}

// ValueError is an invalid value for a known key. Its message follows the
// shape of Kafka's ConfigException so clients see familiar text.
type ValueError struct {
	Name, Value, Reason string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("Invalid value %s for configuration %s: %s", e.Value, e.Name, e.Reason)
}

// UnknownError is a key that is not defined for the resource type.
type UnknownError struct {
	Name     string
	Resource string // "topic" or "broker"
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("Unknown %s config name: %s", e.Resource, e.Name)
}

// ReadOnlyError is an attempt to alter a config at a level where it cannot
// change at runtime.
type ReadOnlyError struct {
	Name   string
	Reason string
}

func (e *ReadOnlyError) Error() string { return e.Reason + ": " + e.Name }

func defIndex(defs []*Def) map[string]*Def {
	m := make(map[string]*Def, len(defs))
	for _, d := range defs {
		if _, dup := m[d.Name]; dup {
			panic("config: duplicate definition " + d.Name)
		}
		m[d.Name] = d
	}
	return m
}

// defaultString is how a def's default appears in Describe and docs; ok is
// false when the default is null.
func (d *Def) defaultString() (string, bool) {
	if d.NullDefault {
		return "", false
	}
	return d.Default, true
}

func joinQuoted(vals []string) string { return "[" + strings.Join(vals, ", ") + "]" }
