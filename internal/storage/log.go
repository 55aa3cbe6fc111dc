package storage

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/record"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// logEnv is what a Log borrows from its Manager.
type logEnv struct {
	clock  clock.Clock
	logger *slog.Logger
	// scheduleDelete removes files after file.delete.delay.ms.
	scheduleDelete func(files []string, delay time.Duration)
	// producerIDExpirationMs drops idle producers when state is loaded.
	producerIDExpirationMs int64
	// writeback starts the kernel writing appended data early (writeback.go).
	writeback writeback
	// cleanerHook, set by tests, is called at each step of a cleaner
	// swap; an error stops the pass there, as a crash would.
	cleanerHook func(step string) error
	randMu      sync.Mutex
	rand        *rand.Rand
}

func (e *logEnv) jitter(maxMs int64) int64 {
	if maxMs <= 0 {
		return 0
	}
	e.randMu.Lock()
	defer e.randMu.Unlock()
	return e.rand.Int64N(maxMs)
}

// Log is one partition's log: a directory of segments plus checkpoints.
// Mutations (Append, Truncate, roll, retention) hold mu exclusively; Read
// holds it shared, so reads run concurrently with each other and see only
// whole appends.
type Log struct {
	tp       TopicPartition
	topicID  [16]byte
	dir      string
	rootDir  string
	env      *logEnv
	dirState *dirState

	mu            sync.RWMutex
	cfg           LogConfig
	segments      []*segment // ascending base offset; last is active
	epochs        *leaderEpochCache
	producers     *producerState
	recoveryPoint int64
	unflushed     int64
	lastFlushMs   int64
	closed        bool
	deleted       bool
	// configured is false for a log loaded from disk until its topic's
	// settings are applied: retention and the cleaner leave it alone so a
	// default retention.ms cannot delete a compacted topic's data.
	configured bool

	logStart atomic.Int64
	logEnd   atomic.Int64
	hw       atomic.Int64
	// firstUnstable caches the producer state's first unstable offset
	// (-1: none) so LastStableOffset needs no lock.
	firstUnstable atomic.Int64
	sizeBytes     atomic.Int64

	bg      sync.WaitGroup // asynchronous flushes after a roll
	cleanMu sync.Mutex     // one cleaner pass at a time
	// truncations counts Truncate calls so the cleaner can tell that the
	// records it planned with may be gone.
	truncations int64
}

// Topic is the log's topic name.
func (l *Log) Topic() string { return l.tp.Topic }

// Partition is the log's partition number.
func (l *Log) Partition() int32 { return l.tp.Partition }

// TopicID is the topic id recorded in partition.metadata.
func (l *Log) TopicID() [16]byte { return l.topicID }

// Dir is the partition directory.
func (l *Log) Dir() string { return l.dir }

// LogStartOffset is the first offset readable.
func (l *Log) LogStartOffset() int64 { return l.logStart.Load() }

// LogEndOffset is the offset the next appended record gets.
func (l *Log) LogEndOffset() int64 { return l.logEnd.Load() }

// HighWatermark is the replication layer's high watermark, persisted in
// replication-offset-checkpoint.
func (l *Log) HighWatermark() int64 { return l.hw.Load() }

// SetHighWatermark stores hw, clamped to [LogStartOffset, LogEndOffset].
func (l *Log) SetHighWatermark(hw int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	hw = min(max(hw, l.logStart.Load()), l.logEnd.Load())
	l.hw.Store(hw)
	if len(l.producers.unreplicated) > 0 {
		l.producers.onHighWatermark(hw)
		l.firstUnstable.Store(l.producers.firstUnstableOffset())
	}
}

// Size is the total bytes of all segments.
func (l *Log) Size() int64 { return l.sizeBytes.Load() }

// NumSegments is how many segments the log has.
func (l *Log) NumSegments() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.segments)
}

// Config returns the log's current configuration.
func (l *Log) Config() LogConfig {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.cfg
}

// UpdateConfig applies new topic settings; they take effect from the next
// append or retention pass.
func (l *Log) UpdateConfig(cfg LogConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cfg = cfg
	l.configured = true
	return nil
}

func (l *Log) activeSegment() *segment { return l.segments[len(l.segments)-1] }

func (l *Log) recomputeSize() {
	var n int64
	for _, s := range l.segments {
		n += s.size
	}
	l.sizeBytes.Store(n)
}

// segmentFor returns the index of the segment that would hold offset.
func (l *Log) segmentFor(offset int64) int {
	i := sort.Search(len(l.segments), func(i int) bool { return l.segments[i].baseOffset > offset })
	return max(i-1, 0)
}

// ReadResult is what Read returns.
type ReadResult struct {
	// Records are whole batches, exactly as stored.
	Records        []byte
	HighWatermark  int64
	LogStartOffset int64
	LogEndOffset   int64
}

// Read returns whole batches starting with the one containing offset, up to
// maxBytes (unless minOneMessage and the first batch alone is larger), and
// only batches whose last offset is below maxOffset (the caller passes the
// high watermark, or the log end offset for followers). Like Kafka it reads
// from a single segment per call. offset outside [LogStartOffset,
// LogEndOffset] is kerr.OffsetOutOfRange.
func (l *Log) Read(offset int64, maxBytes int32, maxOffset int64, minOneMessage bool) (ReadResult, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	res := ReadResult{HighWatermark: l.hw.Load(), LogStartOffset: l.logStart.Load(), LogEndOffset: l.logEnd.Load()}
	if l.closed {
		return res, fmt.Errorf("storage: read %s: log is closed: %w", l.tp, kerr.NotLeaderForPartition)
	}
	if err := l.checkOnline(); err != nil {
		return res, err
	}
	if offset < res.LogStartOffset || offset > res.LogEndOffset {
		return res, fmt.Errorf("storage: read %s at offset %d outside [%d, %d]: %w", l.tp, offset, res.LogStartOffset, res.LogEndOffset, kerr.OffsetOutOfRange)
	}
	if offset == res.LogEndOffset || offset >= maxOffset {
		return res, nil
	}
	// The offset may lie in a gap at the end of a segment (compaction,
	// follower appends); then the data starts in a later one.
	for i := l.segmentFor(offset); i < len(l.segments); i++ {
		recs, found, err := l.segments[i].read(offset, maxBytes, maxOffset, minOneMessage)
		if err != nil {
			if errors.Is(err, kerr.KafkaStorageError) {
				l.ioError(err)
			}
			return res, err
		}
		if found {
			res.Records = recs
			return res, nil
		}
	}
	return res, nil
}

// read collects batches from this segment. found is false when no batch
// of the segment reaches offset; recs may be empty when one does but it is
// at or past maxOffset or larger than maxBytes without minOneMessage.
func (s *segment) read(offset int64, maxBytes int32, maxOffset int64, minOneMessage bool) (recs []byte, found bool, err error) {
	start, h, err := s.findBatch(offset)
	if errors.Is(err, io.EOF) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if h.LastOffset() >= maxOffset {
		return nil, true, nil
	}
	first := int64(h.Size())
	if first > int64(maxBytes) && !minOneMessage {
		return nil, true, nil
	}
	limit := min(max(int64(maxBytes), first), s.size-start)
	buf := make([]byte, limit)
	if _, err := s.log.ReadAt(buf, start); err != nil {
		return nil, false, fmt.Errorf("storage: read segment %s at %d: %v: %w", s.logPath(), start, err, kerr.KafkaStorageError)
	}
	// Keep whole batches below maxOffset.
	end := 0
	for end+record.LogOverhead <= len(buf) {
		hb, _, err := record.NextBatch(buf[end:])
		if err != nil {
			break
		}
		bh, err := record.ParseHeader(hb)
		if err != nil || bh.LastOffset() >= maxOffset {
			break
		}
		end += len(hb)
	}
	return buf[:end], true, nil
}

// OffsetForTimestamp finds the first offset whose record timestamp is >= ts,
// using the time index, and returns it with that record's timestamp and
// leader epoch; ok=false if no record is that late.
func (l *Log) OffsetForTimestamp(ts int64) (offset, timestamp int64, leaderEpoch int32, ok bool, err error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	logStart := l.logStart.Load()
	for _, s := range l.segments {
		if s.maxTimestamp < ts {
			continue
		}
		_, tOff := s.tidx.lookup(ts)
		startOff := max(tOff, s.baseOffset, logStart)
		pos, h, err := s.findBatch(startOff)
		for err == nil {
			if h.MaxTimestamp >= ts && h.LastOffset() >= logStart {
				off, rts, found, ferr := s.firstRecordAtOrAfter(pos, &h, ts, logStart)
				if ferr != nil {
					return 0, 0, 0, false, ferr
				}
				if found {
					return off, rts, h.PartitionLeaderEpoch, true, nil
				}
			}
			pos += int64(h.Size())
			h, err = s.readHeader(pos)
		}
		if !errors.Is(err, io.EOF) {
			return 0, 0, 0, false, err
		}
	}
	return 0, 0, 0, false, nil
}

func (s *segment) firstRecordAtOrAfter(pos int64, h *record.Header, ts, logStart int64) (int64, int64, bool, error) {
	batch := make([]byte, h.Size())
	if _, err := s.log.ReadAt(batch, pos); err != nil {
		return 0, 0, false, fmt.Errorf("storage: read segment %s at %d: %w", s.logPath(), pos, err)
	}
	var off, rts int64
	found := false
	errStop := errors.New("stop")
	err := record.ForEachRecord(h, batch, func(_ int, r *kmsg.Record) error {
		o := h.BaseOffset + int64(r.OffsetDelta)
		t := h.BaseTimestamp + r.TimestampDelta64
		if h.IsLogAppendTime() {
			t = h.MaxTimestamp
		}
		if o >= logStart && t >= ts {
			off, rts, found = o, t, true
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return 0, 0, false, err
	}
	return off, rts, found, nil
}

// MaxTimestamp returns the largest timestamp in the log and the offset of
// the first record carrying it, for ListOffsets with timestamp -3; (-1, -1)
// for a log without timestamps.
func (l *Log) MaxTimestamp() (offset int64, timestamp int64) {
	offset, timestamp, _ = l.MaxTimestampWithEpoch()
	return offset, timestamp
}

// MaxTimestampWithEpoch is MaxTimestamp plus the leader epoch of the batch
// holding the record (-1 if unknown), as ListOffsets v4+ reports it.
func (l *Log) MaxTimestampWithEpoch() (offset, timestamp int64, leaderEpoch int32) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var best *segment
	for _, s := range l.segments {
		if s.maxTimestamp >= 0 && (best == nil || s.maxTimestamp > best.maxTimestamp) {
			best = s
		}
	}
	if best == nil {
		return -1, -1, -1
	}
	ts := best.maxTimestamp
	// The segment remembers the batch; Kafka reports the record.
	pos, h, err := best.findBatch(best.offsetOfMaxTimestamp)
	if err == nil && h.MaxTimestamp == ts {
		if off, _, found, err := best.firstRecordAtOrAfter(pos, &h, ts, 0); err == nil && found {
			return off, ts, max(h.PartitionLeaderEpoch, -1)
		}
	}
	return best.offsetOfMaxTimestamp, ts, -1
}

// EndOffsetForEpoch answers OffsetForLeaderEpoch from the leader epoch
// cache: the largest epoch <= epoch and where it ended; (-1, -1) if unknown.
func (l *Log) EndOffsetForEpoch(epoch int32) (int32, int64) {
	return l.epochs.endOffsetFor(epoch, l.logEnd.Load())
}

// LatestEpoch is the newest leader epoch in the log, -1 if none.
func (l *Log) LatestEpoch() int32 { return l.epochs.latestEpoch() }

// Flush fsyncs every segment with unflushed data and moves the recovery
// point to the log end.
func (l *Log) Flush() error {
	l.mu.RLock()
	segs := append([]*segment(nil), l.segments...)
	end := l.logEnd.Load()
	rp := l.recoveryPoint
	l.mu.RUnlock()
	return l.flushSegments(segs, rp, end)
}

func (l *Log) flushSegments(segs []*segment, from, to int64) error {
	for i, s := range segs {
		if i+1 < len(segs) && segs[i+1].baseOffset <= from {
			continue
		}
		if s.baseOffset >= to && s.size > 0 {
			break
		}
		if err := s.flush(&l.mu); err != nil {
			l.ioError(err)
			return fmt.Errorf("storage: flush %s: %v: %w", l.tp, err, kerr.KafkaStorageError)
		}
	}
	// Epochs of the data below the new recovery point must be durable:
	// recovery does not rescan it.
	if err := l.epochs.flush(); err != nil {
		l.ioError(err)
		return fmt.Errorf("storage: flush %s: %v: %w", l.tp, err, kerr.KafkaStorageError)
	}
	l.mu.Lock()
	if to > l.recoveryPoint {
		l.recoveryPoint = to
		l.unflushed = 0
	}
	l.lastFlushMs = l.env.clock.Now().UnixMilli()
	l.mu.Unlock()
	return nil
}

// ProducerStates lists the idempotent producers the log knows about.
func (l *Log) ProducerStates() []ProducerInfo {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]ProducerInfo, 0, len(l.producers.producers))
	for _, e := range l.producers.producers {
		out = append(out, ProducerInfo{e.producerID, e.epoch, e.lastSeq(), e.lastTimestamp, e.coordinatorEpoch, e.currentTxnFirstOffset})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProducerID < out[j].ProducerID })
	return out
}
