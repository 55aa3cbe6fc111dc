// Package group is the group coordinator: classic consumer groups
// (JoinGroup, SyncGroup, Heartbeat, LeaveGroup), KIP-848 consumer groups
// (package consumer), online migration between the two protocols, and
// committed offsets, stored in __consumer_offsets in Kafka's record
// formats so tools reading that topic keep working. State lives in runtime
// shards, one per __consumer_offsets partition; a group belongs to the
// partition Kafka would pick (hash of the group id).
package group

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/runtime"
	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/replication"
)

// Topic is the internal topic holding group state.
const Topic = "__consumer_offsets"

// Options wire a Coordinator.
type Options struct {
	Config
	NodeID         int32
	NumPartitions  int32 // offsets.topic.num.partitions
	Replicas       *replication.Manager
	LoadBufferSize int32 // offsets.load.buffer.size
	Clock          clock.Clock
	Logger         *slog.Logger
}

// Coordinator serves the group APIs for the __consumer_offsets partitions
// led by this broker. It is a metadata publisher and must be added after
// the replication manager, so the partitions it loads are hosted already.
type Coordinator struct {
	opts Options
	rt   *runtime.Runtime
	log  *slog.Logger
	// cleanups are offset deletions for deleted topics still running.
	cleanups sync.WaitGroup
	// topics is the topic image consumer groups assign from.
	topics *topicSource
}

// New builds a coordinator hosting nothing until metadata says so.
func New(opts Options) *Coordinator {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.NewMemberID == nil {
		opts.NewMemberID = randomMemberID
	}
	c := &Coordinator{opts: opts, log: opts.Logger, topics: &topicSource{}}
	cfg := &c.opts.Config
	c.rt = runtime.New(runtime.Config{
		Clock:  opts.Clock,
		Logger: opts.Logger,
		NewShard: func(p int32) runtime.Shard {
			return newShard(cfg, opts.Clock, c.topics, p)
		},
	})
	return c
}

// randomMemberID is Kafka's form: client id, a dash and a random UUID.
func randomMemberID(clientID string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%s-%x-%x-%x-%x-%x", clientID, b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// PartitionFor is the __consumer_offsets partition of a group: the Java
// String.hashCode of the id, made non-negative as Kafka's Utils.abs does.
func PartitionFor(group string, numPartitions int32) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(group)) {
		h = 31*h + int32(u)
	}
	if h == -1<<31 {
		h = 0
	} else if h < 0 {
		h = -h
	}
	return h % numPartitions
}

// PartitionFor is the __consumer_offsets partition of a group.
func (c *Coordinator) PartitionFor(group string) int32 {
	return PartitionFor(group, c.opts.NumPartitions)
}

// Name identifies the metadata publisher.
func (c *Coordinator) Name() string { return "group-coordinator" }

// OnMetadataUpdate loads the __consumer_offsets partitions this broker
// leads and unloads those it no longer leads.
func (c *Coordinator) OnMetadataUpdate(delta *metadata.Delta, img *metadata.Image) {
	if deleted := delta.DeletedTopics(); len(deleted) > 0 {
		names := map[string]bool{}
		for _, t := range deleted {
			names[t.Name] = true
		}
		c.deleteOffsetsOfTopics(names)
	}
	c.publishTopics(img)
	t := img.Topic(Topic)
	hosted := c.rt.Hosted()
	if t == nil {
		for p := range hosted {
			c.rt.Unload(p)
		}
		return
	}
	for id, mp := range t.Partitions {
		if mp.Leader != c.opts.NodeID {
			if _, ok := hosted[id]; ok {
				c.rt.Unload(id)
			}
			continue
		}
		part, err := c.opts.Replicas.Partition(Topic, id)
		if err != nil {
			c.log.Warn("led coordinator partition is not hosted", "partition", id, "err", err)
			continue
		}
		c.rt.Load(id, mp.LeaderEpoch, runtime.ReplicaLog{Part: part, LoadBufferSize: c.opts.LoadBufferSize})
	}
	for p := range hosted {
		if t.Partitions[p] == nil {
			c.rt.Unload(p)
		}
	}
}

// Status says whether the group's partition is active here: nil, or
// NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS.
func (c *Coordinator) Status(group string) error {
	return c.rt.Read(c.PartitionFor(group), func(runtime.Shard, *runtime.Timers) error { return nil })
}

// Close unloads everything and waits for loads and cleanups in progress.
func (c *Coordinator) Close() {
	c.rt.Close()
	c.cleanups.Wait()
}

// deleteOffsetsOfTopics drops committed offsets of deleted topics in every
// active shard, as Kafka does when topics are deleted. It runs in the
// background: the metadata publisher must not wait for a commit.
func (c *Coordinator) deleteOffsetsOfTopics(topics map[string]bool) {
	for p, active := range c.rt.Hosted() {
		if !active {
			continue
		}
		c.cleanups.Add(1)
		go func() {
			defer c.cleanups.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := c.rt.Write(ctx, p, func(rs runtime.Shard, _ *runtime.Timers) (runtime.Result, error) {
				return rs.(*shard).dropTopics(topics), nil
			})
			if err != nil {
				c.log.Warn("cannot delete offsets of deleted topics", "partition", p, "err", err)
			}
		}()
	}
}

// codeOf maps an error to a Kafka error code for a response; runtime
// errors already carry NOT_COORDINATOR and friends.
func codeOf(err error) int16 {
	if err == nil {
		return 0
	}
	if ke, ok := asKerr(err); ok {
		return ke.Code
	}
	return kerr.UnknownServerError.Code
}

// write runs an operation on the shard of group.
func (c *Coordinator) write(ctx context.Context, group string, op func(s *shard, t *runtime.Timers) (runtime.Result, error)) error {
	return c.rt.Write(ctx, c.PartitionFor(group), func(rs runtime.Shard, t *runtime.Timers) (runtime.Result, error) {
		return op(rs.(*shard), t)
	})
}

func (c *Coordinator) read(group string, fn func(s *shard) error) error {
	return c.rt.Read(c.PartitionFor(group), func(rs runtime.Shard, _ *runtime.Timers) error {
		return fn(rs.(*shard))
	})
}
