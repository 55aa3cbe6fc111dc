package storage

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// epochEntry records that leader epoch Epoch began at StartOffset.
type epochEntry struct {
	Epoch       int32
	StartOffset int64
}

// leaderEpochCache is the in-memory copy of leader-epoch-checkpoint: epochs
// and start offsets, both strictly increasing.
type leaderEpochCache struct {
	mu sync.RWMutex
	// writeMu orders flushes: the log's flush runs outside the log lock,
	// beside truncations that flush under it.
	writeMu sync.Mutex
	path    string
	entries []epochEntry
	// persisted is what the file holds, so unchanged caches are not
	// rewritten (each write costs two fsyncs); nil until written or read.
	persisted []epochEntry
	onDisk    bool
}

func loadLeaderEpochCache(dir string) (*leaderEpochCache, error) {
	c := &leaderEpochCache{path: filepath.Join(dir, leaderEpochCheckpointFile)}
	lines, err := readCheckpointLines(c.path)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 2 {
			return nil, fmt.Errorf("storage: malformed line %q in %s", l, c.path)
		}
		e, err1 := strconv.ParseInt(f[0], 10, 32)
		o, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("storage: malformed line %q in %s", l, c.path)
		}
		c.entries = append(c.entries, epochEntry{int32(e), o})
	}
	c.persisted, c.onDisk = append([]epochEntry(nil), c.entries...), lines != nil
	return c, nil
}

// assign records that epoch starts at offset, if epoch is newer than the
// latest one known. A new entry drops any entries that start at or after
// offset, as Kafka does when a follower's log diverged.
func (c *leaderEpochCache) assign(epoch int32, offset int64) bool {
	if epoch < 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.entries); n > 0 {
		last := c.entries[n-1]
		if epoch <= last.Epoch {
			return false
		}
	}
	i := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].StartOffset >= offset })
	c.entries = append(c.entries[:i], epochEntry{epoch, offset})
	return true
}

func (c *leaderEpochCache) latestEpoch() int32 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.entries) == 0 {
		return -1
	}
	return c.entries[len(c.entries)-1].Epoch
}

// epochForOffset returns the epoch that was current at offset, -1 if none.
func (c *leaderEpochCache) epochForOffset(offset int64) int32 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	i := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].StartOffset > offset })
	if i == 0 {
		return -1
	}
	return c.entries[i-1].Epoch
}

// endOffsetFor answers OffsetForLeaderEpoch: the largest epoch <= requested
// and the start offset of the next epoch (or the log end offset when the
// requested epoch is the latest). Unknown epochs give (-1, -1).
func (c *leaderEpochCache) endOffsetFor(requested int32, logEndOffset int64) (int32, int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := len(c.entries)
	if requested < 0 || n == 0 {
		return -1, -1
	}
	if c.entries[n-1].Epoch == requested {
		return requested, logEndOffset
	}
	hi := sort.Search(n, func(i int) bool { return c.entries[i].Epoch > requested })
	if hi == n {
		return -1, -1
	}
	if hi == 0 {
		return requested, c.entries[0].StartOffset
	}
	return c.entries[hi-1].Epoch, c.entries[hi].StartOffset
}

// truncateFromEnd drops entries starting at or after endOffset.
func (c *leaderEpochCache) truncateFromEnd(endOffset int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].StartOffset >= endOffset })
	c.entries = c.entries[:i]
}

// truncateFromStart drops entries wholly below startOffset and moves the
// first remaining epoch's start up to it.
func (c *leaderEpochCache) truncateFromStart(startOffset int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].StartOffset > startOffset })
	if i == 0 {
		return
	}
	keep := c.entries[i-1]
	keep.StartOffset = startOffset
	c.entries = append([]epochEntry{keep}, c.entries[i:]...)
}

func (c *leaderEpochCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

func (c *leaderEpochCache) snapshot() []epochEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]epochEntry(nil), c.entries...)
}

// flush writes leader-epoch-checkpoint ("0", count, "epoch offset" lines).
func (c *leaderEpochCache) flush() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	entries := c.snapshot()
	c.mu.RLock()
	// An absent file reads as no epochs: a new partition's empty cache
	// costs no file (an inode and two fsyncs per partition created).
	same := (c.onDisk && slices.Equal(entries, c.persisted)) || (!c.onDisk && len(entries) == 0)
	c.mu.RUnlock()
	if same {
		return nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "0\n%d\n", len(entries))
	for _, e := range entries {
		fmt.Fprintf(&b, "%d %d\n", e.Epoch, e.StartOffset)
	}
	if err := writeFileAtomic(c.path, b.Bytes()); err != nil {
		return err
	}
	c.mu.Lock()
	c.persisted, c.onDisk = entries, true
	c.mu.Unlock()
	return nil
}
