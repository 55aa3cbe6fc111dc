package storage

import (
	"fmt"
	"math"
	"strings"

	"github.com/odradek/odradek/internal/record"
)

// LogConfig holds the topic-level settings the log obeys. Field names follow
// the Kafka topic configs they come from (segment.bytes -> SegmentBytes ...).
type LogConfig struct {
	SegmentBytes                int64
	SegmentMs                   int64
	SegmentJitterMs             int64
	SegmentIndexBytes           int32
	IndexIntervalBytes          int32
	RetentionMs                 int64 // -1: infinite
	RetentionBytes              int64 // -1: infinite
	MaxMessageBytes             int32
	MessageTimestampType        string // "CreateTime" or "LogAppendTime"
	MessageTimestampBeforeMaxMs int64
	MessageTimestampAfterMaxMs  int64
	FileDeleteDelayMs           int64
	FlushMessages               int64
	FlushMs                     int64
	CleanupPolicy               string // "delete", "compact" or "compact,delete"
	CompressionType             string // "producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"
	Preallocate                 bool
	// Compaction (cleanup.policy=compact).
	MinCleanableDirtyRatio float64 // min.cleanable.dirty.ratio
	MinCompactionLagMs     int64   // min.compaction.lag.ms
	MaxCompactionLagMs     int64   // max.compaction.lag.ms
	DeleteRetentionMs      int64   // delete.retention.ms
}

// DefaultLogConfig returns Kafka 4.3's topic defaults.
func DefaultLogConfig() LogConfig {
	return LogConfig{
		SegmentBytes:                1 << 30,
		SegmentMs:                   7 * 24 * 3600 * 1000,
		SegmentJitterMs:             0,
		SegmentIndexBytes:           10 << 20,
		IndexIntervalBytes:          4096,
		RetentionMs:                 7 * 24 * 3600 * 1000,
		RetentionBytes:              -1,
		MaxMessageBytes:             1048588,
		MessageTimestampType:        "CreateTime",
		MessageTimestampBeforeMaxMs: math.MaxInt64,
		MessageTimestampAfterMaxMs:  3600000,
		FileDeleteDelayMs:           60000,
		FlushMessages:               math.MaxInt64,
		FlushMs:                     math.MaxInt64,
		CleanupPolicy:               "delete",
		CompressionType:             "producer",
		Preallocate:                 false,
		MinCleanableDirtyRatio:      0.5,
		MinCompactionLagMs:          0,
		MaxCompactionLagMs:          math.MaxInt64,
		DeleteRetentionMs:           86400000,
	}
}

// Validate reports settings the log cannot work with.
func (c LogConfig) Validate() error {
	switch {
	case c.SegmentBytes < 14:
		return fmt.Errorf("storage: segment.bytes %d is below 14", c.SegmentBytes)
	case c.SegmentBytes > math.MaxInt32:
		return fmt.Errorf("storage: segment.bytes %d exceeds %d", c.SegmentBytes, math.MaxInt32)
	case c.SegmentIndexBytes < 12:
		return fmt.Errorf("storage: segment.index.bytes %d is below 12", c.SegmentIndexBytes)
	case c.IndexIntervalBytes < 0:
		return fmt.Errorf("storage: index.interval.bytes %d is negative", c.IndexIntervalBytes)
	case c.SegmentMs < 1:
		return fmt.Errorf("storage: segment.ms %d is below 1", c.SegmentMs)
	case c.MessageTimestampType != "CreateTime" && c.MessageTimestampType != "LogAppendTime":
		return fmt.Errorf("storage: message.timestamp.type %q is neither CreateTime nor LogAppendTime", c.MessageTimestampType)
	}
	if c.CompressionType != "producer" {
		if _, ok := record.CodecByName(c.CompressionType); !ok {
			return fmt.Errorf("storage: unknown compression.type %q", c.CompressionType)
		}
	}
	return nil
}

func (c LogConfig) deletePolicy() bool  { return strings.Contains(c.CleanupPolicy, "delete") }
func (c LogConfig) compactPolicy() bool { return strings.Contains(c.CleanupPolicy, "compact") }

// maxSegmentMs is segment.ms, shortened to max.compaction.lag.ms for a
// compacted log so that no record waits in the active segment (which is
// never cleaned) longer than the lag allows, as Kafka does.
func (c LogConfig) maxSegmentMs() int64 {
	if c.compactPolicy() && c.MaxCompactionLagMs > 0 {
		return min(c.SegmentMs, c.MaxCompactionLagMs)
	}
	return c.SegmentMs
}

func (c LogConfig) logAppendTime() bool { return c.MessageTimestampType == "LogAppendTime" }
