package config

const (
	maxLongStr = "9223372036854775807"
	maxIntStr  = "2147483647"
)

var compressionTypes = []string{"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}

// topicDefs are every topic-level config of Kafka 4.3. Synonyms name the
// broker properties that supply the default, in Kafka's priority order.
var topicDefs = []*Def{
	{Name: "cleanup.policy", Type: TypeList, Default: "delete", Valid: listOf("compact", "delete"), Importance: Medium,
		Synonyms: []string{"log.cleanup.policy"},
		Doc:      `Retention policy for old segments: "delete" drops segments past the retention time or size, "compact" keeps only the latest record per key; "delete,compact" does both.`},
	{Name: "compression.gzip.level", Type: TypeInt, Default: "-1", Valid: rangeOr(1, 9, -1), Importance: Medium,
		Synonyms: []string{"compression.gzip.level"},
		Doc:      "Level used when compression.type is gzip (-1 means the codec's default)."},
	{Name: "compression.lz4.level", Type: TypeInt, Default: "9", Valid: between(1, 17), Importance: Medium,
		Synonyms: []string{"compression.lz4.level"},
		Doc:      "Level used when compression.type is lz4."},
	{Name: "compression.type", Type: TypeString, Default: "producer", Valid: oneOf(compressionTypes...), Importance: Medium,
		Synonyms: []string{"compression.type"},
		Doc:      `Codec the broker stores batches with. A codec name forces recompression to it, "uncompressed" stores plain batches, "producer" keeps whatever the producer sent.`},
	{Name: "compression.zstd.level", Type: TypeInt, Default: "3", Valid: between(-131072, 22), Importance: Medium,
		Synonyms: []string{"compression.zstd.level"},
		Doc:      "Level used when compression.type is zstd."},
	{Name: "delete.retention.ms", Type: TypeLong, Default: "86400000", Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"log.cleaner.delete.retention.ms"},
		Doc:      "How long tombstones (null-value records) survive in a compacted topic, so that consumers reading from the start still see deletions."},
	{Name: "file.delete.delay.ms", Type: TypeLong, Default: "60000", Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"log.segment.delete.delay.ms"},
		Doc:      "Delay between marking a segment for deletion and removing its files."},
	{Name: "flush.messages", Type: TypeLong, Default: maxLongStr, Valid: atLeast(1), Importance: Medium,
		Synonyms: []string{"log.flush.interval.messages"},
		Doc:      "Force an fsync after this many records. By default the broker relies on replication and the OS page cache instead."},
	{Name: "flush.ms", Type: TypeLong, Default: maxLongStr, Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"log.flush.interval.ms", "log.flush.scheduler.interval.ms"},
		Doc:      "Force an fsync when data has been unflushed this long."},
	{Name: "follower.replication.throttled.replicas", Type: TypeList, Default: "", Valid: throttledReplicas, Importance: Medium,
		Doc: `Replicas (partition:broker pairs, or "*" for all) whose follower-side replication is throttled.`},
	{Name: "index.interval.bytes", Type: TypeInt, Default: "4096", Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"log.index.interval.bytes"},
		Doc:      "Bytes of log between offset-index entries; smaller means denser indexes and shorter scans."},
	{Name: "leader.replication.throttled.replicas", Type: TypeList, Default: "", Valid: throttledReplicas, Importance: Medium,
		Doc: `Replicas (partition:broker pairs, or "*" for all) whose leader-side replication is throttled.`},
	{Name: "local.retention.bytes", Type: TypeLong, Default: "-2", Valid: atLeast(-2), Importance: Medium,
		Synonyms: []string{"log.local.retention.bytes"},
		Doc:      "With tiered storage, the local size limit per partition before segments become eligible for local deletion; -2 means use retention.bytes."},
	{Name: "local.retention.ms", Type: TypeLong, Default: "-2", Valid: atLeast(-2), Importance: Medium,
		Synonyms: []string{"log.local.retention.ms"},
		Doc:      "With tiered storage, how long segments stay on local disk; -2 means use retention.ms."},
	{Name: "max.compaction.lag.ms", Type: TypeLong, Default: maxLongStr, Valid: atLeast(1), Importance: Medium,
		Synonyms: []string{"log.cleaner.max.compaction.lag.ms"},
		Doc:      "Upper bound on how long a record may stay uncompacted in a compacted topic."},
	{Name: "max.message.bytes", Type: TypeInt, Default: "1048588", Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"message.max.bytes"},
		Doc:      "Largest record batch (after compression) the topic accepts. Consumers' fetch sizes must allow at least this much."},
	{Name: "message.downconversion.enable", Type: TypeBoolean, Default: "true", Importance: Low,
		Doc: "Deprecated and without effect since Kafka 4.0, which no longer down-converts; accepted for compatibility."},
	{Name: "message.timestamp.after.max.ms", Type: TypeLong, Default: "3600000", Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"log.message.timestamp.after.max.ms"},
		Doc:      "With CreateTime, reject batches whose timestamp is more than this far ahead of the broker's clock."},
	{Name: "message.timestamp.before.max.ms", Type: TypeLong, Default: maxLongStr, Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"log.message.timestamp.before.max.ms"},
		Doc:      "With CreateTime, reject batches whose timestamp is more than this far behind the broker's clock."},
	{Name: "message.timestamp.type", Type: TypeString, Default: "CreateTime", Valid: oneOf("CreateTime", "LogAppendTime"), Importance: Medium,
		Synonyms: []string{"log.message.timestamp.type"},
		Doc:      "Whether record timestamps are the producer's (CreateTime) or the broker's append time (LogAppendTime)."},
	{Name: "min.cleanable.dirty.ratio", Type: TypeDouble, Default: "0.5", Valid: between(0, 1), Importance: Medium,
		Synonyms: []string{"log.cleaner.min.cleanable.ratio"},
		Doc:      "Fraction of a compacted log that must be uncompacted before the cleaner picks it."},
	{Name: "min.compaction.lag.ms", Type: TypeLong, Default: "0", Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"log.cleaner.min.compaction.lag.ms"},
		Doc:      "Minimum age before a record may be compacted away."},
	{Name: "min.insync.replicas", Type: TypeInt, Default: "1", Valid: atLeast(1), Importance: Medium,
		Synonyms: []string{"min.insync.replicas"},
		Doc:      "With acks=all, the number of in-sync replicas that must hold a write; fewer yields NOT_ENOUGH_REPLICAS."},
	{Name: "preallocate", Type: TypeBoolean, Default: "false", Importance: Medium,
		Synonyms: []string{"log.preallocate"},
		Doc:      "Preallocate the file when creating a segment."},
	{Name: "remote.log.copy.disable", Type: TypeBoolean, Default: "false", Importance: Medium,
		Doc: "With tiered storage enabled, stop copying new segments to remote storage while keeping existing remote data readable."},
	{Name: "remote.log.delete.on.disable", Type: TypeBoolean, Default: "false", Importance: Medium,
		Doc: "Confirms that remote data is deleted when tiered storage is turned off for the topic."},
	{Name: "remote.storage.enable", Type: TypeBoolean, Default: "false", Importance: Medium,
		Doc: "Enable tiered storage for the topic."},
	{Name: "retention.bytes", Type: TypeLong, Default: "-1", Importance: Medium,
		Synonyms: []string{"log.retention.bytes"},
		Doc:      "Size a partition may grow to before old segments are deleted (delete policy); -1 means no size limit."},
	{Name: "retention.ms", Type: TypeLong, Default: "604800000", Valid: atLeast(-1), Importance: Medium,
		Synonyms: []string{"log.retention.ms", "log.retention.minutes", "log.retention.hours"},
		Doc:      "How long records are kept before their segment is deleted (delete policy); -1 means forever."},
	{Name: "segment.bytes", Type: TypeInt, Default: "1073741824", Valid: atLeast(1048576), Importance: Medium,
		Synonyms: []string{"log.segment.bytes"},
		Doc:      "Segment file size; retention and compaction work a segment at a time."},
	{Name: "segment.index.bytes", Type: TypeInt, Default: "10485760", Valid: atLeast(4), Importance: Medium,
		Synonyms: []string{"log.index.size.max.bytes"},
		Doc:      "Size of the offset and time index files of a segment (preallocated, shrunk on roll)."},
	{Name: "segment.jitter.ms", Type: TypeLong, Default: "0", Valid: atLeast(0), Importance: Medium,
		Synonyms: []string{"log.roll.jitter.ms", "log.roll.jitter.hours"},
		Doc:      "Random jitter subtracted from segment.ms so that many partitions do not roll at once."},
	{Name: "segment.ms", Type: TypeLong, Default: "604800000", Valid: atLeast(1), Importance: Medium,
		Synonyms: []string{"log.roll.ms", "log.roll.hours"},
		Doc:      "Roll a new segment after this long even if the active one is not full, so retention and compaction can act."},
	{Name: "unclean.leader.election.enable", Type: TypeBoolean, Default: "false", Importance: Medium,
		Synonyms: []string{"unclean.leader.election.enable"},
		Doc:      "Allow an out-of-sync replica to become leader when no in-sync replica is left, at the cost of losing data."},
}

var topicIndex = defIndex(topicDefs)

// TopicDefs returns every topic config definition, sorted by name.
func TopicDefs() []*Def { return topicDefs }

// LookupTopic finds a topic-level config definition.
func LookupTopic(name string) (*Def, bool) {
	d, ok := topicIndex[name]
	return d, ok
}

// unitScale converts time-unit synonyms into milliseconds when a topic
// config inherits from them (log.retention.hours -> retention.ms ...).
var unitScale = map[string]int64{
	"log.retention.minutes": 60 * 1000,
	"log.retention.hours":   60 * 60 * 1000,
	"log.roll.hours":        60 * 60 * 1000,
	"log.roll.jitter.hours": 60 * 60 * 1000,
}
