// Package raft is the metadata quorum: a Node embeds go.etcd.io/raft/v3
// (PreVote and CheckQuorum on) and stores the metadata log
// __cluster_metadata in Kafka's formats under
// <metadata.log.dir>/__cluster_metadata-0: RecordBatch v2 segments (one
// batch per raft entry at offset index-1), quorum-state, and
// <offset>-<epoch>.checkpoint snapshots. See docs/format/metadata-log.md.
//
// The interface is narrow: Propose records and get the committed offset;
// Listeners see OnCommit, OnSnapshot and OnLeaderChange in log order; a
// Snapshotter is asked for snapshots as the log grows. A single-voter quorum
// needs no Transport; more voters use TCPTransport (or MemNetwork in tests).
package raft
