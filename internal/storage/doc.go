// Package storage is the partition log engine. Every file it writes is in
// Apache Kafka's on-disk format (see docs/format/storage.md), so Kafka's own
// tools can read an Odradek log directory and the other way round.
//
// A Manager owns the log dirs and every partition Log in them. A Log is a
// list of segments (.log + .index + .timeindex, and .txnindex when a
// transaction aborted), a leader epoch cache, producer (idempotence and
// transaction) state and the offsets the replication layer needs: log start,
// log end, high watermark, last stable offset.
//
// Concurrency: mutations of a Log (Append, Truncate, roll, retention,
// DeleteRecordsBefore) are serialized by its mutex; Read, OffsetForTimestamp
// and friends share it, so they run concurrently with each other and only
// ever see whole appends.
//
// Read copies batches into a fresh buffer; ReadSlice returns the same
// batches as a FileSlice for sendfile(2). Compaction follows Kafka's log
// cleaner (see cleaner.go). Not implemented yet: tiered
// storage and moving replicas between log dirs (-future dirs).
package storage
