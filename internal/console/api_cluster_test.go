package console_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestClusterAndStatic(t *testing.T) {
	e := newEnv(t)

	t.Run("cluster", func(t *testing.T) {
		var c struct {
			ClusterID    string `json:"clusterId"`
			ControllerID int32  `json:"controllerId"`
			Brokers      []struct {
				ID     int32 `json:"id"`
				Port   int32 `json:"port"`
				Fenced bool  `json:"fenced"`
			} `json:"brokers"`
			Quorum struct {
				Served   bool   `json:"served"`
				Note     string `json:"note"`
				LeaderID int32  `json:"leaderId"`
			} `json:"quorum"`
			Health struct {
				Status   string   `json:"status"`
				Problems []string `json:"problems"`
			} `json:"health"`
			Topics int `json:"topics"`
		}
		e.mustOK(t, "GET", "/api/cluster", nil, &c)
		if c.ClusterID != e.srv.ClusterID() || len(c.Brokers) != 1 || c.Brokers[0].Fenced || c.ControllerID != c.Brokers[0].ID {
			t.Fatalf("cluster: %+v", c)
		}
		if c.Health.Status != "healthy" || len(c.Health.Problems) != 0 {
			t.Fatalf("health: %+v", c.Health)
		}
		if c.Quorum.LeaderID != c.ControllerID || (!c.Quorum.Served && c.Quorum.Note == "") {
			t.Fatalf("quorum: %+v", c.Quorum)
		}
	})

	t.Run("charts", func(t *testing.T) {
		for _, path := range []string{"/api/metrics/cluster", "/api/metrics/topics/x", "/api/metrics/groups/y"} {
			var s struct {
				Interval int64 `json:"interval"`
				Points   []any `json:"points"`
			}
			e.mustOK(t, "GET", path, nil, &s)
			if s.Interval != 3_600_000 || s.Points == nil {
				t.Fatalf("%s: %+v", path, s)
			}
		}
	})

	t.Run("unknown endpoint", func(t *testing.T) {
		e.wantError(t, "GET", "/api/nothing", nil, http.StatusNotFound, "", "no such API endpoint")
		e.wantError(t, "PUT", "/api/topics", nil, http.StatusNotFound, "", "no such API endpoint")
	})

	t.Run("assets", func(t *testing.T) {
		for path, want := range map[string]string{
			"/":                   "<title>Odradek console</title>",
			"/style.css":          "--accent",
			"/js/app.js":          "hashchange",
			"/js/pages/topics.js": "Create topic",
		} {
			resp, err := http.Get(e.base + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
				t.Fatalf("GET %s = %d, body without %q", path, resp.StatusCode, want)
			}
			if path == "/js/app.js" && !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
				t.Fatalf("app.js served as %q; browsers refuse modules without a JavaScript type", resp.Header.Get("Content-Type"))
			}
		}
	})
}

// The server mounts the console at / on its HTTP listener, next to the
// probes and metrics.
func TestMountedByServer(t *testing.T) {
	e := newEnv(t)
	base := "http://" + e.srv.HTTPAddr()
	for path, want := range map[string]string{
		"/":            "Odradek console",
		"/api/cluster": `"clusterId":"` + e.srv.ClusterID() + `"`,
		"/readyz":      "ready",
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("GET %s = %d %q, want %q", path, resp.StatusCode, body, want)
		}
	}
}
