package cli

import (
	"testing"

	"github.com/odradek/odradek/internal/testserver"
)

// startBroker starts a real single-node Odradek server on 127.0.0.1 for the
// CLI tests and stops it when the test ends.
func startBroker(t *testing.T) (bootstrap string) {
	t.Helper()
	return testserver.Start(t).Bootstrap
}
