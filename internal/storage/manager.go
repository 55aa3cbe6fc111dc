package storage

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/odradek/odradek/internal/clock"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ManagerConfig configures the log manager. Zero durations take Kafka's
// broker defaults.
type ManagerConfig struct {
	Dirs   []string
	Clock  clock.Clock
	Logger *slog.Logger
	// DefaultLogConfig is used for logs found on disk until the caller
	// applies the topic's settings (GetOrCreateLog or UpdateConfig).
	DefaultLogConfig LogConfig
	// ConfigFor, if set, gives a topic's settings while loading logs from
	// disk, so recovery rebuilds indexes with the topic's own
	// index.interval.bytes; ok=false falls back to DefaultLogConfig.
	ConfigFor func(topic string) (cfg LogConfig, ok bool)

	RetentionCheckInterval             time.Duration // log.retention.check.interval.ms, 5m
	FlushCheckInterval                 time.Duration // log.flush.scheduler.interval.ms; 0: no time-based flush
	FlushOffsetCheckpointInterval      time.Duration // log.flush.offset.checkpoint.interval.ms, 60s
	FlushStartOffsetCheckpointInterval time.Duration // log.flush.start.offset.checkpoint.interval.ms, 60s
	HighWatermarkCheckpointInterval    time.Duration // replica.high.watermark.checkpoint.interval.ms, 5s
	ProducerIDExpiration               time.Duration // producer.id.expiration.ms, 24h
	ProducerIDExpirationCheckInterval  time.Duration // producer.id.expiration.check.interval.ms, 10m
	CleanerBackoff                     time.Duration // log.cleaner.backoff.ms, 15s
	DisableCleaner                     bool          // log.cleaner.enable=false
	// CleanerDedupeBufferSize is log.cleaner.dedupe.buffer.size (128 MiB),
	// shared by CleanerThreads (log.cleaner.threads, 1) as in Kafka; it
	// bounds the cleaner's key map, which cleans in several passes when
	// the dirty section holds more keys than fit.
	CleanerDedupeBufferSize int64
	CleanerThreads          int
	// Seed feeds segment.jitter.ms; 0 picks one at random.
	Seed uint64
}

func (c *ManagerConfig) applyDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.RetentionCheckInterval, 5*time.Minute)
	def(&c.FlushOffsetCheckpointInterval, time.Minute)
	def(&c.FlushStartOffsetCheckpointInterval, time.Minute)
	def(&c.HighWatermarkCheckpointInterval, 5*time.Second)
	def(&c.ProducerIDExpiration, 24*time.Hour)
	def(&c.ProducerIDExpirationCheckInterval, 10*time.Minute)
	def(&c.CleanerBackoff, 15*time.Second)
	if c.CleanerDedupeBufferSize <= 0 {
		c.CleanerDedupeBufferSize = 128 << 20
	}
	if c.CleanerThreads <= 0 {
		c.CleanerThreads = 1
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.DefaultLogConfig == (LogConfig{}) {
		c.DefaultLogConfig = DefaultLogConfig()
	}
	if c.Seed == 0 {
		c.Seed = mrand.Uint64()
	}
}

// DirInfo describes one log directory, as DescribeLogDirs reports it.
type DirInfo struct {
	Path        string
	Err         error
	TotalBytes  int64
	UsableBytes int64
	Partitions  []PartitionSize
}

// PartitionSize is one partition's size in a log dir.
type PartitionSize struct {
	Topic     string
	Partition int32
	Size      int64
	// OffsetLag is 0: Odradek has no future (moving) replicas yet.
	OffsetLag int64
}

// Manager owns every partition log in the configured log dirs.
type Manager struct {
	cfg ManagerConfig
	env *logEnv

	mu          sync.RWMutex
	logs        map[TopicPartition]*Log
	dirs        map[string]*dirState // fixed at NewManager
	brokerEpoch int64
	// prevEpoch is the broker epoch read from the clean-shutdown markers
	// (KIP-966), -1 if any dir was not shut down cleanly.
	prevEpoch int64
	closed    bool

	cleanMu        sync.Mutex
	cleanerOffsets map[TopicPartition]int64 // cleaner-offset-checkpoint
	// cleanerHorizons is, per log, the earliest delete horizon the last
	// pass stamped or kept on a batch that still holds tombstones or a
	// transaction marker: once it passes, the log is worth cleaning
	// again even if nothing new is dirty. In memory only.
	cleanerHorizons map[TopicPartition]int64

	deletes   sync.WaitGroup
	delMu     sync.Mutex
	delTimers map[*pendingDelete]struct{}
	stop      chan struct{}
	loops     sync.WaitGroup
	started   bool
}

type pendingDelete struct {
	timer clock.Timer
	paths []string
}

// NewManager opens the log dirs and loads every partition in them,
// recovering logs when the clean-shutdown marker is absent.
func NewManager(cfg ManagerConfig) (*Manager, error) {
	cfg.applyDefaults()
	if len(cfg.Dirs) == 0 {
		return nil, errors.New("storage: no log dirs configured")
	}
	if err := cfg.DefaultLogConfig.Validate(); err != nil {
		return nil, err
	}
	m := &Manager{
		cfg:             cfg,
		logs:            map[TopicPartition]*Log{},
		dirs:            map[string]*dirState{},
		cleanerOffsets:  map[TopicPartition]int64{},
		cleanerHorizons: map[TopicPartition]int64{},
		delTimers:       map[*pendingDelete]struct{}{},
		stop:            make(chan struct{}),
		brokerEpoch:     -1,
		prevEpoch:       -2,
	}
	m.env = &logEnv{clock: cfg.Clock, logger: cfg.Logger, scheduleDelete: m.scheduleDelete,
		producerIDExpirationMs: cfg.ProducerIDExpiration.Milliseconds(), rand: mrand.New(mrand.NewPCG(cfg.Seed, cfg.Seed>>1|1)),
		writeback: newWriteback()}
	for _, dir := range cfg.Dirs {
		m.dirs[dir] = &dirState{path: dir}
	}
	healthy := 0
	var loadErr error
	for _, dir := range cfg.Dirs {
		if err := m.loadDir(dir); err != nil {
			// As Kafka: a dir that cannot be loaded goes offline and
			// the broker carries on with the others.
			m.dirs[dir].fail(err)
			cfg.Logger.Error("log dir is offline", "dir", dir, "error", err)
			loadErr = errors.Join(loadErr, err)
			continue
		}
		healthy++
	}
	if healthy == 0 {
		m.closeLogs()
		return nil, fmt.Errorf("storage: no usable log dir: %w", loadErr)
	}
	return m, nil
}

func (m *Manager) loadDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("storage: create log dir %s: %w", dir, err)
	}
	marker := filepath.Join(dir, cleanShutdownFile)
	_, statErr := os.Stat(marker)
	clean := statErr == nil
	m.notePreviousEpoch(marker, clean)
	rps, err := readOffsetCheckpoint(filepath.Join(dir, recoveryPointCheckpointFile))
	if err != nil {
		m.cfg.Logger.Warn("ignoring unreadable checkpoint", "error", err)
		rps, clean = map[TopicPartition]int64{}, false
	}
	starts, err := readOffsetCheckpoint(filepath.Join(dir, logStartCheckpointFile))
	if err != nil {
		m.cfg.Logger.Warn("ignoring unreadable checkpoint", "error", err)
		starts = map[TopicPartition]int64{}
	}
	hws, err := readOffsetCheckpoint(filepath.Join(dir, replicationCheckpointFile))
	if err != nil {
		m.cfg.Logger.Warn("ignoring unreadable checkpoint", "error", err)
		hws = map[TopicPartition]int64{}
	}
	if cleaned, err := readOffsetCheckpoint(filepath.Join(dir, cleanerCheckpointFile)); err != nil {
		m.cfg.Logger.Warn("ignoring unreadable checkpoint", "error", err)
	} else {
		for tp, o := range cleaned {
			m.cleanerOffsets[tp] = o
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("storage: list log dir %s: %w", dir, err)
	}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		path := filepath.Join(dir, name)
		if strings.HasSuffix(name, "-delete") {
			m.scheduleDelete([]string{path}, time.Duration(m.cfg.DefaultLogConfig.FileDeleteDelayMs)*time.Millisecond)
			continue
		}
		tp, ok := parsePartitionDir(name)
		if !ok || tp.Topic == MetadataTopic {
			// -future, -stray and foreign directories are left alone, and
			// the metadata log belongs to the raft layer, as in Kafka.
			continue
		}
		get := func(mp map[TopicPartition]int64) int64 {
			if v, ok := mp[tp]; ok {
				return v
			}
			return -1
		}
		cfg, configured := m.cfg.DefaultLogConfig, false
		if m.cfg.ConfigFor != nil {
			if c, ok := m.cfg.ConfigFor(tp.Topic); ok && c.Validate() == nil {
				cfg, configured = c, true
			}
		}
		l, err := m.openLog(dir, tp, cfg, loadOptions{
			cleanShutdown: clean,
			recoveryPoint: get(rps),
			logStart:      get(starts),
			highWatermark: get(hws),
		})
		if err != nil {
			return err
		}
		l.configured = configured
		if other, dup := m.logs[tp]; dup {
			l.close()
			return fmt.Errorf("storage: partition %s is in both %s and %s", tp, other.rootDir, dir)
		}
		m.logs[tp] = l
	}
	// The marker only vouches for the shutdown that wrote it: a crash from
	// now on must trigger recovery.
	if clean {
		if err := os.Remove(marker); err != nil {
			return fmt.Errorf("storage: remove %s: %w", marker, err)
		}
	}
	return nil
}

// MetadataTopic is the metadata log's topic; its directory may share a log
// dir with partitions but is never a partition log.
const MetadataTopic = "__cluster_metadata"

// parsePartitionDir splits "<topic>-<partition>".
func parsePartitionDir(name string) (TopicPartition, bool) {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || i == len(name)-1 {
		return TopicPartition{}, false
	}
	p, err := strconv.ParseInt(name[i+1:], 10, 32)
	if err != nil || p < 0 || strings.Contains(name[i+1:], "+") {
		return TopicPartition{}, false
	}
	return TopicPartition{Topic: name[:i], Partition: int32(p)}, true
}

func (m *Manager) openLog(root string, tp TopicPartition, cfg LogConfig, opts loadOptions) (*Log, error) {
	dir := filepath.Join(root, tp.String())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("storage: create %s: %w", dir, err)
	}
	epochs, err := loadLeaderEpochCache(dir)
	if err != nil {
		m.cfg.Logger.Warn("rebuilding leader epoch cache", "partition", tp.String(), "error", err)
		epochs = &leaderEpochCache{path: filepath.Join(dir, leaderEpochCheckpointFile)}
		opts.cleanShutdown = false
		opts.recoveryPoint = 0
	}
	l := &Log{tp: tp, dir: dir, rootDir: root, env: m.env, dirState: m.dirs[root], cfg: cfg, epochs: epochs, producers: newProducerState()}
	if id, ok, err := readPartitionMetadata(dir); err != nil {
		return nil, err
	} else if ok {
		l.topicID = id
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.loadSegments(opts); err != nil {
		l.closeSegments()
		return nil, fmt.Errorf("storage: load %s: %w", dir, err)
	}
	l.lastFlushMs = m.env.clock.Now().UnixMilli()
	return l, nil
}

// Log returns the partition's log, nil if this broker has none.
func (m *Manager) Log(topic string, partition int32) *Log {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.logs[TopicPartition{topic, partition}]
}

// Logs returns every log, ordered by topic and partition.
func (m *Manager) Logs() []*Log {
	m.mu.RLock()
	out := make([]*Log, 0, len(m.logs))
	for _, l := range m.logs {
		out = append(out, l)
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].tp.Topic != out[j].tp.Topic {
			return out[i].tp.Topic < out[j].tp.Topic
		}
		return out[i].tp.Partition < out[j].tp.Partition
	})
	return out
}

// GetOrCreateLog returns the partition's log, creating it in the log dir
// with the fewest partitions if absent. For an existing log cfg is applied
// and the topic id recorded if it had none.
func (m *Manager) GetOrCreateLog(topic string, partition int32, topicID [16]byte, cfg LogConfig) (*Log, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if topic == "" || strings.ContainsAny(topic, "/\\") || topic == "." || topic == ".." || partition < 0 {
		return nil, fmt.Errorf("storage: invalid partition %q %d", topic, partition)
	}
	tp := TopicPartition{topic, partition}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errors.New("storage: manager is closed")
	}
	if l, ok := m.logs[tp]; ok {
		if err := l.UpdateConfig(cfg); err != nil {
			return nil, err
		}
		if l.topicID == ([16]byte{}) && topicID != ([16]byte{}) {
			if err := writePartitionMetadata(l.dir, topicID); err != nil {
				return nil, err
			}
			l.topicID = topicID
		}
		return l, nil
	}
	root := m.pickDir()
	if root == "" {
		return nil, fmt.Errorf("storage: create %s: every log dir is offline: %w", tp, kerr.KafkaStorageError)
	}
	l, err := m.openLog(root, tp, cfg, loadOptions{cleanShutdown: true, recoveryPoint: -1, logStart: -1, highWatermark: -1})
	if err != nil {
		return nil, err
	}
	l.configured = true
	if topicID != ([16]byte{}) {
		if err := writePartitionMetadata(l.dir, topicID); err != nil {
			l.close()
			return nil, err
		}
		l.topicID = topicID
	}
	// No leader-epoch-checkpoint yet (leaderEpochCache.flush writes none
	// while there are no epochs); the first flush after an append does.
	m.logs[tp] = l
	return l, nil
}

// pickDir chooses the healthy log dir holding the fewest partitions.
func (m *Manager) pickDir() string {
	if len(m.cfg.Dirs) == 1 {
		// Counting would walk every log for each one created.
		if m.dirs[m.cfg.Dirs[0]].failure() != nil {
			return ""
		}
		return m.cfg.Dirs[0]
	}
	count := map[string]int{}
	for _, l := range m.logs {
		count[l.rootDir]++
	}
	best := ""
	for _, d := range m.cfg.Dirs {
		if m.dirs[d].failure() != nil {
			continue
		}
		if best == "" || count[d] < count[best] {
			best = d
		}
	}
	return best
}

// DeleteLog removes a partition: its directory is renamed at once to
// "<topic>-<partition>.<uuid>-delete" and removed after file.delete.delay.ms.
func (m *Manager) DeleteLog(topic string, partition int32) error {
	tp := TopicPartition{topic, partition}
	m.mu.Lock()
	l, ok := m.logs[tp]
	if ok {
		delete(m.logs, tp)
	}
	m.mu.Unlock()
	if !ok {
		return nil
	}
	delay := time.Duration(l.Config().FileDeleteDelayMs) * time.Millisecond
	l.markDeleted()
	if err := l.close(); err != nil {
		m.cfg.Logger.Warn("closing deleted log", "partition", tp.String(), "error", err)
	}
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return fmt.Errorf("storage: delete %s: %w", tp, err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	name := fmt.Sprintf("%s.%s-delete", tp, hex.EncodeToString(u[:]))
	if len(name) > 255 {
		// Keep the suffix intact when capping the name, as Kafka does.
		name = name[len(name)-255:]
	}
	target := filepath.Join(l.rootDir, name)
	if err := os.Rename(l.dir, target); err != nil {
		return fmt.Errorf("storage: rename %s for deletion: %w", l.dir, err)
	}
	m.scheduleDelete([]string{target}, delay)
	return nil
}

// scheduleDelete removes paths (files or directories) after delay.
func (m *Manager) scheduleDelete(paths []string, delay time.Duration) {
	if len(paths) == 0 {
		return
	}
	m.delMu.Lock()
	defer m.delMu.Unlock()
	if m.closed {
		return // leftovers are removed on the next start
	}
	pd := &pendingDelete{paths: paths}
	m.deletes.Add(1)
	pd.timer = m.cfg.Clock.AfterFunc(delay, func() {
		defer m.deletes.Done()
		m.delMu.Lock()
		_, live := m.delTimers[pd]
		delete(m.delTimers, pd)
		m.delMu.Unlock()
		if !live {
			return
		}
		for _, p := range pd.paths {
			if err := os.RemoveAll(p); err != nil {
				m.cfg.Logger.Warn("delayed delete failed", "path", p, "error", err)
			}
		}
	})
	m.delTimers[pd] = struct{}{}
}

func (m *Manager) notePreviousEpoch(marker string, clean bool) {
	epoch := int64(-1)
	if clean {
		var content struct {
			BrokerEpoch *int64 `json:"brokerEpoch"`
		}
		if data, err := os.ReadFile(marker); err == nil && json.Unmarshal(data, &content) == nil && content.BrokerEpoch != nil {
			epoch = *content.BrokerEpoch
		}
	}
	if m.prevEpoch == -2 || epoch == -1 {
		m.prevEpoch = epoch
	} else {
		m.prevEpoch = max(m.prevEpoch, epoch)
	}
}

// PreviousBrokerEpoch is the broker epoch recorded by the last clean
// shutdown, for BrokerRegistration's previousBrokerEpoch (KIP-966); -1 if
// any log dir was not shut down cleanly.
func (m *Manager) PreviousBrokerEpoch() int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return max(m.prevEpoch, -1)
}

// SetBrokerEpoch records the epoch written into the clean-shutdown marker.
func (m *Manager) SetBrokerEpoch(epoch int64) {
	m.mu.Lock()
	m.brokerEpoch = epoch
	m.mu.Unlock()
}

// DirInfos reports every log dir: usage and per-partition sizes.
func (m *Manager) DirInfos() []DirInfo {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]DirInfo, 0, len(m.cfg.Dirs))
	for _, d := range m.cfg.Dirs {
		info := DirInfo{Path: d, Err: m.dirs[d].failure(), TotalBytes: -1, UsableBytes: -1}
		if total, free, err := diskUsage(d); err == nil {
			info.TotalBytes, info.UsableBytes = total, free
		}
		for _, l := range m.logs {
			if l.rootDir == d {
				info.Partitions = append(info.Partitions, PartitionSize{Topic: l.tp.Topic, Partition: l.tp.Partition, Size: l.Size()})
			}
		}
		sort.Slice(info.Partitions, func(i, j int) bool {
			a, b := info.Partitions[i], info.Partitions[j]
			return a.Topic < b.Topic || a.Topic == b.Topic && a.Partition < b.Partition
		})
		out = append(out, info)
	}
	return out
}

// Close stops background work, flushes and closes every log, writes the
// checkpoints and, if all went well, the clean-shutdown marker.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	epoch := m.brokerEpoch
	m.mu.Unlock()
	close(m.stop)
	m.loops.Wait()
	m.env.writeback.drain()

	m.delMu.Lock()
	for pd := range m.delTimers {
		if pd.timer.Stop() {
			m.deletes.Done()
		}
		delete(m.delTimers, pd)
	}
	m.delMu.Unlock()
	m.deletes.Wait()

	// A dir is marked clean only if everything in it was flushed,
	// checkpointed and closed without error.
	dirErrs := map[string][]error{}
	for _, l := range m.Logs() {
		if l.checkOnline() != nil {
			continue
		}
		if err := l.Flush(); err != nil {
			dirErrs[l.rootDir] = append(dirErrs[l.rootDir], err)
		}
	}
	cpErr := m.CheckpointAll()
	for _, l := range m.Logs() {
		if err := l.close(); err != nil && l.checkOnline() == nil {
			dirErrs[l.rootDir] = append(dirErrs[l.rootDir], err)
		}
	}
	errs := []error{cpErr}
	for _, d := range m.cfg.Dirs {
		if err := m.dirs[d].failure(); err != nil {
			errs = append(errs, fmt.Errorf("storage: log dir %s is offline: %w", d, err))
			continue
		}
		if err := errors.Join(dirErrs[d]...); err != nil {
			errs = append(errs, err)
			continue
		}
		data := fmt.Sprintf("{\"version\":0,\"brokerEpoch\":%d}", epoch)
		if err := writeFileAtomic(filepath.Join(d, cleanShutdownFile), []byte(data)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *Manager) closeLogs() error {
	var errs []error
	for _, l := range m.Logs() {
		errs = append(errs, l.close())
	}
	return errors.Join(errs...)
}

// CheckpointAll writes the recovery-point, log-start and replication
// checkpoints of every log dir.
func (m *Manager) CheckpointAll() error {
	return errors.Join(m.checkpointRecoveryPoints(), m.checkpointLogStarts(), m.checkpointHighWatermarks())
}

func (m *Manager) byDir() map[string][]*Log {
	out := map[string][]*Log{}
	for _, d := range m.cfg.Dirs {
		if m.dirs[d].failure() == nil {
			out[d] = nil
		}
	}
	for _, l := range m.Logs() {
		if _, ok := out[l.rootDir]; ok {
			out[l.rootDir] = append(out[l.rootDir], l)
		}
	}
	return out
}

func (m *Manager) checkpointRecoveryPoints() error {
	var errs []error
	for d, logs := range m.byDir() {
		offs := map[TopicPartition]int64{}
		for _, l := range logs {
			l.mu.RLock()
			offs[l.tp] = l.recoveryPoint
			l.mu.RUnlock()
		}
		errs = append(errs, writeOffsetCheckpoint(filepath.Join(d, recoveryPointCheckpointFile), offs))
	}
	return errors.Join(errs...)
}

// checkpointLogStarts records only logs whose start is above their first
// segment, as Kafka does; the others start at their first segment.
func (m *Manager) checkpointLogStarts() error {
	var errs []error
	for d, logs := range m.byDir() {
		offs := map[TopicPartition]int64{}
		for _, l := range logs {
			l.mu.RLock()
			if len(l.segments) > 0 && l.logStart.Load() > l.segments[0].baseOffset {
				offs[l.tp] = l.logStart.Load()
			}
			l.mu.RUnlock()
		}
		errs = append(errs, writeOffsetCheckpoint(filepath.Join(d, logStartCheckpointFile), offs))
	}
	return errors.Join(errs...)
}

func (m *Manager) checkpointHighWatermarks() error {
	var errs []error
	for d, logs := range m.byDir() {
		offs := map[TopicPartition]int64{}
		for _, l := range logs {
			offs[l.tp] = l.HighWatermark()
		}
		errs = append(errs, writeOffsetCheckpoint(filepath.Join(d, replicationCheckpointFile), offs))
	}
	return errors.Join(errs...)
}
