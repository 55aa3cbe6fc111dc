package network

import (
	"math/bits"
	"sync"
)

// Request frames of the APIs a handler is done with when Handle returns
// (Config.ReuseFrames; Produce) come from size-classed pools: a producer
// sending megabyte requests otherwise makes the collector zero and fault in
// a fresh megabyte per request, which showed as a sixth of the server's
// CPU under load. Small frames are cheap to allocate and are not pooled.
const (
	minPooledFrame = 64 << 10
	maxPooledFrame = 16 << 20
)

// framePools[c] holds buffers of capacity minPooledFrame<<c (64 KiB .. 16 MiB).
var framePools [9]sync.Pool

// frameClass is the pool for frames of size bytes, -1 for none.
func frameClass(size int) int {
	if size < minPooledFrame || size > maxPooledFrame {
		return -1
	}
	return bits.Len(uint(size-1)) - bits.Len(minPooledFrame-1)
}

// getFrame returns a buffer of length size, pooled when its class has one.
func getFrame(size int) []byte {
	c := frameClass(size)
	if c < 0 {
		return make([]byte, size)
	}
	if p, ok := framePools[c].Get().(*[]byte); ok {
		return (*p)[:size]
	}
	return make([]byte, size, minPooledFrame<<c)
}

// putFrame returns a buffer from getFrame to its pool; nothing may refer
// to it afterwards.
func putFrame(b []byte) {
	c := frameClass(cap(b))
	if c < 0 || cap(b) != minPooledFrame<<c {
		return
	}
	b = b[:0]
	framePools[c].Put(&b)
}
