package consumer

import (
	"fmt"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

// Member types of ConsumerGroupDescribe v1+: members using the classic
// protocol (JoinGroup) or the consumer protocol (ConsumerGroupHeartbeat).
const (
	memberTypeClassic  int8 = 0
	memberTypeConsumer int8 = 1
)

// Describe returns this group's entry of a ConsumerGroupDescribe response.
// The coordinator fills AuthorizedOperations (left at "not requested").
func (g *Group) Describe() kmsg.ConsumerGroupDescribeResponseGroup {
	d := kmsg.NewConsumerGroupDescribeResponseGroup()
	d.Group = g.id
	d.State = g.State()
	d.Epoch = g.epoch
	d.AssignmentEpoch = g.assignmentEpoch
	d.AssignorName = g.preferredAssignor()
	d.AuthorizedOperations = -2147483648
	for _, id := range g.sortedMemberIDs() {
		m := g.members[id]
		dm := kmsg.NewConsumerGroupDescribeResponseGroupMember()
		dm.MemberID = id
		dm.InstanceID = clonePtr(m.meta.InstanceID)
		dm.RackID = clonePtr(m.meta.RackID)
		dm.MemberEpoch = m.epoch
		dm.ClientID, dm.ClientHost = m.meta.ClientID, m.meta.ClientHost
		dm.SubscribedTopics = append([]string{}, m.meta.SubscribedTopicNames...)
		// Kafka reports "" rather than null for members without a regex.
		regex := deref(m.meta.SubscribedTopicRegex)
		dm.SubscribedTopicRegex = &regex
		// Like Kafka, the reported assignment includes partitions the member
		// still holds while revoking them.
		var cur []tp
		for p := range m.assigned {
			cur = append(cur, p)
		}
		for p := range m.pending {
			cur = append(cur, p)
		}
		dm.Assignment = g.describeAssignment(assignor.FromPartitions(cur))
		dm.TargetAssignment = g.describeAssignment(g.target[id])
		dm.MemberType = memberTypeConsumer
		if m.meta.Classic != nil {
			dm.MemberType = memberTypeClassic
		}
		d.Members = append(d.Members, dm)
	}
	return d
}

func (g *Group) describeAssignment(a assignor.Assignment) kmsg.Assignment {
	out := kmsg.NewAssignment()
	out.TopicPartitions = []kmsg.AssignmentTopicPartition{}
	for _, t := range toTopicPartitions(a) {
		atp := kmsg.NewAssignmentTopicPartition()
		atp.TopicID = t.TopicID
		if topic, ok := g.topicByID(t.TopicID); ok {
			atp.Topic = topic.Name
		}
		atp.Partitions = t.Partitions
		out.TopicPartitions = append(out.TopicPartitions, atp)
	}
	sort.SliceStable(out.TopicPartitions, func(i, j int) bool { return out.TopicPartitions[i].Topic < out.TopicPartitions[j].Topic })
	return out
}

// DescribeGroups answers a ConsumerGroupDescribe request. find returns the
// consumer-protocol group with an id, if this coordinator has one; other
// ids get GROUP_ID_NOT_FOUND as in Kafka. The coordinator sets
// AuthorizedOperations and answers NOT_COORDINATOR for ids it does not own
// before calling this.
func DescribeGroups(req *kmsg.ConsumerGroupDescribeRequest, find func(groupID string) (*Group, bool)) *kmsg.ConsumerGroupDescribeResponse {
	resp := kmsg.NewPtrConsumerGroupDescribeResponse()
	resp.Version = req.Version
	for _, id := range req.Groups {
		if g, ok := find(id); ok {
			resp.Groups = append(resp.Groups, g.Describe())
			continue
		}
		d := kmsg.NewConsumerGroupDescribeResponseGroup()
		d.Group = id
		d.ErrorCode = kerr.GroupIDNotFound.Code
		msg := fmt.Sprintf("Group %s not found.", id)
		d.ErrorMessage = &msg
		d.AuthorizedOperations = -2147483648
		resp.Groups = append(resp.Groups, d)
	}
	return resp
}
