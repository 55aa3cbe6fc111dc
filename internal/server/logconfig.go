package server

import (
	"strconv"

	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/storage"
)

// logConfigFor turns a topic's effective configs (static broker config,
// dynamic broker defaults and topic overrides) into storage settings.
func logConfigFor(static *config.Config, nodeID int32, img *metadata.Image, topic string) storage.LogConfig {
	eff := config.EffectiveTopicConfig(static, img.BrokerConfig(-1), img.BrokerConfig(nodeID), img.TopicConfig(topic))
	return logConfigFromMap(eff)
}

// logConfigFromMap reads the topic config keys storage obeys; values were
// validated when set, so a parse failure keeps Kafka's default.
func logConfigFromMap(m map[string]string) storage.LogConfig {
	c := storage.DefaultLogConfig()
	i64 := func(key string, dst *int64) {
		if v, err := strconv.ParseInt(m[key], 10, 64); err == nil {
			*dst = v
		}
	}
	i32 := func(key string, dst *int32) {
		if v, err := strconv.ParseInt(m[key], 10, 32); err == nil {
			*dst = int32(v)
		}
	}
	i64("segment.bytes", &c.SegmentBytes)
	i64("segment.ms", &c.SegmentMs)
	i64("segment.jitter.ms", &c.SegmentJitterMs)
	i32("segment.index.bytes", &c.SegmentIndexBytes)
	i32("index.interval.bytes", &c.IndexIntervalBytes)
	i64("retention.ms", &c.RetentionMs)
	i64("retention.bytes", &c.RetentionBytes)
	i32("max.message.bytes", &c.MaxMessageBytes)
	i64("message.timestamp.before.max.ms", &c.MessageTimestampBeforeMaxMs)
	i64("message.timestamp.after.max.ms", &c.MessageTimestampAfterMaxMs)
	i64("file.delete.delay.ms", &c.FileDeleteDelayMs)
	i64("flush.messages", &c.FlushMessages)
	i64("flush.ms", &c.FlushMs)
	i64("min.compaction.lag.ms", &c.MinCompactionLagMs)
	i64("max.compaction.lag.ms", &c.MaxCompactionLagMs)
	i64("delete.retention.ms", &c.DeleteRetentionMs)
	if v, err := strconv.ParseFloat(m["min.cleanable.dirty.ratio"], 64); err == nil {
		c.MinCleanableDirtyRatio = v
	}
	if v, ok := m["message.timestamp.type"]; ok && v != "" {
		c.MessageTimestampType = v
	}
	if v, ok := m["cleanup.policy"]; ok && v != "" {
		c.CleanupPolicy = v
	}
	if v, ok := m["compression.type"]; ok && v != "" {
		c.CompressionType = v
	}
	c.Preallocate = m["preallocate"] == "true"
	return c
}
