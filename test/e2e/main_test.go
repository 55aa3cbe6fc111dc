// Package e2e runs real clients against a real Odradek server started
// in-process on loopback.
package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"

	"github.com/odradek/odradek/internal/testserver"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// franz-go and the OS resolver keep short-lived helpers around.
		goleak.IgnoreTopFunction("github.com/twmb/franz-go/pkg/kgo.(*Client).reapConnectionsLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newClient(t *testing.T, bootstrap string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(bootstrap)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func newAdmin(t *testing.T, bootstrap string) *kadm.Client {
	return kadm.NewClient(newClient(t, bootstrap))
}

func createTopic(t *testing.T, adm *kadm.Client, name string, partitions int32, configs map[string]*string) {
	t.Helper()
	resp, err := adm.CreateTopics(ctxT(t), partitions, 1, configs, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp[name].Err; err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

func startServer(t *testing.T, overrides ...string) *testserver.Server {
	return testserver.Start(t, overrides...)
}

func startServerIn(t *testing.T, dir string, overrides ...string) *testserver.Server {
	return testserver.StartIn(t, dir, overrides...)
}
