package console_test

import (
	"net/http"
	"strings"
	"testing"
)

type topicRow struct {
	Name              string   `json:"name"`
	Internal          bool     `json:"internal"`
	Partitions        int      `json:"partitions"`
	ReplicationFactor int      `json:"replicationFactor"`
	RetentionMs       string   `json:"retentionMs"`
	CleanupPolicy     string   `json:"cleanupPolicy"`
	Records           int64    `json:"records"`
	RecordsPerSec     *float64 `json:"recordsPerSec"`
}

type topicDetail struct {
	Name       string `json:"name"`
	ID         string `json:"id"`
	Partitions []struct {
		Partition     int32   `json:"partition"`
		Leader        int32   `json:"leader"`
		Replicas      []int32 `json:"replicas"`
		ISR           []int32 `json:"isr"`
		LogStart      int64   `json:"logStartOffset"`
		HighWatermark int64   `json:"highWatermark"`
		LastStable    int64   `json:"lastStableOffset"`
	} `json:"partitions"`
	Configs []struct {
		Name    string `json:"name"`
		Value   string `json:"value"`
		Source  string `json:"source"`
		Default bool   `json:"default"`
	} `json:"configs"`
}

func (d topicDetail) config(name string) (value string, isDefault bool) {
	for _, c := range d.Configs {
		if c.Name == name {
			return c.Value, c.Default
		}
	}
	return "<missing>", false
}

func TestTopicsAPI(t *testing.T) {
	e := newEnv(t)

	t.Run("create and list", func(t *testing.T) {
		var created map[string]any
		e.mustOK(t, "POST", "/api/topics", map[string]any{
			"name": "orders", "partitions": 3, "replicationFactor": 1,
			"configs": map[string]string{"retention.ms": "3600000", "cleanup.policy": "compact"},
		}, &created)
		if created["name"] != "orders" || created["partitions"] != float64(3) {
			t.Fatalf("create answered %v", created)
		}
		var list struct{ Topics []topicRow }
		e.mustOK(t, "GET", "/api/topics", nil, &list)
		var found *topicRow
		for i := range list.Topics {
			if list.Topics[i].Name == "orders" {
				found = &list.Topics[i]
			}
		}
		if found == nil {
			t.Fatalf("orders not listed in %+v", list.Topics)
		}
		if found.Partitions != 3 || found.ReplicationFactor != 1 || found.RetentionMs != "3600000" || found.CleanupPolicy != "compact" {
			t.Fatalf("listed %+v", *found)
		}
	})

	t.Run("create with broker defaults", func(t *testing.T) {
		e.mustOK(t, "POST", "/api/topics", map[string]any{"name": "defaults"}, nil)
		var d topicDetail
		e.mustOK(t, "GET", "/api/topics/defaults", nil, &d)
		if len(d.Partitions) < 1 {
			t.Fatalf("no partitions: %+v", d)
		}
	})

	t.Run("create refused", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			body   any
			status int
			field  string
			msg    string
		}{
			{"exists", map[string]any{"name": "orders"}, http.StatusConflict, "name", "TOPIC_ALREADY_EXISTS"},
			{"illegal name", map[string]any{"name": "bad name!"}, http.StatusBadRequest, "name", "INVALID_TOPIC_EXCEPTION"},
			{"empty name", map[string]any{"name": ""}, http.StatusBadRequest, "name", "INVALID_TOPIC_EXCEPTION"},
			{"zero partitions", map[string]any{"name": "zp", "partitions": 0}, http.StatusBadRequest, "partitions", "INVALID_PARTITIONS"},
			{"replication too high", map[string]any{"name": "rf", "replicationFactor": 3}, http.StatusBadRequest, "replicationFactor", "INVALID_REPLICATION_FACTOR"},
			{"bad config value", map[string]any{"name": "bc", "configs": map[string]string{"retention.ms": "soon"}}, http.StatusBadRequest, "configs", "INVALID_CONFIG"},
			{"unknown config", map[string]any{"name": "uc", "configs": map[string]string{"no.such.config": "1"}}, http.StatusBadRequest, "configs", "INVALID_CONFIG"},
			{"partitions not a number", map[string]any{"name": "pn", "partitions": "three"}, http.StatusBadRequest, "partitions", "want a whole number"},
			{"unknown field", map[string]any{"name": "uf", "partitons": 3}, http.StatusBadRequest, "partitons", "unknown field"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.wantError(t, "POST", "/api/topics", tc.body, tc.status, tc.field, tc.msg)
			})
		}
	})

	t.Run("create needs JSON", func(t *testing.T) {
		resp, err := http.Post(e.base+"/api/topics", "application/x-www-form-urlencoded", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("form post = %d, want 415", resp.StatusCode)
		}
	})

	t.Run("detail", func(t *testing.T) {
		var d topicDetail
		e.mustOK(t, "GET", "/api/topics/orders", nil, &d)
		if len(d.Partitions) != 3 {
			t.Fatalf("partitions: %+v", d.Partitions)
		}
		for i, p := range d.Partitions {
			if p.Partition != int32(i) || p.Leader != 1 || len(p.Replicas) != 1 || len(p.ISR) != 1 || p.LogStart != 0 || p.HighWatermark != 0 || p.LastStable != 0 {
				t.Fatalf("partition %d: %+v", i, p)
			}
		}
		if len(d.ID) != 22 || strings.ContainsAny(d.ID, "+/=") {
			t.Fatalf("topic id %q is not printed as Kafka prints ids", d.ID)
		}
		if v, def := d.config("retention.ms"); v != "3600000" || def {
			t.Fatalf("retention.ms = %q default=%v", v, def)
		}
		if v, def := d.config("segment.bytes"); v == "<missing>" || !def {
			t.Fatalf("segment.bytes = %q default=%v", v, def)
		}
		e.wantError(t, "GET", "/api/topics/nope", nil, http.StatusNotFound, "", "nope")
	})

	t.Run("alter configs", func(t *testing.T) {
		e.mustOK(t, "PATCH", "/api/topics/orders/configs", map[string]any{"set": map[string]string{"retention.ms": "1000"}}, nil)
		var d topicDetail
		e.mustOK(t, "GET", "/api/topics/orders", nil, &d)
		if v, _ := d.config("retention.ms"); v != "1000" {
			t.Fatalf("retention.ms after set = %q", v)
		}
		e.mustOK(t, "PATCH", "/api/topics/orders/configs", map[string]any{"delete": []string{"retention.ms"}}, nil)
		e.mustOK(t, "GET", "/api/topics/orders", nil, &d)
		if v, def := d.config("retention.ms"); v == "1000" || !def {
			t.Fatalf("retention.ms after delete = %q default=%v", v, def)
		}
		for _, tc := range []struct {
			name   string
			path   string
			body   any
			status int
			field  string
			msg    string
		}{
			{"unknown name", "/api/topics/orders/configs", map[string]any{"set": map[string]string{"no.such.config": "1"}}, 400, "configs", "INVALID_CONFIG"},
			{"bad value", "/api/topics/orders/configs", map[string]any{"set": map[string]string{"retention.ms": "later"}}, 400, "configs", "INVALID_CONFIG"},
			{"nothing", "/api/topics/orders/configs", map[string]any{}, 400, "set", "nothing to change"},
			{"empty name", "/api/topics/orders/configs", map[string]any{"set": map[string]string{"": "1"}}, 400, "set", "empty"},
			{"unknown topic", "/api/topics/nope/configs", map[string]any{"set": map[string]string{"retention.ms": "1"}}, 404, "", "UNKNOWN_TOPIC_OR_PARTITION"},
		} {
			t.Run(tc.name, func(t *testing.T) { e.wantError(t, "PATCH", tc.path, tc.body, tc.status, tc.field, tc.msg) })
		}
	})

	t.Run("delete", func(t *testing.T) {
		e.mustOK(t, "POST", "/api/topics", map[string]any{"name": "doomed", "partitions": 1}, nil)
		e.mustOK(t, "DELETE", "/api/topics/doomed", nil, nil)
		e.wantError(t, "GET", "/api/topics/doomed", nil, http.StatusNotFound, "", "doomed")
		e.wantError(t, "DELETE", "/api/topics/doomed", nil, http.StatusNotFound, "", "UNKNOWN_TOPIC_OR_PARTITION")
	})
}
