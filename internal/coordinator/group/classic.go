package group

import (
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupState is a classic group's state, named as Kafka names them in
// ListGroups and DescribeGroups.
type groupState int

const (
	stateEmpty groupState = iota
	statePreparingRebalance
	stateCompletingRebalance
	stateStable
	stateDead
)

var stateNames = [...]string{"Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"}

func (s groupState) String() string { return stateNames[s] }

// protocol is one (name, metadata) a member supports, in preference order.
type protocol struct {
	Name     string
	Metadata []byte
}

// member is one classic group member.
type member struct {
	id, instanceID   string
	clientID, host   string
	rebalanceTimeout time.Duration
	sessionTimeout   time.Duration
	protocolType     string
	protocols        []protocol
	assignment       []byte
	joinWaiter       func(*kmsg.JoinGroupResponse)
	syncWaiter       func(*kmsg.SyncGroupResponse)
}

func (m *member) metadataFor(name string) []byte {
	for _, p := range m.protocols {
		if p.Name == name {
			return p.Metadata
		}
	}
	return nil
}

func (m *member) supports(name string) bool {
	for _, p := range m.protocols {
		if p.Name == name {
			return true
		}
	}
	return false
}

func sameProtocols(a, b []protocol) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || string(a[i].Metadata) != string(b[i].Metadata) {
			return false
		}
	}
	return true
}

// classicGroup is the state of one group using the classic protocol.
type classicGroup struct {
	id           string
	state        groupState
	stateTime    int64 // ms, when the current state was entered
	protocolType string
	protocol     string
	generation   int32
	leader       string
	members      map[string]*member
	order        []string          // member ids in join order
	static       map[string]string // group.instance.id -> member id
	pending      map[string]bool   // member ids handed out, not yet joined (KIP-394)

	// initial delayed join (group.initial.rebalance.delay.ms)
	initialDelay   bool
	newMemberAdded bool
	delayRemaining time.Duration
}

func newClassicGroup(id string, nowMs int64) *classicGroup {
	return &classicGroup{id: id, stateTime: nowMs, members: map[string]*member{}, static: map[string]string{}, pending: map[string]bool{}}
}

func (g *classicGroup) transition(s groupState, nowMs int64) {
	g.state = s
	g.stateTime = nowMs
}

func (g *classicGroup) addMember(m *member) {
	if len(g.members) == 0 {
		g.protocolType = m.protocolType
	}
	if g.leader == "" {
		g.leader = m.id
	}
	g.members[m.id] = m
	g.order = append(g.order, m.id)
	if m.instanceID != "" {
		g.static[m.instanceID] = m.id
	}
}

func (g *classicGroup) removeMember(id string) *member {
	m := g.members[id]
	if m == nil {
		return nil
	}
	delete(g.members, id)
	for i, o := range g.order {
		if o == id {
			g.order = append(g.order[:i:i], g.order[i+1:]...)
			break
		}
	}
	if m.instanceID != "" && g.static[m.instanceID] == id {
		delete(g.static, m.instanceID)
	}
	if g.leader == id {
		g.leader = ""
		if len(g.order) > 0 {
			g.leader = g.order[0]
		}
	}
	return m
}

// replaceStatic gives a static member a new member id (a restarted
// instance); the old id is fenced.
func (g *classicGroup) replaceStatic(old *member, newID string) {
	delete(g.members, old.id)
	for i, o := range g.order {
		if o == old.id {
			g.order[i] = newID
		}
	}
	if g.leader == old.id {
		g.leader = newID
	}
	old.id = newID
	g.members[newID] = old
	g.static[old.instanceID] = newID
}

// candidateProtocols are the protocols every member supports, in the
// preference order of the first member.
func (g *classicGroup) candidateProtocols() []string {
	if len(g.order) == 0 {
		return nil
	}
	var out []string
	for _, p := range g.members[g.order[0]].protocols {
		all := true
		for _, id := range g.order[1:] {
			if !g.members[id].supports(p.Name) {
				all = false
				break
			}
		}
		if all {
			out = append(out, p.Name)
		}
	}
	return out
}

// supportsProtocols says whether a joining member could be part of the group.
func (g *classicGroup) supportsProtocols(protocolType string, ps []protocol) bool {
	if len(g.members) == 0 {
		return protocolType != "" && len(ps) > 0
	}
	if g.protocolType != protocolType {
		return false
	}
	cands := g.candidateProtocols()
	for _, p := range ps {
		for _, c := range cands {
			if p.Name == c {
				return true
			}
		}
	}
	return false
}

// selectProtocol: each member votes for its most preferred candidate; the
// most votes win, ties go to the earlier candidate.
func (g *classicGroup) selectProtocol() string {
	cands := g.candidateProtocols()
	votes := map[string]int{}
	for _, id := range g.order {
		for _, p := range g.members[id].protocols {
			if contains(cands, p.Name) {
				votes[p.Name]++
				break
			}
		}
	}
	best, n := "", -1
	for _, c := range cands {
		if votes[c] > n {
			best, n = c, votes[c]
		}
	}
	return best
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func (g *classicGroup) allJoined() bool {
	if len(g.pending) > 0 {
		return false
	}
	for _, m := range g.members {
		if m.joinWaiter == nil {
			return false
		}
	}
	return true
}

func (g *classicGroup) maxRebalanceTimeout() time.Duration {
	var d time.Duration
	for _, m := range g.members {
		d = max(d, m.rebalanceTimeout)
	}
	return d
}
