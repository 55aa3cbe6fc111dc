package config

import (
	"strings"
	"testing"
)

func TestValidateGroupConfig(t *testing.T) {
	static := devConfig(t)
	tests := []struct {
		name       string
		clusterDyn map[string]string
		overrides  map[string]string
		err        string
	}{
		{"defaults", nil, nil, ""},
		{"in bounds", nil, map[string]string{"consumer.session.timeout.ms": "50000", "consumer.heartbeat.interval.ms": "6000"}, ""},
		{"unknown key", nil, map[string]string{"foo": "1"}, "Unknown group config name: foo"},
		{"not a number", nil, map[string]string{"consumer.session.timeout.ms": "x"}, "Invalid value x for configuration consumer.session.timeout.ms"},
		{"below its own minimum", nil, map[string]string{"consumer.heartbeat.interval.ms": "0"}, "Value must be at least 1"},
		{"below broker min", nil, map[string]string{"consumer.session.timeout.ms": "1000"},
			"consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms"},
		{"above broker max", nil, map[string]string{"consumer.heartbeat.interval.ms": "20000"},
			"consumer.heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms"},
		{"bounds follow dynamic broker config", map[string]string{"group.consumer.max.heartbeat.interval.ms": "30000"},
			map[string]string{"consumer.heartbeat.interval.ms": "20000"}, ""},
		{"session must exceed heartbeat", map[string]string{"group.consumer.max.heartbeat.interval.ms": "60000"},
			map[string]string{"consumer.heartbeat.interval.ms": "50000"},
			"consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms"},
		{"assignment interval above max", nil, map[string]string{"consumer.assignment.interval.ms": "20000"},
			"consumer.assignment.interval.ms must be less than or equal to group.consumer.max.assignment.interval.ms"},
		{"standby replicas max only", nil, map[string]string{"streams.num.standby.replicas": "3"},
			"streams.num.standby.replicas must be less than or equal to group.streams.max.standby.replicas"},
		{"share offset reset by duration", nil, map[string]string{"share.auto.offset.reset": "by_duration:PT1H"}, ""},
		{"share offset reset bad", nil, map[string]string{"share.auto.offset.reset": "sometimes"}, "share.auto.offset.reset"},
		{"isolation level", nil, map[string]string{"share.isolation.level": "read_committed"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateGroupConfig(static, tc.clusterDyn, nil, tc.overrides)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.err)
			}
		})
	}
}

func TestDescribeGroup(t *testing.T) {
	static := devConfig(t, "group.consumer.heartbeat.interval.ms=6000")
	got := map[string]Described{}
	for _, d := range DescribeGroup(static, nil, nil, map[string]string{"consumer.session.timeout.ms": "50000"}) {
		got[d.Name] = d
	}
	if len(got) != len(GroupConfigNames()) {
		t.Fatalf("described %d configs, want %d", len(got), len(GroupConfigNames()))
	}
	s := got["consumer.session.timeout.ms"]
	if *s.Value != "50000" || s.Source != SourceDynamicGroup || len(s.Synonyms) != 2 ||
		s.Synonyms[1].Name != "group.consumer.session.timeout.ms" || *s.Synonyms[1].Value != "45000" || s.Synonyms[1].Source != SourceDefault {
		t.Fatalf("consumer.session.timeout.ms = %+v", s)
	}
	h := got["consumer.heartbeat.interval.ms"]
	if *h.Value != "6000" || h.Source != SourceDefault || h.Synonyms[0].Name != "group.consumer.heartbeat.interval.ms" {
		t.Fatalf("consumer.heartbeat.interval.ms = %+v (want the broker's static value as the default)", h)
	}
	r := got["share.auto.offset.reset"]
	if *r.Value != "latest" || r.Synonyms[0].Name != "share.auto.offset.reset" {
		t.Fatalf("share.auto.offset.reset = %+v", r)
	}
	eff := EffectiveGroupConfig(static, map[string]string{"group.consumer.assignment.interval.ms": "250"}, nil, nil)
	if eff["consumer.assignment.interval.ms"] != "250" || eff["consumer.heartbeat.interval.ms"] != "6000" {
		t.Fatalf("effective = %v", eff)
	}
}
