//go:build interop

package interop

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the harness leaves no goroutine behind (server waiters, client
// connections, output copiers).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
