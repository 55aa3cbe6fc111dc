package config

import (
	"strings"
	"testing"
)

func find(t *testing.T, ds []Described, name string) Described {
	t.Helper()
	for _, d := range ds {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("%s not described", name)
	return Described{}
}

func synStr(s []Synonym) string {
	var parts []string
	for _, x := range s {
		v := "null"
		if x.Value != nil {
			v = *x.Value
		}
		parts = append(parts, x.Source.String()+":"+x.Name+"="+v)
	}
	return strings.Join(parts, ",")
}

func val(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func devConfig(t *testing.T, extra ...string) *Config {
	t.Helper()
	cfg, _ := mustLoad(t, LoadOptions{Overrides: append(DevDefaults(), extra...)})
	return cfg
}

func TestDescribeTopicSourcesAndSynonyms(t *testing.T) {
	cfg := devConfig(t, "log.retention.ms=7200000", "log.segment.bytes=2097152")
	cluster := map[string]string{"log.segment.bytes": "3145728", "log.cleanup.policy": "compact"}
	broker := map[string]string{"log.segment.bytes": "4194304"}
	topic := map[string]string{"cleanup.policy": "delete", "max.message.bytes": "2000"}
	ds := DescribeTopic(cfg, cluster, broker, topic)
	if len(ds) != len(TopicDefs()) {
		t.Fatalf("described %d of %d", len(ds), len(TopicDefs()))
	}
	cases := []struct {
		name, value string
		src         Source
		syns        string
	}{
		{"retention.ms", "7200000", SourceStaticBroker,
			"STATIC_BROKER_CONFIG:log.retention.ms=7200000,DEFAULT_CONFIG:log.retention.hours=168"},
		{"segment.bytes", "4194304", SourceDynamicBroker,
			"DYNAMIC_BROKER_CONFIG:log.segment.bytes=4194304,DYNAMIC_DEFAULT_BROKER_CONFIG:log.segment.bytes=3145728,STATIC_BROKER_CONFIG:log.segment.bytes=2097152,DEFAULT_CONFIG:log.segment.bytes=1073741824"},
		{"cleanup.policy", "delete", SourceDynamicTopic,
			"DYNAMIC_TOPIC_CONFIG:cleanup.policy=delete,DYNAMIC_DEFAULT_BROKER_CONFIG:log.cleanup.policy=compact,DEFAULT_CONFIG:log.cleanup.policy=delete"},
		{"max.message.bytes", "2000", SourceDynamicTopic,
			"DYNAMIC_TOPIC_CONFIG:max.message.bytes=2000,DEFAULT_CONFIG:message.max.bytes=1048588"},
		{"remote.storage.enable", "false", SourceDefault, ""},
		{"flush.ms", "9223372036854775807", SourceDefault, ""},
		{"min.cleanable.dirty.ratio", "0.5", SourceDefault, "DEFAULT_CONFIG:log.cleaner.min.cleanable.ratio=0.5"},
	}
	for _, c := range cases {
		d := find(t, ds, c.name)
		if val(d.Value) != c.value || d.Source != c.src || synStr(d.Synonyms) != c.syns {
			t.Errorf("%s: value %s source %v synonyms %q; want %s %v %q", c.name, val(d.Value), d.Source, synStr(d.Synonyms), c.value, c.src, c.syns)
		}
		if d.ReadOnly || d.Documentation == "" {
			t.Errorf("%s: topic configs are writable and documented", c.name)
		}
	}
	if d := find(t, ds, "segment.ms"); d.Type != TypeLong {
		t.Errorf("segment.ms type %v", d.Type)
	}
}

// Kafka drops leading synonyms that are not the primary broker key, so a
// retention set only through log.retention.hours yields the right value but
// no synonyms and DEFAULT_CONFIG as source. We match that quirk.
func TestDescribeTopicRetentionHoursQuirk(t *testing.T) {
	cfg := devConfig(t, "log.retention.hours=1")
	d := find(t, DescribeTopic(cfg, nil, nil, nil), "retention.ms")
	if val(d.Value) != "3600000" || d.Source != SourceDefault || len(d.Synonyms) != 0 {
		t.Errorf("retention.ms %s %v %q", val(d.Value), d.Source, synStr(d.Synonyms))
	}
	b := find(t, DescribeBroker(cfg, nil, nil), "log.retention.hours")
	if val(b.Value) != "1" || b.Source != SourceStaticBroker || !b.ReadOnly ||
		synStr(b.Synonyms) != "STATIC_BROKER_CONFIG:log.retention.hours=1,DEFAULT_CONFIG:log.retention.hours=168" {
		t.Errorf("log.retention.hours %s %v ro=%v %q", val(b.Value), b.Source, b.ReadOnly, synStr(b.Synonyms))
	}
}

func TestEffectiveTopicConfig(t *testing.T) {
	cases := []struct {
		name            string
		static          []string
		cluster, broker map[string]string
		topic           map[string]string
		key, want       string
	}{
		{"default", nil, nil, nil, nil, "retention.ms", "604800000"},
		{"hours", []string{"log.retention.hours=2"}, nil, nil, nil, "retention.ms", "7200000"},
		{"minutes beat hours", []string{"log.retention.hours=2", "log.retention.minutes=3"}, nil, nil, nil, "retention.ms", "180000"},
		{"ms beats minutes", []string{"log.retention.minutes=3"}, map[string]string{"log.retention.ms": "5"}, nil, nil, "retention.ms", "5"},
		{"negative is infinite", []string{"log.retention.hours=-5"}, nil, nil, nil, "retention.ms", "-1"},
		{"topic wins", nil, nil, map[string]string{"log.retention.ms": "5"}, map[string]string{"retention.ms": "9"}, "retention.ms", "9"},
		{"roll hours", []string{"log.roll.hours=1"}, nil, nil, nil, "segment.ms", "3600000"},
		{"jitter hours", []string{"log.roll.jitter.hours=1"}, nil, nil, nil, "segment.jitter.ms", "3600000"},
		{"flush scheduler", []string{"log.flush.scheduler.interval.ms=10"}, nil, nil, nil, "flush.ms", "10"},
		{"message max", []string{"message.max.bytes=100"}, nil, nil, nil, "max.message.bytes", "100"},
		{"broker beats cluster", nil, map[string]string{"log.segment.bytes": "2097152"}, map[string]string{"log.segment.bytes": "3145728"}, nil, "segment.bytes", "3145728"},
		{"normalized bool", nil, nil, nil, map[string]string{"preallocate": "TRUE"}, "preallocate", "true"},
		{"normalized list", nil, nil, nil, map[string]string{"cleanup.policy": "compact, delete"}, "cleanup.policy", "compact,delete"},
		{"no synonym", nil, nil, nil, nil, "remote.storage.enable", "false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eff := EffectiveTopicConfig(devConfig(t, c.static...), c.cluster, c.broker, c.topic)
			if len(eff) != len(TopicDefs()) {
				t.Errorf("got %d keys", len(eff))
			}
			if eff[c.key] != c.want {
				t.Errorf("%s = %s, want %s", c.key, eff[c.key], c.want)
			}
		})
	}
}

func TestDescribeBroker(t *testing.T) {
	cfg := devConfig(t, "ssl.keystore.password=secret", "zookeeper.connect=x:1")
	cluster := map[string]string{"num.io.threads": "4", "log.retention.ms": "100"}
	broker := map[string]string{"num.io.threads": "6"}
	ds := DescribeBroker(cfg, cluster, broker)
	io := find(t, ds, "num.io.threads")
	if val(io.Value) != "6" || io.Source != SourceDynamicBroker || io.ReadOnly ||
		synStr(io.Synonyms) != "DYNAMIC_BROKER_CONFIG:num.io.threads=6,DYNAMIC_DEFAULT_BROKER_CONFIG:num.io.threads=4,DEFAULT_CONFIG:num.io.threads=8" {
		t.Errorf("num.io.threads %s %v %q", val(io.Value), io.Source, synStr(io.Synonyms))
	}
	nid := find(t, ds, "node.id")
	if val(nid.Value) != "1" || nid.Source != SourceStaticBroker || !nid.ReadOnly {
		t.Errorf("node.id %s %v %v", val(nid.Value), nid.Source, nid.ReadOnly)
	}
	pw := find(t, ds, "ssl.keystore.password")
	if pw.Value != nil || !pw.Sensitive || pw.Type != TypePassword || pw.Synonyms[0].Value != nil {
		t.Errorf("password not hidden: %+v", pw)
	}
	zk := find(t, ds, "zookeeper.connect")
	if zk.Type != TypeUnknown || !zk.Sensitive || zk.Value != nil {
		t.Errorf("unknown static key %+v", zk)
	}
	rm := find(t, ds, "log.retention.ms")
	if val(rm.Value) != "100" || rm.Source != SourceDynamicDefaultBroker {
		t.Errorf("log.retention.ms %s %v", val(rm.Value), rm.Source)
	}
	roll := find(t, ds, "log.roll.ms")
	if roll.Value != nil || roll.Source != SourceDefault {
		t.Errorf("null default log.roll.ms %s %v %q", val(roll.Value), roll.Source, synStr(roll.Synonyms))
	}

	def := DescribeClusterDefault(cluster)
	if len(def) != 2 || def[1].Name != "num.io.threads" || def[1].Source != SourceDynamicDefaultBroker ||
		synStr(def[1].Synonyms) != "DYNAMIC_DEFAULT_BROKER_CONFIG:num.io.threads=4" {
		t.Errorf("cluster default %+v", def)
	}
}

func TestValidateTopicConfig(t *testing.T) {
	cases := []struct {
		name, value, errHas string
	}{
		{"retention.ms", "1000", ""},
		{"retention.ms", "-1", ""},
		{"retention.ms", "-2", "retention.ms"},
		{"retention.ms", "abc", "Not a number of type LONG"},
		{"cleanup.policy", "compact,delete", ""},
		{"cleanup.policy", "archive", "archive"},
		{"segment.bytes", "100", "at least 1048576"},
		{"min.cleanable.dirty.ratio", "1.5", "no more than 1"},
		{"compression.type", "zstd", ""},
		{"message.timestamp.type", "createtime", "message.timestamp.type"},
		{"leader.replication.throttled.replicas", "0:1,1:2", ""},
		{"leader.replication.throttled.replicas", "*", ""},
		{"leader.replication.throttled.replicas", "0-1", "leader.replication.throttled.replicas"},
		{"compression.zstd.level", "23", "compression.zstd.level"},
		{"no.such.config", "1", "Unknown topic config name: no.such.config"},
	}
	for _, c := range cases {
		err := ValidateTopicConfig(c.name, c.value)
		if (err == nil) != (c.errHas == "") || (err != nil && !strings.Contains(err.Error(), c.errHas)) {
			t.Errorf("ValidateTopicConfig(%s=%s) = %v, want error containing %q", c.name, c.value, err, c.errHas)
		}
	}
}

func TestValidateBrokerConfig(t *testing.T) {
	cases := []struct {
		name, value string
		perBroker   bool
		errHas      string
	}{
		{"num.io.threads", "4", false, ""},
		{"num.io.threads", "0", true, "at least 1"},
		{"log.retention.ms", "1000", false, ""},
		{"log.retention.hours", "1", true, "Cannot update these configs dynamically: log.retention.hours"},
		{"node.id", "2", true, "Cannot update these configs dynamically"},
		{"listeners", "PLAINTEXT://:9092", true, ""},
		{"listeners", "PLAINTEXT://:9092", false, "broker id must be specified"},
		{"ssl.keystore.location", "/x", true, "only per-listener"},
		{"ssl.client.auth", "required", false, "broker id must be specified"},
		{"listener.name.external.ssl.keystore.location", "/x", false, "broker id must be specified"},
		{"listener.name.external.ssl.keystore.location", "/x", true, ""},
		{"message.max.bytes", "x", false, "message.max.bytes"},
		{"bogus", "1", true, "Unknown broker config name: bogus"},
	}
	for _, c := range cases {
		err := ValidateBrokerConfig(c.name, c.value, c.perBroker)
		if (err == nil) != (c.errHas == "") || (err != nil && !strings.Contains(err.Error(), c.errHas)) {
			t.Errorf("ValidateBrokerConfig(%s=%s, %v) = %v, want error containing %q", c.name, c.value, c.perBroker, err, c.errHas)
		}
	}
}

func TestDefaultsParse(t *testing.T) {
	for _, d := range append(append([]*Def{}, BrokerDefs()...), TopicDefs()...) {
		if d.NullDefault {
			continue
		}
		if err := d.Check(d.Default); err != nil {
			t.Errorf("default of %s does not validate: %v", d.Name, err)
		}
		if d.Doc == "" {
			t.Errorf("%s has no doc", d.Name)
		}
	}
}

func TestValidateTopicCombination(t *testing.T) {
	cfg := devConfig(t)
	cases := []struct {
		topic  map[string]string
		errHas string
	}{
		{nil, ""},
		{map[string]string{"min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5"}, "max.compaction.lag.ms"},
		{map[string]string{"remote.storage.enable": "true"}, ""},
		{map[string]string{"remote.storage.enable": "true", "cleanup.policy": "compact"}, "cleanup.policy=delete"},
		{map[string]string{"remote.storage.enable": "true", "local.retention.ms": "10", "retention.ms": "5"}, "local.retention.ms"},
		{map[string]string{"remote.storage.enable": "true", "local.retention.bytes": "-1", "retention.bytes": "100"}, "local.retention.bytes"},
		{map[string]string{"local.retention.ms": "10", "retention.ms": "5"}, ""},
	}
	for _, c := range cases {
		err := ValidateTopicCombination(EffectiveTopicConfig(cfg, nil, nil, c.topic))
		if (err == nil) != (c.errHas == "") || (err != nil && !strings.Contains(err.Error(), c.errHas)) {
			t.Errorf("%v: %v, want %q", c.topic, err, c.errHas)
		}
	}
}
