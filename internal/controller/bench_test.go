package controller

import (
	"fmt"
	"testing"
)

// BenchmarkCreateTopic measures one committed metadata command end to end
// (validation, raft append with fsync, commit, image update).
func BenchmarkCreateTopic(b *testing.B) {
	n := newNode(b, b.TempDir(), nil)
	n.register(1, "")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := n.ctrl.CreateTopics(ctx, createReq(7, false, topic(fmt.Sprintf("t%d", i), 1, 1)))
		if err != nil || resp.Topics[0].ErrorCode != 0 {
			b.Fatal(err, resp)
		}
	}
}
