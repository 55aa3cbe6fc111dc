package replication

import (
	"context"
	"log/slog"
	"slices"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/metadata"
	"github.com/odradek/odradek/internal/storage"
)

// Config wires a Manager.
type Config struct {
	NodeID int32
	Logs   *storage.Manager
	// LogConfig returns the effective storage settings for a topic in img.
	LogConfig func(img *metadata.Image, topic string) storage.LogConfig
	Logger    *slog.Logger
}

// Manager keeps the hosted partitions in step with the metadata image. It is
// a metadata publisher: every change arrives through OnMetadataUpdate, in
// log order, so creating and deleting logs follows the metadata log exactly.
type Manager struct {
	cfg Config
	log *slog.Logger

	mu    sync.RWMutex
	parts map[storage.TopicPartition]*Partition
	// loaded is set after the first update, which carries the whole image.
	loaded bool

	// applied is the metadata offset whose changes are in effect here;
	// appliedCh is closed and replaced whenever it moves.
	appliedMu sync.Mutex
	applied   int64
	appliedCh chan struct{}

	isr isrChanges
}

// NewManager builds an empty manager.
func NewManager(cfg Config) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Manager{cfg: cfg, log: cfg.Logger, parts: map[storage.TopicPartition]*Partition{}, applied: -1, appliedCh: make(chan struct{})}
}

// Name identifies the publisher in logs.
func (m *Manager) Name() string { return "replication" }

// Partition returns a hosted partition, or UNKNOWN_TOPIC_OR_PARTITION.
func (m *Manager) Partition(topic string, partition int32) (*Partition, error) {
	m.mu.RLock()
	p := m.parts[storage.TopicPartition{Topic: topic, Partition: partition}]
	m.mu.RUnlock()
	if p == nil {
		return nil, kerr.UnknownTopicOrPartition
	}
	return p, nil
}

// OnMetadataUpdate creates, updates and deletes local replicas.
func (m *Manager) OnMetadataUpdate(delta *metadata.Delta, img *metadata.Image) {
	for _, t := range delta.DeletedTopics() {
		for id := range t.Partitions {
			m.removeReplica(t.Name, id)
		}
	}
	for topicID, ids := range delta.ChangedPartitions() {
		t := img.TopicByID(topicID)
		if t == nil {
			continue
		}
		for _, id := range ids {
			mp := t.Partitions[id]
			if mp == nil || !slices.Contains(mp.Replicas, m.cfg.NodeID) {
				m.removeReplica(t.Name, id)
				continue
			}
			m.ensureReplica(img, t, mp)
		}
	}
	for res := range delta.ChangedConfigs() {
		m.applyConfig(img, res)
	}
	if !m.loaded {
		m.loaded = true
		m.dropOrphans(img)
	}
	m.appliedMu.Lock()
	m.applied = img.Offset
	close(m.appliedCh)
	m.appliedCh = make(chan struct{})
	m.appliedMu.Unlock()
}

// WaitForOffset returns once the hosted partitions reflect metadata up to
// offset, so a produce right after CreateTopics finds its partition.
func (m *Manager) WaitForOffset(ctx context.Context, offset int64) error {
	for {
		m.appliedMu.Lock()
		applied, ch := m.applied, m.appliedCh
		m.appliedMu.Unlock()
		if applied >= offset {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (m *Manager) ensureReplica(img *metadata.Image, t *metadata.Topic, mp *metadata.Partition) {
	tp := storage.TopicPartition{Topic: t.Name, Partition: mp.ID}
	m.mu.RLock()
	p := m.parts[tp]
	m.mu.RUnlock()
	if p != nil {
		p.update(mp)
		return
	}
	lg, err := m.cfg.Logs.GetOrCreateLog(t.Name, mp.ID, t.ID, m.cfg.LogConfig(img, t.Name))
	if err != nil {
		// The partition stays unhosted; produce and fetch answer
		// NOT_LEADER/UNKNOWN until the next change retries it.
		m.log.Error("cannot open partition log", "partition", tp.String(), "err", err)
		return
	}
	p = newPartition(m.cfg.NodeID, t.Name, t.ID, mp, lg)
	p.counts = &m.isr
	m.mu.Lock()
	m.parts[tp] = p
	m.mu.Unlock()
}

func (m *Manager) removeReplica(topic string, id int32) {
	tp := storage.TopicPartition{Topic: topic, Partition: id}
	m.mu.Lock()
	p := m.parts[tp]
	delete(m.parts, tp)
	m.mu.Unlock()
	if p == nil && m.cfg.Logs.Log(topic, id) == nil {
		return
	}
	if err := m.cfg.Logs.DeleteLog(topic, id); err != nil {
		m.log.Error("cannot delete partition log", "partition", tp.String(), "err", err)
	}
}

// applyConfig pushes changed topic (or broker default) configs to the logs.
func (m *Manager) applyConfig(img *metadata.Image, res metadata.ConfigResource) {
	m.mu.RLock()
	var targets []*Partition
	for _, p := range m.parts {
		if res.Type != metadata.ResourceTopic || p.Topic == res.Name {
			targets = append(targets, p)
		}
	}
	m.mu.RUnlock()
	for _, p := range targets {
		if err := p.log.UpdateConfig(m.cfg.LogConfig(img, p.Topic)); err != nil {
			m.log.Error("cannot apply topic config", "topic", p.Topic, "err", err)
		}
	}
}

// dropOrphans deletes logs on disk whose topic no longer exists (deleted
// while this broker was down) or whose topic id changed (deleted and
// recreated under the same name).
func (m *Manager) dropOrphans(img *metadata.Image) {
	for _, lg := range m.cfg.Logs.Logs() {
		t := img.Topic(lg.Topic())
		if t != nil && metadata.UUID(lg.TopicID()) == t.ID {
			if p := t.Partitions[lg.Partition()]; p != nil && slices.Contains(p.Replicas, m.cfg.NodeID) {
				continue
			}
		}
		m.log.Info("deleting log of a partition not in metadata", "topic", lg.Topic(), "partition", lg.Partition())
		m.removeReplica(lg.Topic(), lg.Partition())
	}
}
