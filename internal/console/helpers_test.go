package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/console"
	"github.com/odradek/odradek/internal/testserver"
)

// env is a console in front of a real in-process server.
type env struct {
	srv  *testserver.Server
	base string
	cl   *kgo.Client
	adm  *kadm.Client
}

func newEnv(t *testing.T, overrides ...string) *env {
	t.Helper()
	srv := testserver.Start(t, overrides...)
	// A long interval keeps the sampler quiet; sampling has its own tests.
	c, err := console.New(console.Options{Bootstrap: srv.Bootstrap, SampleInterval: time.Hour})
	if err != nil {
		t.Fatalf("console.New: %v", err)
	}
	hs := httptest.NewServer(c.Handler())
	cl, err := kgo.NewClient(kgo.SeedBrokers(srv.Bootstrap), kgo.DefaultProduceTopic("unused"))
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	t.Cleanup(func() {
		cl.Close()
		hs.Close()
		c.Close()
	})
	return &env{srv: srv, base: hs.URL, cl: cl, adm: kadm.NewClient(cl)}
}

// call sends a request with an optional JSON body and decodes the JSON
// answer into out (if not nil); it returns the status and the raw body.
func (e *env) call(t *testing.T, method, path string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encoding body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, string(raw)
}

// mustOK fails unless the call answers 2xx.
func (e *env) mustOK(t *testing.T, method, path string, body, out any) {
	t.Helper()
	if code, raw := e.call(t, method, path, body, out); code >= 300 {
		t.Fatalf("%s %s = %d %s", method, path, code, raw)
	}
}

type apiErr struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	Field string `json:"field"`
}

// wantError checks a refused call: its status, the field named and a
// fragment of the message.
func (e *env) wantError(t *testing.T, method, path string, body any, status int, field, msg string) {
	t.Helper()
	code, raw := e.call(t, method, path, body, nil)
	var ae apiErr
	if err := json.Unmarshal([]byte(raw), &ae); err != nil {
		t.Fatalf("%s %s: error body %q is not JSON: %v", method, path, raw, err)
	}
	if code != status || ae.Field != field || !strings.Contains(ae.Error, msg) {
		t.Fatalf("%s %s = %d field=%q %q; want %d field=%q containing %q", method, path, code, ae.Field, ae.Error, status, field, msg)
	}
}

func (e *env) createTopic(t *testing.T, name string, partitions int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if _, err := e.adm.CreateTopic(ctx, partitions, 1, nil, name); err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
}

func (e *env) produce(t *testing.T, recs ...*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := e.cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
}

// commit commits offsets for a group without members (a simple commit),
// retrying while __consumer_offsets is still loading, as clients do.
func (e *env) commit(t *testing.T, group string, offsets kadm.Offsets) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		resp, err := e.adm.CommitOffsets(ctx, group, offsets)
		if err == nil {
			err = resp.Error()
		}
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("commit offsets of %s: %v", group, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
