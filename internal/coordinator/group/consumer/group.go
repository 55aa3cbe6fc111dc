// Package consumer is the deterministic core of the KIP-848 consumer group
// protocol: one Group per group id handles ConsumerGroupHeartbeat and
// ConsumerGroupDescribe, computes target assignments with the server-side
// assignors, reconciles members incrementally (revoke before assign), and
// emits the records a coordinator persists. It starts no goroutines: the
// coordinator runtime calls Heartbeat, Describe and OnTimer under its own
// serialisation, persists the returned records, and on failover rebuilds
// the group by calling Replay with every record read back.
//
// Members may also use the classic protocol (ClassicJoin, ClassicSync,
// ClassicHeartbeat, ClassicLeave), as after an online upgrade (FromClassic
// builds the group a classic group becomes); when the last
// consumer-protocol member goes and group.consumer.migration.policy allows
// it, the group tombstones itself and TakeDowngrade hands the runtime the
// classic group to rebuild.
//
// Where this differs from Kafka 4.3:
//   - subscription regexes are resolved synchronously on the heartbeat that
//     needs them (and re-resolved when the topic image version changes);
//     Kafka resolves them in the background, so there a member's first
//     heartbeat with a new regex gets no partitions yet;
//   - the uniform and range assignors give the same guarantees as Kafka's
//     (balance, stickiness, rack preference) but not necessarily the same
//     partition-to-member mapping;
//   - a malformed subscription in a classic member's JoinGroup is refused
//     with INCONSISTENT_GROUP_PROTOCOL (Kafka fails with
//     UNKNOWN_SERVER_ERROR).
package consumer

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/odradek/odradek/internal/clock"
	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

// Config holds the broker settings a consumer group obeys.
type Config struct {
	// SessionTimeout is group.consumer.session.timeout.ms.
	SessionTimeout time.Duration
	// HeartbeatInterval is group.consumer.heartbeat.interval.ms.
	HeartbeatInterval time.Duration
	// AssignmentInterval is group.consumer.assignment.interval.ms: the
	// minimum time between two target assignment computations (KIP-1263).
	AssignmentInterval time.Duration
	// MaxSize is group.consumer.max.size (0 means unlimited).
	MaxSize int
	// Assignors is group.consumer.assignors; the first is the default.
	Assignors []string
	// NewMemberID generates member ids for v0 clients that join without one.
	// Nil uses random 22-character URL-safe ids, like Kafka's.
	NewMemberID func() string
	// MigrationPolicy is group.consumer.migration.policy; its zero value is
	// Kafka's default, bidirectional.
	MigrationPolicy MigrationPolicy
	// ClassicMaxSize is group.max.size: a group does not turn back into a
	// classic group with more members than that (0 means unlimited).
	ClassicMaxSize int
}

// DefaultConfig returns Kafka's defaults.
func DefaultConfig() Config {
	return Config{
		SessionTimeout:     45 * time.Second,
		HeartbeatInterval:  5 * time.Second,
		AssignmentInterval: time.Second,
		Assignors:          slices.Clone(assignor.DefaultNames),
	}
}

// Metadata is the cluster's topic image as the group sees it. Version must
// grow whenever topics change; the runtime should leave out topics that
// subscriptions must never see (Kafka's internal topics).
type Metadata struct {
	Version int64
	Topics  []assignor.Topic
}

// MemberState is a member's reconciliation state, numbered as in Kafka.
type MemberState int8

const (
	MemberStable               MemberState = 0
	MemberUnrevokedPartitions  MemberState = 1
	MemberUnreleasedPartitions MemberState = 2
)

func (s MemberState) String() string {
	switch s {
	case MemberStable:
		return "STABLE"
	case MemberUnrevokedPartitions:
		return "UNREVOKED_PARTITIONS"
	case MemberUnreleasedPartitions:
		return "UNRELEASED_PARTITIONS"
	}
	return fmt.Sprintf("UNKNOWN(%d)", int8(s))
}

// Epochs with a special meaning in a heartbeat.
const (
	initialEpoch          int32 = 1
	LeaveGroupEpoch       int32 = -1
	LeaveGroupStaticEpoch int32 = -2
)

type tp = assignor.TopicPartition

type member struct {
	meta      MemberMetadataRecord
	epoch     int32
	prevEpoch int32
	state     MemberState
	assigned  map[tp]int32 // partition -> assignment epoch (KIP-1251)
	pending   map[tp]int32 // partitions pending revocation -> assignment epoch

	// Transient (not persisted): deadlines restart from Replay time.
	sessionDeadline   time.Time
	rebalanceDeadline time.Time
	rebalanceEpoch    int32
	// Classic members only: the JoinGroup they were told to send (after a
	// REBALANCE_IN_PROGRESS) and the SyncGroup that must follow a join,
	// each within the rebalance timeout.
	joinDeadline time.Time
	syncDeadline time.Time
}

// Group is one consumer group's state machine. It is not safe for
// concurrent use; the runtime serialises calls.
type Group struct {
	id  string
	cfg Config
	clk clock.Clock
	md  Metadata
	// Indexes of md, rebuilt by SetMetadata.
	byName map[string]assignor.Topic
	byID   map[assignor.TopicID]assignor.Topic

	epoch           int32
	metadataHash    int64
	assignmentEpoch int32
	assignmentTime  int64 // unix millis of the last target computation
	members         map[string]*member
	static          map[string]string // instance id -> member id
	target          map[string]assignor.Assignment
	owner           map[tp]string
	regexes         map[string]*RegularExpressionRecord

	regexChecked map[string]int64 // transient: metadata version last checked

	// downgraded is set when the group just turned itself into a classic
	// group; the runtime collects it with TakeDowngrade.
	downgraded *Downgrade
}

// New returns an empty group. cfg zero fields take Kafka's defaults; an
// unknown assignor name in cfg.Assignors is an error.
func New(groupID string, cfg Config, clk clock.Clock) (*Group, error) {
	if groupID == "" {
		return nil, fmt.Errorf("consumer group: empty group id")
	}
	for _, name := range cfg.Assignors {
		if _, err := assignor.New(name); err != nil {
			return nil, fmt.Errorf("consumer group %q: group.consumer.assignors: %w", groupID, err)
		}
	}
	return newGroup(groupID, cfg, clk), nil
}

func newGroup(groupID string, cfg Config, clk clock.Clock) *Group {
	def := DefaultConfig()
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = def.SessionTimeout
	}
	if cfg.HeartbeatInterval <= 0 {
		cfg.HeartbeatInterval = def.HeartbeatInterval
	}
	if cfg.AssignmentInterval < 0 {
		cfg.AssignmentInterval = 0
	}
	if len(cfg.Assignors) == 0 {
		cfg.Assignors = def.Assignors
	}
	if cfg.NewMemberID == nil {
		cfg.NewMemberID = randomMemberID
	}
	return &Group{
		id: groupID, cfg: cfg, clk: clk,
		// As in Kafka 4.3, a group starts at epoch 1 with an empty target
		// assignment at epoch 1, so a member joining before the first
		// assignment is computed reconciles to a positive epoch (0 means
		// "joining") and the first computed assignment has epoch 2.
		epoch: initialEpoch, assignmentEpoch: initialEpoch,
		members: map[string]*member{}, static: map[string]string{},
		target: map[string]assignor.Assignment{}, owner: map[tp]string{},
		regexes: map[string]*RegularExpressionRecord{}, regexChecked: map[string]int64{},
	}
}

func randomMemberID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ID is the group id.
func (g *Group) ID() string { return g.id }

// Epoch is the group epoch.
func (g *Group) Epoch() int32 { return g.epoch }

// AssignmentEpoch is the epoch of the current target assignment.
func (g *Group) AssignmentEpoch() int32 { return g.assignmentEpoch }

// IsEmpty reports a group without members.
func (g *Group) IsEmpty() bool { return len(g.members) == 0 }

// SetMetadata installs a new topic image. The group notices changes to the
// topics it subscribes to on the next heartbeat (or OnTimer) and bumps its
// epoch then, as Kafka does.
func (g *Group) SetMetadata(md Metadata) {
	g.md = md
	g.byName = make(map[string]assignor.Topic, len(md.Topics))
	g.byID = make(map[assignor.TopicID]assignor.Topic, len(md.Topics))
	for _, t := range md.Topics {
		g.byName[t.Name] = t
		g.byID[t.ID] = t
	}
}

// State is the group state as ConsumerGroupDescribe and ListGroups report it.
func (g *Group) State() string {
	switch {
	case len(g.members) == 0:
		return "Empty"
	case g.epoch > g.assignmentEpoch:
		return "Assigning"
	}
	for _, m := range g.members {
		if m.epoch != g.assignmentEpoch || m.state != MemberStable {
			return "Reconciling"
		}
	}
	return "Stable"
}

func (g *Group) sortedMemberIDs() []string {
	ids := make([]string, 0, len(g.members))
	for id := range g.members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (g *Group) topicByName(name string) (assignor.Topic, bool) {
	t, ok := g.byName[name]
	return t, ok
}

func (g *Group) topicByID(id assignor.TopicID) (assignor.Topic, bool) {
	t, ok := g.byID[id]
	return t, ok
}

// emit applies rec to the group and appends it to out: the group changes
// only through Replay, so the emitted records always rebuild it exactly.
func (g *Group) emit(out *[]Record, rec Record) {
	if err := g.Replay(rec); err != nil {
		// Records built here always belong to this group and are well formed.
		panic(fmt.Sprintf("consumer group %q: replaying own record: %v", g.id, err))
	}
	*out = append(*out, rec)
}
