package storage

import (
	"crypto/md5"
	"fmt"
)

// offsetMapEntryBytes is what one key costs in the dedupe buffer: like
// Kafka's cleaner map, a key is held as its 16-byte MD5 digest plus its
// 8-byte offset, so the budget is independent of key sizes.
const (
	offsetMapEntryBytes = md5.Size + 8
	// offsetMapLoadFactor is log.cleaner.io.buffer.load.factor's default.
	offsetMapLoadFactor = 0.9
)

// offsetMap maps each key of the dirty section to its latest offset,
// holding at most capacity keys.
type offsetMap struct {
	m        map[[md5.Size]byte]int64
	capacity int
}

// newOffsetMap sizes a map for a dedupe buffer of bufferBytes.
func newOffsetMap(bufferBytes int64) *offsetMap {
	capacity := int(float64(bufferBytes) * offsetMapLoadFactor / offsetMapEntryBytes)
	return &offsetMap{m: map[[md5.Size]byte]int64{}, capacity: max(capacity, 1)}
}

// fits reports whether n more keys are sure to fit.
func (o *offsetMap) fits(n int) bool { return len(o.m)+n <= o.capacity }

func (o *offsetMap) put(key []byte, offset int64) {
	o.m[md5.Sum(key)] = offset
}

// get returns the latest offset of key, -1 if the map does not hold it.
func (o *offsetMap) get(key []byte) int64 {
	if off, ok := o.m[md5.Sum(key)]; ok {
		return off
	}
	return -1
}

func errDedupeBufferTooSmall(n int, capacity int) error {
	return fmt.Errorf("storage: one batch holds %d keys but log.cleaner.dedupe.buffer.size fits only %d; increase it", n, capacity)
}
