package metrics

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// franz-go and the OS resolver keep short-lived helpers around.
		goleak.IgnoreTopFunction("github.com/twmb/franz-go/pkg/kgo.(*Client).reapConnectionsLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
}
