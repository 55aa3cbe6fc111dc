package cli

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// startBroker starts a single Kafka-compatible broker on 127.0.0.1 for the
// CLI tests and stops it when the test ends.
//
// Development stand-in: the body uses franz-go's in-memory kfake cluster until
// the Odradek server can be started in-process; the tests assert Kafka
// behaviour only, so swapping the body for the real server must keep them
// passing.
func startBroker(t *testing.T) (bootstrap string) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(0))
	if err != nil {
		t.Fatalf("start broker: %v", err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}
