// Package metadata holds the cluster metadata model: the records of the
// metadata log (docs/format/metadata-records.md), the immutable Image, the
// Delta that replays records into the next Image, and the Loader, a raft
// listener that applies committed records, swaps an atomic *Image (read
// lock-free by request handlers) and tells Publishers about every change on
// one goroutine, in order.
package metadata
