package group

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
	"github.com/odradek/odradek/internal/coordinator/group/consumer"
)

// Scenario commands for groups mixing the classic and the consumer
// protocol (testdata/migration_*.txt). Partition lists are written
// topic/0,1+other/2.

// parseParts reads "topic/0,1+other/2".
func parseParts(s string) map[string][]int32 {
	out := map[string][]int32{}
	if s == "" || s == "-" {
		return out
	}
	for _, tp := range strings.Split(s, "+") {
		topic, ps, _ := strings.Cut(tp, "/")
		out[topic] = []int32{}
		for _, p := range strings.Split(ps, ",") {
			if p == "" {
				continue
			}
			n, _ := strconv.Atoi(p)
			out[topic] = append(out[topic], int32(n))
		}
	}
	return out
}

func formatParts(m map[string][]int32) string {
	topics := make([]string, 0, len(m))
	for t := range m {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	var parts []string
	for _, t := range topics {
		ps := append([]int32{}, m[t]...)
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		var ns []string
		for _, p := range ps {
			ns = append(ns, strconv.Itoa(int(p)))
		}
		parts = append(parts, t+"/"+strings.Join(ns, ","))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "+")
}

// subscription encodes a ConsumerProtocolSubscription v1.
func subscription(topics, owned string) []byte {
	s := kmsg.NewConsumerMemberMetadata()
	s.Version = 1
	s.Topics = strings.Split(topics, ",")
	for topic, ps := range parseParts(owned) {
		s.OwnedPartitions = append(s.OwnedPartitions, kmsg.ConsumerMemberMetadataOwnedPartition{Topic: topic, Partitions: ps})
	}
	sort.Slice(s.OwnedPartitions, func(i, j int) bool { return s.OwnedPartitions[i].Topic < s.OwnedPartitions[j].Topic })
	return s.AppendTo(nil)
}

// assignment encodes a ConsumerProtocolAssignment v1.
func assignment(parts string) []byte {
	a := kmsg.NewConsumerMemberAssignment()
	a.Version = 1
	m := parseParts(parts)
	topics := make([]string, 0, len(m))
	for t := range m {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	for _, t := range topics {
		at := kmsg.NewConsumerMemberAssignmentTopic()
		at.Topic, at.Partitions = t, m[t]
		a.Topics = append(a.Topics, at)
	}
	return a.AppendTo(nil)
}

func decodeAssignment(b []byte) string {
	var a kmsg.ConsumerMemberAssignment
	if err := a.ReadFrom(b); err != nil {
		return fmt.Sprintf("undecodable(%q)", b)
	}
	m := map[string][]int32{}
	for _, t := range a.Topics {
		m[t.Topic] = append(m[t.Topic], t.Partitions...)
	}
	return fmt.Sprintf("v%d:%s", a.Version, formatParts(m))
}

func (s *scenario) topicName(id [16]byte) string {
	for _, t := range s.topics {
		if t.ID == id {
			return t.Name
		}
	}
	return fmt.Sprintf("%x", id[:2])
}

func (s *scenario) describeParts(a kmsg.Assignment) string {
	m := map[string][]int32{}
	for _, t := range a.TopicPartitions {
		m[s.topicName(t.TopicID)] = append(m[s.topicName(t.TopicID)], t.Partitions...)
	}
	return formatParts(m)
}

func (s *scenario) runMigration(t *testing.T, cmd string, pos []string, opt map[string]string) bool {
	h := s.h
	arg := func(i int) string {
		if i >= len(pos) {
			t.Fatalf("%s: missing argument %d", cmd, i+1)
		}
		return pos[i]
	}
	switch cmd {
	case "topic": // topic NAME PARTITIONS
		n, _ := strconv.Atoi(arg(1))
		s.topics = append(s.topics, assignor.Topic{ID: assignor.TopicID{byte(len(s.topics) + 1)}, Name: arg(0), Partitions: int32(n)})
		h.setTopics(s.topics...)
	case "config": // config [migration=POLICY] [consumer-max=N] [classic-max=N]: restarts with the settings
		if v, ok := opt["migration"]; ok {
			p, err := consumer.ParseMigrationPolicy(v)
			if err != nil {
				t.Fatal(err)
			}
			s.cfg.Consumer.MigrationPolicy = p
		}
		if v, ok := opt["consumer-max"]; ok {
			s.cfg.Consumer.MaxSize, _ = strconv.Atoi(v)
		}
		if v, ok := opt["classic-max"]; ok {
			s.cfg.MaxSize, _ = strconv.Atoi(v)
			s.cfg.Consumer.ClassicMaxSize = s.cfg.MaxSize
		}
		h.restart(s.cfg)
		h.setTopics(s.topics...)
	case "reload": // reload: restart from the log, keeping the topics
		h.restart(s.cfg)
		h.setTopics(s.topics...)
	case "cghb": // cghb GROUP MEMBER EPOCH [topics=a,b] [owned=topic/0,1] [instance=ID]
		epoch, _ := strconv.Atoi(arg(2))
		req := kmsg.NewPtrConsumerGroupHeartbeatRequest()
		req.Version = 1
		req.Group, req.MemberID, req.MemberEpoch = arg(0), arg(1), int32(epoch)
		if inst, ok := opt["instance"]; ok {
			req.InstanceID = kmsg.StringPtr(inst)
		}
		if epoch == 0 {
			req.RebalanceTimeoutMillis = 60000
			req.SubscribedTopicNames = strings.Split(withDefault(opt["topics"], "orders"), ",")
		} else if topics, ok := opt["topics"]; ok {
			req.SubscribedTopicNames = strings.Split(topics, ",")
		}
		if epoch >= 0 {
			req.Topics = []kmsg.ConsumerGroupHeartbeatRequestTopic{}
			for topic, ps := range parseParts(opt["owned"]) {
				for _, tt := range s.topics {
					if tt.Name == topic {
						rt := kmsg.NewConsumerGroupHeartbeatRequestTopic()
						rt.TopicID, rt.Partitions = tt.ID, ps
						req.Topics = append(req.Topics, rt)
					}
				}
			}
		}
		r := h.c.ConsumerGroupHeartbeat(context.Background(), req, "cg-client", "/10.0.0.2")
		if r.ErrorCode != 0 {
			msg := ""
			if r.ErrorMessage != nil {
				msg = *r.ErrorMessage
			}
			s.emit("%s %q", codeName(r.ErrorCode), msg)
			break
		}
		line := fmt.Sprintf("OK epoch=%d", r.MemberEpoch)
		if r.Assignment != nil {
			m := map[string][]int32{}
			for _, at := range r.Assignment.Topics {
				m[s.topicName(at.TopicID)] = append(m[s.topicName(at.TopicID)], at.Partitions...)
			}
			line += " assignment=" + formatParts(m)
		}
		s.emit("%s", line)
	case "cgdescribe": // cgdescribe GROUP
		req := kmsg.NewPtrConsumerGroupDescribeRequest()
		req.Version = 1
		req.Groups = []string{arg(0)}
		d := h.c.ConsumerGroupDescribe(req).Groups[0]
		if d.ErrorCode != 0 {
			s.emit("%s", codeName(d.ErrorCode))
			break
		}
		s.emit("OK %s epoch=%d assignment-epoch=%d", d.State, d.Epoch, d.AssignmentEpoch)
		for _, m := range d.Members {
			typ := map[int8]string{0: "classic", 1: "consumer"}[m.MemberType]
			s.emit("  %s %s epoch=%d subscribed=%s assigned=%s target=%s", m.MemberID, typ, m.MemberEpoch,
				strings.Join(m.SubscribedTopics, ","), s.describeParts(m.Assignment), s.describeParts(m.TargetAssignment))
		}
	case "list": // list: every group with its type and state
		lg := h.c.ListGroups(&kmsg.ListGroupsRequest{Version: 5})
		sort.Slice(lg.Groups, func(i, j int) bool { return lg.Groups[i].Group < lg.Groups[j].Group })
		for _, g := range lg.Groups {
			s.emit("%s type=%s protocol=%s state=%s", g.Group, g.GroupType, g.ProtocolType, g.GroupState)
		}
	default:
		return false
	}
	return true
}
