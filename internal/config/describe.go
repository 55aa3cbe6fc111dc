package config

import (
	"sort"
	"strconv"
	"strings"
)

// Synonym is one DescribeConfigs synonym entry. Value is nil for sensitive
// configs.
type Synonym struct {
	Name   string
	Value  *string
	Source Source
}

// Described is one DescribeConfigs result entry. Value is nil when the
// config is sensitive or has no value (null default).
type Described struct {
	Name          string
	Value         *string
	Source        Source
	ReadOnly      bool
	Sensitive     bool
	Type          Type
	Documentation string
	Synonyms      []Synonym
}

// layers are the broker-level config maps in Kafka's synonym order.
type layers struct {
	brokerDyn, clusterDyn, static, defaults map[string]string
}

func newLayers(static *Config, clusterDyn, brokerDyn map[string]string) layers {
	var raw map[string]string
	if static != nil {
		raw = static.raw
	}
	return layers{brokerDyn: brokerDyn, clusterDyn: clusterDyn, static: raw, defaults: staticDefaults}
}

// staticDefaults holds the non-null defaults of every broker config.
var staticDefaults = func() map[string]string {
	m := map[string]string{}
	for _, d := range brokerDefs {
		if v, ok := d.defaultString(); ok {
			m[d.Name] = v
		}
	}
	return m
}()

// lookup returns the value of a broker key from the highest layer that
// has it.
func (l layers) lookup(name string) (string, bool) {
	for _, m := range []map[string]string{l.brokerDyn, l.clusterDyn, l.static, l.defaults} {
		if v, ok := m[name]; ok {
			return v, true
		}
	}
	return "", false
}

// synonyms lists, for each layer in turn, the layer's entries for names,
// then drops leading entries not named primary. This mirrors Kafka exactly,
// including its quirk: a topic config whose only broker-level value is a
// secondary synonym (log.retention.hours for retention.ms) reports no
// synonyms at all.
func (l layers) synonyms(primary string, names []string, sensitive bool) []Synonym {
	var out []Synonym
	for i, m := range []map[string]string{l.brokerDyn, l.clusterDyn, l.static, l.defaults} {
		src := []Source{SourceDynamicBroker, SourceDynamicDefaultBroker, SourceStaticBroker, SourceDefault}[i]
		for _, n := range names {
			if v, ok := m[n]; ok {
				out = append(out, Synonym{Name: n, Value: hide(v, sensitive), Source: src})
			}
		}
	}
	for len(out) > 0 && out[0].Name != primary {
		out = out[1:]
	}
	return out
}

func hide(v string, sensitive bool) *string {
	if sensitive {
		return nil
	}
	return &v
}

// brokerSynonymGroups maps each broker key that belongs to a multi-key
// setting (log.retention.ms/minutes/hours ...) to the whole group, highest
// priority first, from the Synonyms of the broker definitions.
var brokerSynonymGroups = func() map[string][]string {
	m := map[string][]string{}
	for _, d := range brokerDefs {
		if len(d.Synonyms) > 0 {
			m[d.Name] = d.Synonyms
		}
	}
	return m
}()

// brokerSynonymNames is the key group of one broker setting, or
// [name, base] for a listener-prefixed override.
func brokerSynonymNames(name string) []string {
	if g, ok := brokerSynonymGroups[name]; ok {
		return g
	}
	if base, ok := listenerBase(name); ok && base != name {
		return []string{name, base}
	}
	return []string{name}
}

// effectiveTopicValue resolves a topic config without a topic override
// from the broker layers, the way KafkaConfig derives the LogConfig
// defaults: the first synonym with a value anywhere wins, with hours and
// minutes scaled to milliseconds.
func effectiveTopicValue(d *Def, l layers) string {
	for _, syn := range d.Synonyms {
		v, ok := l.lookup(syn)
		if !ok {
			continue
		}
		if scale, scaled := unitScale[syn]; scaled {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				break
			}
			ms := n * scale
			if d.Name == "retention.ms" && ms < 0 {
				ms = -1
			}
			return strconv.FormatInt(ms, 10)
		}
		if d.Name == "retention.ms" {
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n < 0 {
				return "-1"
			}
		}
		return normalize(d.Type, v)
	}
	return d.Default
}

// normalize re-renders a value the way Kafka prints parsed values
// (booleans lower-case, lists without spaces, numbers canonical).
func normalize(t Type, v string) string {
	x, err := parseValue(t, v)
	if err != nil {
		return v
	}
	switch y := x.(type) {
	case bool:
		return strconv.FormatBool(y)
	case int64:
		return strconv.FormatInt(y, 10)
	case float64:
		return javaDouble(y)
	case []string:
		return strings.Join(y, ",")
	case string:
		return y
	}
	return v
}

// javaDouble formats like Java's Double.toString for the values configs
// use (0.5, 1.7976931348623157E308).
func javaDouble(f float64) string {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	if abs != 0 && (abs >= 1e7 || abs < 1e-3) {
		s := strconv.FormatFloat(f, 'E', -1, 64)
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		return mant + "E" + strings.TrimPrefix(exp, "+")
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// EffectiveTopicConfig returns every topic config key with the value a
// topic with overrides topic uses, given the static config and the dynamic
// cluster-default and per-broker configs.
func EffectiveTopicConfig(static *Config, clusterDyn, brokerDyn, topic map[string]string) map[string]string {
	l := newLayers(static, clusterDyn, brokerDyn)
	out := make(map[string]string, len(topicDefs))
	for _, d := range topicDefs {
		if v, ok := topic[d.Name]; ok {
			out[d.Name] = normalize(d.Type, v)
			continue
		}
		out[d.Name] = effectiveTopicValue(d, l)
	}
	return out
}

// DescribeTopic describes every topic config of a topic, with Kafka's
// sources and synonyms (topic override first, then the broker synonyms of
// the primary broker property by layer).
func DescribeTopic(static *Config, clusterDyn, brokerDyn, topic map[string]string) []Described {
	l := newLayers(static, clusterDyn, brokerDyn)
	eff := EffectiveTopicConfig(static, clusterDyn, brokerDyn, topic)
	out := make([]Described, 0, len(topicDefs))
	for _, d := range topicDefs {
		sens := d.Sensitive()
		var syns []Synonym
		if len(d.Synonyms) > 0 {
			primary := d.Synonyms[0]
			syns = l.synonyms(primary, brokerSynonymNames(primary), sens)
		}
		if v, ok := topic[d.Name]; ok {
			syns = append([]Synonym{{Name: d.Name, Value: hide(normalize(d.Type, v), sens), Source: SourceDynamicTopic}}, syns...)
		}
		src := SourceDefault
		if len(syns) > 0 {
			src = syns[0].Source
		}
		out = append(out, Described{
			Name: d.Name, Value: hide(eff[d.Name], sens), Source: src, Sensitive: sens,
			Type: d.Type, Documentation: d.Doc, Synonyms: syns,
		})
	}
	return out
}

// DescribeBroker describes every broker config of this node (the broker
// resource named by its id), including keys set in the static file that
// are not defined (type UNKNOWN, hidden like Kafka does).
func DescribeBroker(static *Config, clusterDyn, brokerDyn map[string]string) []Described {
	l := newLayers(static, clusterDyn, brokerDyn)
	names := map[string]bool{}
	for _, d := range brokerDefs {
		names[d.Name] = true
	}
	for _, m := range []map[string]string{l.static, clusterDyn, brokerDyn} {
		for k := range m {
			names[k] = true
		}
	}
	return describeBrokerNames(l, sortedKeys(names), true)
}

// DescribeClusterDefault describes the cluster-wide default broker
// resource (empty resource name): only the dynamic defaults that are set.
func DescribeClusterDefault(clusterDyn map[string]string) []Described {
	l := layers{clusterDyn: clusterDyn}
	names := map[string]bool{}
	for k := range clusterDyn {
		names[k] = true
	}
	return describeBrokerNames(l, sortedKeys(names), false)
}

func describeBrokerNames(l layers, names []string, perBroker bool) []Described {
	out := make([]Described, 0, len(names))
	for _, name := range names {
		d, known := LookupBroker(name)
		typ, sens, readOnly, doc := TypeUnknown, true, true, ""
		if known {
			typ, sens, readOnly, doc = d.Type, d.Sensitive(), d.Scope == ReadOnly, d.Doc
		}
		syns := l.synonyms(name, brokerSynonymNames(name), sens)
		if !perBroker {
			kept := syns[:0]
			for _, s := range syns {
				if s.Source == SourceDynamicDefaultBroker {
					kept = append(kept, s)
				}
			}
			syns = kept
		}
		src := SourceDefault
		if len(syns) > 0 {
			src = syns[0].Source
		}
		var value *string
		if v, ok := l.lookup(name); ok && !sens {
			if known {
				v = normalize(typ, v)
			}
			value = &v
		}
		out = append(out, Described{
			Name: name, Value: value, Source: src, ReadOnly: readOnly, Sensitive: sens,
			Type: typ, Documentation: doc, Synonyms: syns,
		})
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
