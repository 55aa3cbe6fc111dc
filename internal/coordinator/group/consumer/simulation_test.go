package consumer

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// simClient behaves like a consumer: it owns exactly what the last
// response assigned and sends that back with every heartbeat.
type simClient struct {
	id     string
	epoch  int32
	owned  map[byte][]int32
	joined bool
}

func (c *simClient) apply(t *testing.T, h *harness) {
	req := hbReq{id: c.id, epoch: c.epoch, owned: c.owned}
	if !c.joined {
		req = hbReq{id: c.id, topics: []string{"foo", "bar"}}
	}
	r := h.hb(req)
	switch r.ErrorCode {
	case 0:
	case kerr.FencedMemberEpoch.Code, kerr.UnknownMemberID.Code:
		c.joined, c.epoch, c.owned = false, 0, map[byte][]int32{}
		return
	default:
		t.Fatalf("%s: unexpected error %v: %s", c.id, kerr.ErrorForCode(r.ErrorCode), deref(r.ErrorMessage))
	}
	c.joined = true
	c.epoch = r.MemberEpoch
	if r.Assignment != nil {
		c.owned = map[byte][]int32{}
		for _, tt := range r.Assignment.Topics {
			c.owned[tt.TopicID[0]] = append([]int32(nil), tt.Partitions...)
		}
	}
}

// checkExclusive asserts no partition is owned (assigned or pending
// revocation) by two members at once, on the coordinator's side and on the
// simulated clients' side.
func checkExclusive(t *testing.T, h *harness, clients []*simClient) {
	t.Helper()
	seen := map[tp]string{}
	for _, id := range h.g.sortedMemberIDs() {
		m := h.g.members[id]
		for p := range m.assigned {
			if o, dup := seen[p]; dup {
				t.Fatalf("%v owned by %s and %s", p, o, id)
			}
			seen[p] = id
		}
		for p := range m.pending {
			if o, dup := seen[p]; dup {
				t.Fatalf("%v owned by %s and pending in %s", p, o, id)
			}
			seen[p] = id
		}
	}
	client := map[tp]string{}
	for _, c := range clients {
		if !c.joined {
			continue
		}
		for b, ps := range c.owned {
			for _, p := range ps {
				k := tp{Topic: [16]byte{b}, Partition: p}
				if o, dup := client[k]; dup {
					t.Fatalf("clients %s and %s both consume %v", o, c.id, k)
				}
				client[k] = c.id
			}
		}
	}
}

func TestRandomizedReconciliation(t *testing.T) {
	for seed := int64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			cfg := DefaultConfig()
			cfg.AssignmentInterval = time.Duration(rng.Intn(2)) * time.Second
			h := newHarness(t, cfg, topic(1, "foo", 7), topic(2, "bar", 3))
			var clients []*simClient
			for i := 0; i < 5; i++ {
				clients = append(clients, &simClient{id: fmt.Sprintf("c%d", i), owned: map[byte][]int32{}})
			}
			for step := 0; step < 250; step++ {
				c := clients[rng.Intn(len(clients))]
				switch rng.Intn(20) {
				case 0:
					if c.joined {
						h.hb(hbReq{id: c.id, epoch: LeaveGroupEpoch})
						c.joined, c.epoch, c.owned = false, 0, map[byte][]int32{}
					}
				case 1:
					h.clk.Advance(time.Duration(rng.Intn(1500)) * time.Millisecond)
					h.timer()
				default:
					c.apply(t, h)
				}
				checkExclusive(t, h, clients)
			}
			// Everyone heartbeats until the group settles.
			h.clk.Advance(2 * time.Second)
			h.timer()
			for round := 0; round < 6; round++ {
				h.clk.Advance(time.Second)
				h.timer()
				for _, c := range clients {
					c.apply(t, h)
					checkExclusive(t, h, clients)
				}
			}
			expect(t, "settled", h.g.State(), "Stable")
			total := 0
			for _, id := range h.g.sortedMemberIDs() {
				m := h.g.members[id]
				if !sameSet(m.assigned, toEpochMap(h.g.target[id].Partitions())) {
					t.Fatalf("%s: assigned differs from target", id)
				}
				total += len(m.assigned)
			}
			expect(t, "all partitions assigned", total, 10)
		})
	}
}

func toEpochMap(tps []tp) map[tp]int32 {
	out := map[tp]int32{}
	for _, p := range tps {
		out[p] = 0
	}
	return out
}
