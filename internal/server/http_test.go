package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/odradek/odradek/internal/testserver"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestHTTPProbes(t *testing.T) {
	srv := testserver.Start(t)
	base := "http://" + srv.HTTPAddr()
	if code, body := get(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Fatalf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != 200 || strings.TrimSpace(body) != "ready" {
		t.Fatalf("/readyz = %d %q", code, body)
	}
	srv.Stop(t)
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("HTTP listener still answers after Stop")
	}
}

func TestHTTPDisabled(t *testing.T) {
	srv := testserver.Start(t, "http.enable=false")
	if a := srv.HTTPAddr(); a != "" {
		t.Fatalf("HTTPAddr = %q with http.enable=false", a)
	}
}
