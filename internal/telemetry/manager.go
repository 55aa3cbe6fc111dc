package telemetry

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"maps"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/clock"
)

const (
	// DefaultMaxBytes is telemetry.max.bytes' default.
	DefaultMaxBytes = 1048576
	// defaultMaxInstances bounds the client instances remembered, as Kafka's
	// cache of 16384 active clients per broker.
	defaultMaxInstances = 16384
	// minExpiry is how long an instance that stops sending requests is kept at
	// least (Kafka: the larger of 60 s and three push intervals).
	minExpiry = 60 * time.Second
	// maxSoftwareEntries bounds the connection -> client software table, which
	// has no disconnect hook to shrink it.
	maxSoftwareEntries = 65536
)

// AcceptedCompression is what GetTelemetrySubscriptions offers, in Kafka's
// order of preference: zstd, lz4, gzip, snappy.
var AcceptedCompression = []int8{4, 3, 1, 2}

// Config wires a Manager.
type Config struct {
	// MaxBytes is telemetry.max.bytes: the largest accepted push payload.
	MaxBytes int32
	Clock    clock.Clock
	// Rand supplies client instance ids; nil is crypto/rand.
	Rand   io.Reader
	Logger *slog.Logger
	// MaxInstances bounds the remembered client instances (0: 16384).
	MaxInstances int
	// MaxSeriesPerClient bounds the series kept for one client (0: 10000);
	// points past it are dropped so one client cannot exhaust memory.
	MaxSeriesPerClient int
}

// Client is what the broker knows of the connection a request came on.
type Client struct {
	ConnID   uint64
	ClientID string
	Addr     net.Addr
}

// SubscriptionAnswer is a successful GetTelemetrySubscriptions answer.
type SubscriptionAnswer struct {
	ClientInstanceID    [16]byte
	SubscriptionID      int32
	AcceptedCompression []int8
	PushIntervalMs      int32
	MaxBytes            int32
	DeltaTemporality    bool
	RequestedMetrics    []string
}

// Push is one PushTelemetry request.
type Push struct {
	ClientInstanceID [16]byte
	SubscriptionID   int32
	Terminating      bool
	Compression      int8
	Metrics          []byte
}

// Manager holds the subscriptions and the state of every client instance.
// It is safe for concurrent use; time comes only from the injected clock.
type Manager struct {
	cfg Config
	log *slog.Logger

	mu          sync.Mutex
	subs        map[string]*Subscription
	subsVersion int
	instances   map[[16]byte]*instance
	software    map[uint64]software
	softwareFIF []uint64
}

type software struct{ name, version string }

// instance is one client instance (KIP-714's ClientMetricsInstance).
type instance struct {
	id             [16]byte
	attrs          map[string]string
	subscriptionID int32
	version        int
	metrics        []string
	intervalMs     int32
	lastGetMs      int64
	lastPushMs     int64
	terminating    bool
	lastSeen       time.Time
	series         map[string]*series
}

// NewManager builds a Manager with no subscriptions.
func NewManager(cfg Config) *Manager {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxInstances <= 0 {
		cfg.MaxInstances = defaultMaxInstances
	}
	if cfg.MaxSeriesPerClient <= 0 {
		cfg.MaxSeriesPerClient = 10000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Manager{cfg: cfg, log: cfg.Logger, subs: map[string]*Subscription{},
		instances: map[[16]byte]*instance{}, software: map[uint64]software{}}
}

// SetSubscriptions replaces the subscriptions with the CLIENT_METRICS
// resources of the current metadata image (name -> configs). Client
// instances pick up a change on their next request, as in Kafka.
func (m *Manager) SetSubscriptions(cfgs map[string]map[string]string) {
	next := make(map[string]*Subscription, len(cfgs))
	for name, cfg := range cfgs {
		if len(cfg) == 0 {
			continue
		}
		s, err := ParseSubscription(name, cfg)
		if err != nil {
			// The controller validates before writing, so this is a record
			// written by a different version; skip it rather than fail.
			m.log.Warn("ignoring client metrics subscription", "name", name, "err", err)
			continue
		}
		next[name] = s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if sameSubscriptions(m.subs, next) {
		return
	}
	m.subs = next
	m.subsVersion++
}

func sameSubscriptions(a, b map[string]*Subscription) bool {
	return maps.EqualFunc(a, b, func(x, y *Subscription) bool {
		return x.IntervalMs == y.IntervalMs && slices.Equal(x.Metrics, y.Metrics) &&
			maps.EqualFunc(x.Match, y.Match, func(r1, r2 *regexp.Regexp) bool { return r1.String() == r2.String() })
	})
}

// NoteSoftware remembers the client software a connection named in
// ApiVersions, for client_software_name/version matching.
func (m *Manager) NoteSoftware(connID uint64, name, version string) {
	if name == "" && version == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.software[connID]; !ok {
		m.softwareFIF = append(m.softwareFIF, connID)
		if len(m.softwareFIF) > maxSoftwareEntries {
			delete(m.software, m.softwareFIF[0])
			m.softwareFIF = m.softwareFIF[1:]
		}
	}
	m.software[connID] = software{name, version}
}

// GetSubscriptions answers GetTelemetrySubscriptions. A zero id asks for a
// new client instance id. Errors are *Error carrying the Kafka code.
func (m *Manager) GetSubscriptions(id [16]byte, c Client) (SubscriptionAnswer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	m.expireLocked(now)
	if id == ([16]byte{}) {
		var err error
		if id, err = m.newInstanceIDLocked(); err != nil {
			return SubscriptionAnswer{}, &Error{Code: kerr.UnknownServerError, Msg: err.Error()}
		}
	}
	inst := m.instanceLocked(id, c, now)
	nowMs := now.UnixMilli()
	// Kafka throttles a too-early request whatever the last error was (its
	// exemption for UNKNOWN_SUBSCRIPTION_ID never applies); a changed
	// subscription makes a fresh instance, whose first request passes.
	if nowMs-max(inst.lastGetMs, inst.lastPushMs) < int64(inst.intervalMs) {
		return SubscriptionAnswer{}, &Error{Code: kerr.ThrottlingQuotaExceeded,
			Msg: fmt.Sprintf("Request from the client [%s] arrived before the next push interval time", uuidString(id))}
	}
	inst.lastGetMs = nowMs
	return SubscriptionAnswer{
		ClientInstanceID:    id,
		SubscriptionID:      inst.subscriptionID,
		AcceptedCompression: slices.Clone(AcceptedCompression),
		PushIntervalMs:      inst.intervalMs,
		MaxBytes:            m.cfg.MaxBytes,
		DeltaTemporality:    true,
		RequestedMetrics:    slices.Clone(inst.metrics),
	}, nil
}

// Push answers PushTelemetry: it checks the request as Kafka does, then
// decodes the payload and keeps its values for the collector.
func (m *Manager) Push(p Push, c Client) error {
	if isReservedID(p.ClientInstanceID) {
		return &Error{Code: kerr.InvalidRequest,
			Msg: fmt.Sprintf("Invalid request from the client [%s], invalid client instance id", uuidString(p.ClientInstanceID))}
	}
	if err := m.admitPush(p, c); err != nil {
		return err
	}
	if len(p.Metrics) == 0 {
		return nil
	}
	// Decompressing and decoding happen outside the lock: a payload can be
	// a megabyte, and other clients' requests and scrapes should not wait.
	md, err := decodePayload(p.Compression, p.Metrics)
	if err != nil {
		return &Error{Code: kerr.InvalidRecord, Msg: fmt.Sprintf("client [%s]: %v", uuidString(p.ClientInstanceID), err)}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	inst := m.instances[p.ClientInstanceID]
	if inst == nil {
		return nil // expired or evicted meanwhile; its values would be dropped anyway
	}
	if dropped := inst.apply(md, m.cfg.MaxSeriesPerClient); dropped > 0 {
		m.log.Debug("client telemetry series dropped", "client_instance_id", uuidString(inst.id), "dropped", dropped)
	}
	return nil
}

// admitPush runs Kafka's checks on a push and records its timing.
func (m *Manager) admitPush(p Push, c Client) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	m.expireLocked(now)
	inst := m.instanceLocked(p.ClientInstanceID, c, now)
	err := m.validatePushLocked(p, inst, now.UnixMilli())
	inst.terminating = p.Terminating
	if err != nil {
		return err
	}
	return nil
}

func (m *Manager) validatePushLocked(p Push, inst *instance, nowMs int64) *Error {
	id := uuidString(p.ClientInstanceID)
	if inst.terminating {
		return &Error{Code: kerr.InvalidRequest, Msg: fmt.Sprintf(
			"Client [%s] sent the previous request with state terminating to TRUE, can not accept any requests after that", id)}
	}
	// A push right after a GetTelemetrySubscriptions is accepted early: the
	// client jitters its first push between 0.5 and 1.5 intervals.
	accept := inst.lastGetMs > inst.lastPushMs || nowMs-inst.lastPushMs >= int64(inst.intervalMs)
	if accept {
		inst.lastPushMs = nowMs
	} else if !p.Terminating {
		return &Error{Code: kerr.ThrottlingQuotaExceeded, Msg: fmt.Sprintf("Request from the client [%s] arrived before the next push interval time", id)}
	}
	if p.SubscriptionID != inst.subscriptionID {
		return &Error{Code: kerr.UnknownSubscriptionID, Msg: fmt.Sprintf("Unknown client subscription id for the client [%s]", id)}
	}
	if p.Compression < 0 || p.Compression > 4 {
		return &Error{Code: kerr.UnsupportedCompressionType, Msg: fmt.Sprintf("Unknown compression type [%d] is received in telemetry request from [%s]", p.Compression, id)}
	}
	if len(p.Metrics) > int(m.cfg.MaxBytes) {
		return &Error{Code: kerr.TelemetryTooLarge, Msg: fmt.Sprintf("Telemetry request from [%s] is larger than the maximum allowed size [%d]", id, m.cfg.MaxBytes)}
	}
	return nil
}

// instanceLocked returns the client instance, creating it, or re-evaluating
// its subscription when the subscriptions changed since it was made.
func (m *Manager) instanceLocked(id [16]byte, c Client, now time.Time) *instance {
	inst := m.instances[id]
	if inst == nil {
		if len(m.instances) >= m.cfg.MaxInstances {
			m.evictOldestLocked()
		}
		inst = m.newInstanceLocked(id, m.clientAttrsLocked(id, c), nil)
		m.instances[id] = inst
	} else if inst.version < m.subsVersion {
		inst = m.newInstanceLocked(id, inst.attrs, inst.series)
		m.instances[id] = inst
	}
	inst.lastSeen = now
	return inst
}

func (m *Manager) newInstanceLocked(id [16]byte, attrs map[string]string, kept map[string]*series) *instance {
	interval := int32(DefaultIntervalMs)
	set := map[string]bool{}
	all := false
	for _, s := range m.subs {
		if !s.Matches(attrs) {
			continue
		}
		for _, name := range s.Metrics {
			set[name] = true
			all = all || name == AllMetrics
		}
		interval = min(interval, s.IntervalMs)
	}
	metrics := slices.Sorted(maps.Keys(set))
	if all {
		metrics = []string{AllMetrics}
	}
	if kept == nil {
		kept = map[string]*series{}
	}
	return &instance{id: id, attrs: attrs, version: m.subsVersion, metrics: metrics, intervalMs: interval,
		subscriptionID: subscriptionID(metrics, interval, id), series: kept}
}

// subscriptionID identifies a client's subscription set: a CRC-32C of the
// metrics and the interval, XORed with the instance id's hash, as Kafka.
func subscriptionID(metrics []string, intervalMs int32, id [16]byte) int32 {
	b := []byte("[" + strings.Join(metrics, ", ") + "]" + strconv.Itoa(int(intervalMs)))
	crc := int32(crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return crc ^ uuidHash(id)
}

// uuidHash is Java's Uuid.hashCode.
func uuidHash(id [16]byte) int32 {
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(id[i])
		lo = lo<<8 | uint64(id[8+i])
	}
	h := hi ^ lo
	return int32(h>>32) ^ int32(h)
}

func (m *Manager) clientAttrsLocked(id [16]byte, c Client) map[string]string {
	attrs := map[string]string{AttrClientInstanceID: uuidString(id), AttrClientID: c.ClientID}
	if sw, ok := m.software[c.ConnID]; ok {
		attrs[AttrClientSoftwareName] = sw.name
		attrs[AttrClientSoftwareVersion] = sw.version
	}
	if c.Addr != nil {
		if host, port, err := net.SplitHostPort(c.Addr.String()); err == nil {
			attrs[AttrClientSourceAddress] = host
			attrs[AttrClientSourcePort] = port
		}
	}
	return attrs
}

func (m *Manager) newInstanceIDLocked() ([16]byte, error) {
	for {
		var id [16]byte
		if _, err := io.ReadFull(m.cfg.Rand, id[:]); err != nil {
			return id, fmt.Errorf("generating a client instance id: %w", err)
		}
		// Version 4 UUID bits, as Java's randomUUID.
		id[6] = id[6]&0x0f | 0x40
		id[8] = id[8]&0x3f | 0x80
		if _, taken := m.instances[id]; !taken && !isReservedID(id) {
			return id, nil
		}
	}
}

// expiry is how long an instance outlives its last request.
func (inst *instance) expiry() time.Duration {
	return max(minExpiry, 3*time.Duration(inst.intervalMs)*time.Millisecond)
}

// expireLocked forgets instances (and their series) that stopped sending.
func (m *Manager) expireLocked(now time.Time) {
	for id, inst := range m.instances {
		if now.Sub(inst.lastSeen) > inst.expiry() {
			delete(m.instances, id)
		}
	}
}

func (m *Manager) evictOldestLocked() {
	var oldest *instance
	for _, inst := range m.instances {
		if oldest == nil || inst.lastSeen.Before(oldest.lastSeen) {
			oldest = inst
		}
	}
	if oldest != nil {
		delete(m.instances, oldest.id)
	}
}

// isReservedID reports Kafka's reserved UUIDs: zero and the metadata topic id.
func isReservedID(id [16]byte) bool {
	var one [16]byte
	one[15] = 1
	return id == [16]byte{} || id == one
}

// uuidString is Kafka's text form of a UUID (URL-safe base64, unpadded).
func uuidString(id [16]byte) string { return base64.RawURLEncoding.EncodeToString(id[:]) }
