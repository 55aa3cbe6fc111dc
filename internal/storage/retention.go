package storage

import (
	"errors"
	"time"
)

// Start launches the background work: retention, flushes, checkpoints,
// producer-id expiry and early writeback of appended data. Segments roll by segment.ms on append, as in Kafka,
// and an old active segment is rolled away by retention.
func (m *Manager) Start() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started || m.closed {
		return
	}
	m.started = true
	m.loops.Add(1)
	go func() {
		defer m.loops.Done()
		m.env.writeback.run(m.stop)
	}()
	m.every(m.cfg.RetentionCheckInterval, func() {
		if err := m.RunRetention(); err != nil {
			m.cfg.Logger.Warn("retention pass failed", "error", err)
		}
	})
	if m.cfg.FlushCheckInterval > 0 {
		m.every(m.cfg.FlushCheckInterval, m.flushDue)
	}
	m.every(m.cfg.FlushOffsetCheckpointInterval, func() { m.warn(m.checkpointRecoveryPoints()) })
	m.every(m.cfg.FlushStartOffsetCheckpointInterval, func() { m.warn(m.checkpointLogStarts()) })
	m.every(m.cfg.HighWatermarkCheckpointInterval, func() { m.warn(m.checkpointHighWatermarks()) })
	m.every(m.cfg.ProducerIDExpirationCheckInterval, m.ExpireProducers)
	if !m.cfg.DisableCleaner {
		m.every(m.cfg.CleanerBackoff, func() { m.warn(m.RunCleaner()) })
	}
}

func (m *Manager) warn(err error) {
	if err != nil {
		m.cfg.Logger.Warn("storage background task failed", "error", err)
	}
}

func (m *Manager) every(d time.Duration, f func()) {
	t := m.cfg.Clock.NewTicker(d)
	m.loops.Add(1)
	go func() {
		defer m.loops.Done()
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C():
				f()
			}
		}
	}()
}

// RunRetention applies retention.ms, retention.bytes and the log start
// offset to every log with a delete cleanup policy.
func (m *Manager) RunRetention() error {
	var errs []error
	now := m.cfg.Clock.Now().UnixMilli()
	for _, l := range m.Logs() {
		if _, err := l.deleteOldSegments(now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deleteOldSegments runs one retention pass over the log and returns how
// many segments it deleted.
func (l *Log) deleteOldSegments(nowMs int64) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || !l.configured {
		return 0, nil
	}
	total := 0
	if l.cfg.deletePolicy() {
		if l.cfg.RetentionMs >= 0 {
			n := l.deletableSegments(func(s *segment) bool { return nowMs-s.largestTimestamp() > l.cfg.RetentionMs })
			if err := l.deleteOldest(n); err != nil {
				return total, err
			}
			total += n
		}
		if l.cfg.RetentionBytes >= 0 && l.sizeBytes.Load() >= l.cfg.RetentionBytes {
			diff := l.sizeBytes.Load() - l.cfg.RetentionBytes
			n := l.deletableSegments(func(s *segment) bool {
				if diff-s.size >= 0 {
					diff -= s.size
					return true
				}
				return false
			})
			if err := l.deleteOldest(n); err != nil {
				return total, err
			}
			total += n
		}
	}
	before := len(l.segments)
	if err := l.deleteLogStartBreached(); err != nil {
		return total, err
	}
	return total + before - len(l.segments), nil
}

// deletableSegments counts the oldest segments that satisfy pred and lie
// wholly below the high watermark; an empty active segment is never one.
func (l *Log) deletableSegments(pred func(*segment) bool) int {
	hw := l.hw.Load()
	n := 0
	for i, s := range l.segments {
		end := l.logEnd.Load()
		last := i == len(l.segments)-1
		if !last {
			end = l.segments[i+1].baseOffset
		}
		if hw < end || (last && s.size == 0) || !pred(s) {
			break
		}
		n++
	}
	return n
}

// ExpireProducers forgets idle producers (producer.id.expiration.ms).
func (m *Manager) ExpireProducers() {
	cutoff := m.cfg.Clock.Now().Add(-m.cfg.ProducerIDExpiration).UnixMilli()
	for _, l := range m.Logs() {
		l.mu.Lock()
		if !l.closed {
			l.producers.expire(cutoff)
		}
		l.mu.Unlock()
	}
}

// flushDue flushes logs whose flush.ms has elapsed.
func (m *Manager) flushDue() {
	now := m.cfg.Clock.Now().UnixMilli()
	for _, l := range m.Logs() {
		l.mu.RLock()
		due := !l.closed && l.logEnd.Load() > l.recoveryPoint && now-l.lastFlushMs >= l.cfg.FlushMs
		l.mu.RUnlock()
		if due {
			m.warn(l.Flush())
		}
	}
}
