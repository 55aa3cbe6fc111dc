package group

import (
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/group/consumer"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

// Config holds the group coordinator settings (Kafka's group.* and
// offsets.* broker configs).
type Config struct {
	InitialRebalanceDelay  time.Duration // group.initial.rebalance.delay.ms
	MinSessionTimeout      time.Duration // group.min.session.timeout.ms
	MaxSessionTimeout      time.Duration // group.max.session.timeout.ms
	MaxSize                int           // group.max.size
	OffsetsRetention       time.Duration // offsets.retention.minutes
	RetentionCheckInterval time.Duration // offsets.retention.check.interval.ms
	MaxMetadataSize        int           // offset.metadata.max.bytes
	// Consumer configures KIP-848 consumer groups (group.consumer.*).
	Consumer consumer.Config
	// GroupTimings returns a consumer group's effective session timeout,
	// heartbeat interval and assignment interval (its group configs over
	// the broker's). Nil keeps Consumer's values for every group.
	GroupTimings func(groupID string) consumer.Timings
	// NewMemberID makes a member id for a client id; randomness is
	// injected so tests are deterministic.
	NewMemberID func(clientID string) string
}

type topicPartition struct {
	topic     string
	partition int32
}

type offsetEntry struct {
	offset      int64
	leaderEpoch int32
	metadata    string
	commitMs    int64
	expireMs    int64 // -1 unless written by an old client with a retention time
}

// shard is the group state of one __consumer_offsets partition.
type shard struct {
	cfg       *Config
	partition int32
	groups    map[string]*classicGroup
	offsets   map[string]map[topicPartition]*offsetEntry

	// consumers are the KIP-848 consumer groups; an id is either here or
	// in groups, never both.
	consumers map[string]*consumer.Group
	clk       clock.Clock
	topics    *topicSource
	md        consumer.Metadata
	topicIDs  map[string][16]byte
}

func newShard(cfg *Config, clk clock.Clock, topics *topicSource, partition int32) *shard {
	return &shard{cfg: cfg, partition: partition, groups: map[string]*classicGroup{}, offsets: map[string]map[topicPartition]*offsetEntry{},
		consumers: map[string]*consumer.Group{}, clk: clk, topics: topics, topicIDs: map[string][16]byte{}}
}

func (s *shard) putOffset(group, topic string, partition int32, e *offsetEntry) {
	m := s.offsets[group]
	if m == nil {
		m = map[topicPartition]*offsetEntry{}
		s.offsets[group] = m
	}
	m[topicPartition{topic, partition}] = e
}

func (s *shard) deleteOffset(group, topic string, partition int32) {
	if m := s.offsets[group]; m != nil {
		delete(m, topicPartition{topic, partition})
		if len(m) == 0 {
			delete(s.offsets, group)
		}
	}
}

const expiryTimer = "offsets-expiry"

// Loaded resumes timers for the state replayed: every member of a loaded
// group must heartbeat within its session timeout, as after a failover.
func (s *shard) Loaded(t *runtime.Timers) {
	for _, g := range s.groups {
		for _, m := range g.members {
			s.scheduleHeartbeat(t, g, m)
		}
	}
	s.refreshMetadata()
	for _, g := range s.consumers {
		s.armConsumerTimer(t, g)
	}
	s.scheduleExpiry(t)
}

func (s *shard) scheduleExpiry(t *runtime.Timers) {
	t.Schedule(expiryTimer, s.cfg.RetentionCheckInterval, func(rs runtime.Shard, t *runtime.Timers) (runtime.Result, error) {
		sh := rs.(*shard)
		now := t.Now().UnixMilli()
		recs := sh.expireOffsets(now)
		recs = append(recs, sh.expireConsumerOffsets(t, now)...)
		sh.scheduleExpiry(t)
		return runtime.Result{Records: recs}, nil
	})
}

// Unloaded fails every waiting JoinGroup and SyncGroup with NOT_COORDINATOR
// so the clients find the new coordinator.
func (s *shard) Unloaded() {
	for _, g := range s.groups {
		for _, m := range g.members {
			failWaiters(m, kerr.NotCoordinator.Code)
		}
	}
}

func failWaiters(m *member, code int16) {
	if m.joinWaiter != nil {
		r := kmsg.NewPtrJoinGroupResponse()
		r.ErrorCode, r.MemberID, r.Generation = code, m.id, -1
		m.joinWaiter(r)
		m.joinWaiter = nil
	}
	if m.syncWaiter != nil {
		r := kmsg.NewPtrSyncGroupResponse()
		r.ErrorCode = code
		m.syncWaiter(r)
		m.syncWaiter = nil
	}
}

func msDur(ms int32) time.Duration { return time.Duration(ms) * time.Millisecond }

// committedPartitions returns a group's committed partitions in topic, then
// partition order, so records built from them come out deterministically.
func (s *shard) committedPartitions(group string) []topicPartition {
	committed := s.offsets[group]
	tps := make([]topicPartition, 0, len(committed))
	for tp := range committed {
		tps = append(tps, tp)
	}
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].topic != tps[j].topic {
			return tps[i].topic < tps[j].topic
		}
		return tps[i].partition < tps[j].partition
	})
	return tps
}

// offsetTombstones deletes every committed offset of a group, in key order.
func (s *shard) offsetTombstones(group string) []runtime.Record {
	var recs []runtime.Record
	for tp := range s.offsets[group] {
		recs = append(recs, offsetCommitRecord(group, tp.topic, tp.partition, nil))
	}
	sort.Slice(recs, func(i, j int) bool { return string(recs[i].Key) < string(recs[j].Key) })
	return recs
}
