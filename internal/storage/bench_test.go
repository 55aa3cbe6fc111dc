package storage

import (
	"testing"
)

// benchBatch is a 16 KiB batch of 1 KiB records.
func benchBatch(b *testing.B) []byte {
	return buildBatch(b, batchSpec{n: 16, valueLen: 1000, ts: nowMs(), pid: -1, epoch: -1, seq: -1})
}

func BenchmarkAppend(b *testing.B) {
	e := newTestEnv(b)
	l := e.log("bench", 0, DefaultLogConfig())
	src := benchBatch(b)
	buf := make([]byte, len(src))
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(buf, src)
		if _, err := l.Append(buf, AppendOptions{AssignOffsets: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	e := newTestEnv(b)
	l := e.log("bench", 0, DefaultLogConfig())
	src := benchBatch(b)
	const batches = 2000
	for i := 0; i < batches; i++ {
		mustAppend(b, l, append([]byte(nil), src...))
	}
	end := l.LogEndOffset()
	b.SetBytes(1 << 20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := int64(i*16*64) % end
		res, err := l.Read(off, 1<<20, end, true)
		if err != nil || len(res.Records) == 0 {
			b.Fatal(err)
		}
	}
}
