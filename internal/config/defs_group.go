package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/odradek/odradek/internal/kafkatime"
)

// groupDef is one group config (resource type GROUP): a per-group override
// of a broker setting. Its default is the broker key's current value.
type groupDef struct {
	*Def
	// Broker is the broker key the group config overrides ("" for the
	// share keys that have no broker counterpart).
	Broker string
	// Min and Max name the broker keys bounding the group value ("" if
	// unbounded on that side).
	Min, Max string
}

// groupDefs are Kafka 4.3's group configs (GroupConfig), sorted by name.
// Values are bounded by the broker's group.<type>.min/max.* keys, so an
// operator keeps control over what a group may ask for.
var groupDefs = []*groupDef{
	bounded(&Def{Name: "consumer.assignment.interval.ms", Type: TypeInt, Default: "1000", Valid: atLeast(0), Importance: Medium,
		Doc: "The interval between assignment updates for a consumer group."}),
	bounded(&Def{Name: "consumer.heartbeat.interval.ms", Type: TypeInt, Default: "5000", Valid: atLeast(1), Importance: Medium,
		Doc: "The heartbeat interval given to the members of a consumer group."}),
	bounded(&Def{Name: "consumer.session.timeout.ms", Type: TypeInt, Default: "45000", Valid: atLeast(1), Importance: Medium,
		Doc: "The timeout to detect client failures when using the consumer group protocol."}),
	bounded(&Def{Name: "share.assignment.interval.ms", Type: TypeInt, Default: "1000", Valid: atLeast(0), Importance: Medium,
		Doc: "The interval between assignment updates for a share group."}),
	{Def: &Def{Name: "share.auto.offset.reset", Type: TypeString, Default: "latest", Valid: shareAutoOffsetResetV, Importance: Medium,
		Doc: "The strategy to initialize the share-partition start offset: earliest, latest, or by_duration:<ISO-8601 duration>."}},
	bounded(&Def{Name: "share.delivery.count.limit", Type: TypeInt, Default: "5", Valid: atLeast(2), Importance: Medium,
		Doc: "The maximum number of delivery attempts for a record delivered to a share group."}),
	bounded(&Def{Name: "share.heartbeat.interval.ms", Type: TypeInt, Default: "5000", Valid: atLeast(1), Importance: Medium,
		Doc: "The heartbeat interval given to the members of a share group."}),
	{Def: &Def{Name: "share.isolation.level", Type: TypeString, Default: "read_uncommitted", Valid: oneOf("read_committed", "read_uncommitted"), Importance: Medium,
		Doc: "Whether a share group delivers only committed transactional records (read_committed) or all records (read_uncommitted)."}},
	bounded(&Def{Name: "share.partition.max.record.locks", Type: TypeInt, Default: "2000", Valid: atLeast(100), Importance: Medium,
		Doc: "Share-group record lock limit per share-partition."}),
	bounded(&Def{Name: "share.record.lock.duration.ms", Type: TypeInt, Default: "30000", Valid: atLeast(1000), Importance: Medium,
		Doc: "The record acquisition lock duration in milliseconds for share groups."}),
	{Def: &Def{Name: "share.renew.acknowledge.enable", Type: TypeBoolean, Default: "true", Importance: Medium,
		Doc: "Whether the renew acknowledge type is enabled for the share group."}},
	bounded(&Def{Name: "share.session.timeout.ms", Type: TypeInt, Default: "45000", Valid: atLeast(1), Importance: Medium,
		Doc: "The timeout to detect client failures when using the share group protocol."}),
	bounded(&Def{Name: "streams.assignment.interval.ms", Type: TypeInt, Default: "1000", Valid: atLeast(0), Importance: Medium,
		Doc: "The interval between assignment updates for a streams group."}),
	bounded(&Def{Name: "streams.heartbeat.interval.ms", Type: TypeInt, Default: "5000", Valid: atLeast(1), Importance: Medium,
		Doc: "The heartbeat interval given to the members."}),
	{Def: &Def{Name: "streams.initial.rebalance.delay.ms", Type: TypeInt, Default: "3000", Valid: atLeast(0), Importance: Medium,
		Doc: "The amount of time the group coordinator will wait for more streams clients to join a new group before performing the first rebalance."},
		Broker: "group.streams.initial.rebalance.delay.ms"},
	{Def: &Def{Name: "streams.num.standby.replicas", Type: TypeInt, Default: "0", Valid: atLeast(0), Importance: Medium,
		Doc: "The number of standby replicas for each task."},
		Broker: "group.streams.num.standby.replicas", Max: "group.streams.max.standby.replicas"},
	bounded(&Def{Name: "streams.session.timeout.ms", Type: TypeInt, Default: "45000", Valid: atLeast(1), Importance: Medium,
		Doc: "The timeout to detect client failures when using the streams group protocol."}),
}

// bounded is a group config overriding the broker key group.<name> within
// group.<type>.min.<rest> and group.<type>.max.<rest>, the pattern most
// of Kafka's group configs follow.
func bounded(d *Def) *groupDef {
	typ, rest, _ := strings.Cut(d.Name, ".")
	return &groupDef{Def: d, Broker: "group." + d.Name,
		Min: "group." + typ + ".min." + rest, Max: "group." + typ + ".max." + rest}
}

var groupIndex = func() map[string]*groupDef {
	m := map[string]*groupDef{}
	for _, d := range groupDefs {
		if d.Broker != "" {
			for _, k := range []string{d.Broker, d.Min, d.Max} {
				if _, ok := brokerIndex[k]; k != "" && !ok {
					panic("config: group config " + d.Name + " refers to undefined broker config " + k)
				}
			}
		}
		m[d.Name] = d
	}
	return m
}()

// shareAutoOffsetResetV accepts earliest, latest and by_duration:<ISO-8601>.
var shareAutoOffsetResetV = funcV{desc: "[latest, earliest, by_duration:PnDTnHnMn.nS]", fn: func(v any) error {
	s, _ := v.(string)
	if s == "latest" || s == "earliest" {
		return nil
	}
	if d, ok := strings.CutPrefix(s, "by_duration:"); ok {
		if n, err := kafkatime.ParseDuration(d); err == nil && n >= 0 {
			return nil
		}
	}
	return fmt.Errorf("Invalid value `%s` for configuration share.auto.offset.reset. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.", s)
}}

// GroupConfigNames lists the group config keys, sorted.
func GroupConfigNames() []string {
	out := make([]string, 0, len(groupDefs))
	for _, d := range groupDefs {
		out = append(out, d.Name)
	}
	return out
}

// IsGroupConfig reports whether name is a group config key.
func IsGroupConfig(name string) bool { _, ok := groupIndex[name]; return ok }

// ValidateGroupConfigValue checks one group config key and value on its
// own: the key must exist and the value parse and pass its validator.
func ValidateGroupConfigValue(name, value string) error {
	d, ok := groupIndex[name]
	if !ok {
		return &UnknownError{Name: name, Resource: "group"}
	}
	return d.Check(value)
}

// ValidateGroupConfig checks a group's whole set of overrides (after an
// alter is applied) against the broker's bounds, the way Kafka's
// GroupConfig.validate does: each value within its group.*.min/max.* keys,
// and every session timeout above its heartbeat interval. Bounds come from
// the static config and the dynamic cluster and broker layers.
func ValidateGroupConfig(static *Config, clusterDyn, brokerDyn, overrides map[string]string) error {
	names := make([]string, 0, len(overrides))
	for k, v := range overrides {
		if err := ValidateGroupConfigValue(k, v); err != nil {
			return err
		}
		names = append(names, k)
	}
	sort.Strings(names)
	l := newLayers(static, clusterDyn, brokerDyn)
	eff := effectiveGroupInts(l, overrides)
	for _, k := range names {
		d := groupIndex[k]
		v, isInt := eff[k]
		if !isInt {
			continue
		}
		if d.Min != "" {
			if lo, ok := brokerInt(l, d.Min); ok && v < lo {
				return &GroupBoundError{Msg: k + " must be greater than or equal to " + d.Min}
			}
		}
		if d.Max != "" {
			if hi, ok := brokerInt(l, d.Max); ok && v > hi {
				return &GroupBoundError{Msg: k + " must be less than or equal to " + d.Max}
			}
		}
	}
	for _, kind := range []string{"consumer", "share", "streams"} {
		if eff[kind+".session.timeout.ms"] <= eff[kind+".heartbeat.interval.ms"] {
			return &GroupBoundError{Msg: kind + ".session.timeout.ms must be greater than " + kind + ".heartbeat.interval.ms"}
		}
	}
	return nil
}

// GroupBoundError is a group config value outside what the broker allows.
type GroupBoundError struct{ Msg string }

func (e *GroupBoundError) Error() string { return e.Msg }

func brokerInt(l layers, name string) (int64, bool) {
	v, ok := l.lookup(name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// effectiveGroupInts resolves every integer group config: the override, or
// the broker key's current value, or the group default.
func effectiveGroupInts(l layers, overrides map[string]string) map[string]int64 {
	out := map[string]int64{}
	for _, d := range groupDefs {
		if d.Type != TypeInt {
			continue
		}
		raw := effectiveGroupValue(d, l, overrides)
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
			out[d.Name] = n
		}
	}
	return out
}

func effectiveGroupValue(d *groupDef, l layers, overrides map[string]string) string {
	if v, ok := overrides[d.Name]; ok {
		return normalize(d.Type, v)
	}
	if d.Broker != "" {
		if v, ok := l.lookup(d.Broker); ok {
			return normalize(d.Type, v)
		}
	}
	return d.Default
}

// EffectiveGroupConfig returns every group config key with the value the
// group uses.
func EffectiveGroupConfig(static *Config, clusterDyn, brokerDyn, overrides map[string]string) map[string]string {
	l := newLayers(static, clusterDyn, brokerDyn)
	out := make(map[string]string, len(groupDefs))
	for _, d := range groupDefs {
		out[d.Name] = effectiveGroupValue(d, l, overrides)
	}
	return out
}

// DescribeGroup lists a group's configs as Kafka's DescribeConfigs does for
// a GROUP resource: the group's own override (DYNAMIC_GROUP_CONFIG) or the
// broker value it defaults to, reported as DEFAULT_CONFIG under the broker
// key's name.
func DescribeGroup(static *Config, clusterDyn, brokerDyn, overrides map[string]string) []Described {
	l := newLayers(static, clusterDyn, brokerDyn)
	out := make([]Described, 0, len(groupDefs))
	for _, d := range groupDefs {
		val := effectiveGroupValue(d, l, nil)
		defName := d.Broker
		if defName == "" {
			defName = d.Name
		}
		def := val
		syns := []Synonym{{Name: defName, Value: &def, Source: SourceDefault}}
		e := Described{Name: d.Name, Source: SourceDefault, Type: d.Type, Documentation: d.Doc}
		if v, ok := overrides[d.Name]; ok {
			val = normalize(d.Type, v)
			dyn := val
			syns = append([]Synonym{{Name: d.Name, Value: &dyn, Source: SourceDynamicGroup}}, syns...)
			e.Source = SourceDynamicGroup
		}
		e.Value = &val
		e.Synonyms = syns
		out = append(out, e)
	}
	return out
}
