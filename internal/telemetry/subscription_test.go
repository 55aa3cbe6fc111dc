package telemetry

import (
	"errors"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestValidateConfig(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		code       *kerr.Error // nil: accepted
	}{
		{KeyMetrics, "org.apache.kafka.producer., org.apache.kafka.consumer.", nil},
		{KeyMetrics, "*", nil},
		{KeyMetrics, "", nil},
		{KeyInterval, "1000", nil},
		{KeyInterval, "100", nil},
		{KeyInterval, "3600000", nil},
		{KeyInterval, "99", kerr.InvalidRequest},
		{KeyInterval, "3600001", kerr.InvalidRequest},
		{KeyInterval, "soon", kerr.InvalidConfig},
		{KeyMatch, "client_id=app-.*,client_software_name=apache-kafka-java", nil},
		{KeyMatch, "", nil},
		{KeyMatch, "client_rack=a", kerr.InvalidConfig},
		{KeyMatch, "client_id", kerr.InvalidConfig},
		{KeyMatch, "client_id=a=b", kerr.InvalidConfig},
		{KeyMatch, "client_id=(", kerr.InvalidConfig},
		{"metrics.interval", "1", kerr.InvalidRequest},
	} {
		err := ValidateConfig(tc.key, tc.value)
		switch {
		case tc.code == nil && err != nil:
			t.Errorf("%s=%q: unexpected error %v", tc.key, tc.value, err)
		case tc.code != nil && !errors.Is(err, tc.code):
			t.Errorf("%s=%q: got %v, want %s", tc.key, tc.value, err, tc.code.Message)
		}
	}
	if err := ValidateName(""); !errors.Is(err, kerr.InvalidRequest) {
		t.Errorf("empty name: got %v, want INVALID_REQUEST", err)
	}
}

func TestSubscriptionMatches(t *testing.T) {
	java := map[string]string{AttrClientID: "app-7", AttrClientSoftwareName: "apache-kafka-java",
		AttrClientSoftwareVersion: "4.3.1", AttrClientSourceAddress: "127.0.0.1", AttrClientSourcePort: "50123",
		AttrClientInstanceID: "AAAAAAAAAAAAAAAAAAAAAA"}
	noSoftware := map[string]string{AttrClientID: "app-7"}
	for _, tc := range []struct {
		match string
		attrs map[string]string
		want  bool
	}{
		{"", java, true},
		{"client_id=app-.*", java, true},
		{"client_id=app", java, false}, // whole value, as Java's Matcher.matches
		{"client_id=app-.*,client_software_name=apache-kafka-java", java, true},
		{"client_id=app-.*,client_software_name=librdkafka", java, false},
		{"client_software_version=4\\..*", java, true},
		{"client_source_address=127\\.0\\.0\\.1", java, true},
		{"client_software_name=.*", noSoftware, false}, // a missing attribute matches nothing
	} {
		s, err := ParseSubscription("s", map[string]string{KeyMatch: tc.match})
		if err != nil {
			t.Fatalf("match %q: %v", tc.match, err)
		}
		if got := s.Matches(tc.attrs); got != tc.want {
			t.Errorf("match %q on %v: got %v, want %v", tc.match, tc.attrs, got, tc.want)
		}
	}
}

func TestParseSubscription(t *testing.T) {
	s, err := ParseSubscription("s", map[string]string{KeyMetrics: "a., b.", KeyInterval: "2500"})
	if err != nil {
		t.Fatal(err)
	}
	if s.IntervalMs != 2500 || len(s.Metrics) != 2 || s.Metrics[0] != "a." || s.Metrics[1] != "b." {
		t.Errorf("got %+v", s)
	}
	if s, _ = ParseSubscription("d", map[string]string{KeyMetrics: "*"}); s.IntervalMs != DefaultIntervalMs {
		t.Errorf("default interval: got %d", s.IntervalMs)
	}
	if _, err := ParseSubscription("bad", map[string]string{"nope": "1"}); err == nil {
		t.Error("unknown key accepted")
	}
}
