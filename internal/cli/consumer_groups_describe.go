package cli

// consumer-groups --describe: collecting group state from the
// cluster and printing it in ConsumerGroupCommand's layouts.

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// groupMember is a member of a classic or KIP-848 group.
type groupMember struct {
	ID, InstanceID, Host, ClientID string
	Assignment, Target             []kadm.TopicPartitions
	Epoch                          *int32
	Upgraded                       *bool // KIP-848 groups only: a classic-protocol member upgraded or not
}

func (m groupMember) numPartitions() int {
	n := 0
	for _, t := range m.Assignment {
		n += len(t.Partitions)
	}
	return n
}

// groupDescription is what Admin.describeConsumerGroups returns, for both
// group protocols.
type groupDescription struct {
	Group, State, Assignor  string
	Coordinator             kadm.BrokerDetail
	GroupEpoch, TargetEpoch *int32
	Members                 []groupMember
}

// describeConsumerGroups describes groups as Kafka's admin client does: with
// ConsumerGroupDescribe when the cluster has it, falling back to the classic
// DescribeGroups for groups that are not KIP-848 groups.
func (s *groupService) describeConsumerGroups(ids []string) (map[string]groupDescription, error) {
	out := map[string]groupDescription{}
	if len(ids) == 0 {
		return out, nil // kadm would describe every group
	}
	ctx, cancel := s.ctx()
	defer cancel()
	var classic []string
	if s.supports(int16(kmsg.ConsumerGroupDescribe)) {
		described, err := s.adm.DescribeConsumerGroups(ctx, ids...)
		if err != nil && len(described) == 0 {
			return nil, fmt.Errorf("describe consumer groups: %w", err)
		}
		for _, id := range ids {
			d, ok := described[id]
			if !ok || errors.Is(d.Err, kerr.GroupIDNotFound) || errors.Is(d.Err, kerr.UnsupportedVersion) {
				classic = append(classic, id)
				continue
			}
			if d.Err != nil {
				return nil, fmt.Errorf("describe consumer group %s: %w", id, d.Err)
			}
			out[id] = fromConsumerGroup(d)
		}
	} else {
		classic = ids
	}
	if len(classic) > 0 && !s.supports(int16(kmsg.DescribeGroups)) {
		return nil, errors.New("the cluster does not support DescribeGroups: it has no consumer groups support")
	}
	if len(classic) == 0 {
		return out, nil
	}
	described, err := s.adm.DescribeGroups(ctx, classic...)
	if err != nil && len(described) == 0 {
		return nil, fmt.Errorf("describe groups: %w", err)
	}
	for _, id := range classic {
		d, ok := described[id]
		switch {
		case !ok:
			return nil, fmt.Errorf("describe group %s: no answer from its coordinator", id)
		case d.Err != nil:
			if errors.Is(d.Err, kerr.GroupIDNotFound) {
				return nil, &groupNotFoundError{id}
			}
			return nil, fmt.Errorf("describe group %s: %w", id, d.Err)
		case d.State == "Dead":
			return nil, &groupNotFoundError{id}
		case d.ProtocolType != "" && d.ProtocolType != "consumer":
			return nil, fmt.Errorf("Group %s is not a consumer group.", id)
		}
		out[id] = fromClassicGroup(d)
	}
	return out, nil
}

// supports reports whether the cluster advertises the API key.
func (s *groupService) supports(key int16) bool {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, s.cl)
	if err != nil || resp.ErrorCode != 0 {
		return false
	}
	for _, k := range resp.ApiKeys {
		if k.ApiKey == key {
			return true
		}
	}
	return false
}

func fromConsumerGroup(d kadm.DescribedConsumerGroup) groupDescription {
	g := groupDescription{
		Group: d.Group, State: canonicalState(d.State), Assignor: d.AssignorName, Coordinator: d.Coordinator,
		GroupEpoch: &d.Epoch, TargetEpoch: &d.AssignmentEpoch,
	}
	for _, m := range d.Members {
		gm := groupMember{ID: m.MemberID, Host: m.ClientHost, ClientID: m.ClientID,
			Assignment: m.Assignment.Sorted(), Target: m.TargetAssignment.Sorted(), Epoch: &m.MemberEpoch}
		if m.InstanceID != nil {
			gm.InstanceID = *m.InstanceID
		}
		if m.MemberType >= 0 {
			up := m.MemberType == 1
			gm.Upgraded = &up
		}
		g.Members = append(g.Members, gm)
	}
	return g
}

func fromClassicGroup(d kadm.DescribedGroup) groupDescription {
	g := groupDescription{Group: d.Group, State: canonicalState(d.State), Assignor: d.Protocol, Coordinator: d.Coordinator}
	for _, m := range d.Members {
		gm := groupMember{ID: m.MemberID, Host: m.ClientHost, ClientID: m.ClientID}
		if m.InstanceID != nil {
			gm.InstanceID = *m.InstanceID
		}
		if c, ok := m.Assigned.AsConsumer(); ok {
			set := kadm.TopicsSet{}
			for _, t := range c.Topics {
				set.Add(t.Topic, t.Partitions...)
			}
			gm.Assignment = set.Sorted()
		}
		g.Members = append(g.Members, gm)
	}
	return g
}

func (s *groupService) describeGroups() error {
	ids, err := s.groupIDs()
	if err != nil {
		return err
	}
	groups, err := s.describeConsumerGroups(ids)
	if err != nil {
		return err
	}
	sort.Strings(ids)
	for _, id := range ids {
		g := groups[id]
		switch {
		case s.o.members:
			s.printMembers(g)
		case s.cmd.Flags().Changed("state"):
			s.printState(g)
		default:
			rows, err := s.collectOffsets(g)
			if err != nil {
				return err
			}
			s.printOffsets(g, rows)
		}
	}
	return s.result()
}

// shouldPrint reports the group's state on stderr as Kafka does and whether
// there is anything to print.
func (s *groupService) shouldPrint(g groupDescription, rows int) bool {
	errOut := s.cmd.ErrOrStderr()
	switch g.State {
	case "Dead":
		s.printError(fmt.Sprintf("Consumer group '%s' does not exist.", g.Group))
		return false
	case "Empty":
		fmt.Fprintf(errOut, "\nConsumer group '%s' has no active members.\n", g.Group)
	case "PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling":
		fmt.Fprintf(errOut, "\nWarning: Consumer group '%s' is rebalancing.\n", g.Group)
	}
	return rows > 0
}

// offsetRow is one line of the offsets view; nil fields print as "-".
type offsetRow struct {
	Group, Topic                string
	Partition                   int32
	NoPartition                 bool
	LeaderEpoch, Offset, LogEnd *int64
	ConsumerID, Host, ClientID  string
	LagTime                     string
}

func (r offsetRow) lag() *int64 {
	if r.Offset == nil || *r.Offset == -1 || r.LogEnd == nil {
		return nil
	}
	l := *r.LogEnd - *r.Offset
	return &l
}

func optInt(p *int64) string {
	if p == nil {
		return missingColumn
	}
	return strconv.FormatInt(*p, 10)
}

// collectOffsets builds the offsets view: assigned partitions per member
// (members with the most partitions first), then partitions with committed
// offsets that nobody is assigned.
func (s *groupService) collectOffsets(g groupDescription) ([]offsetRow, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	committed, err := s.adm.FetchOffsets(ctx, g.Group)
	if err != nil {
		return nil, fmt.Errorf("fetch committed offsets of group %s: %w", g.Group, err)
	}
	if err := committed.Error(); err != nil {
		return nil, fmt.Errorf("fetch committed offsets of group %s: %w", g.Group, err)
	}
	members := append([]groupMember(nil), g.Members...)
	sort.SliceStable(members, func(i, j int) bool { return members[i].numPartitions() > members[j].numPartitions() })
	var rows []offsetRow
	assigned := map[string]map[int32]bool{}
	for _, m := range members {
		if m.numPartitions() == 0 {
			continue
		}
		for _, t := range m.Assignment {
			if assigned[t.Topic] == nil {
				assigned[t.Topic] = map[int32]bool{}
			}
			for _, p := range t.Partitions {
				assigned[t.Topic][p] = true
				rows = append(rows, offsetRow{Group: g.Group, Topic: t.Topic, Partition: p, ConsumerID: m.ID, Host: m.Host, ClientID: m.ClientID})
			}
		}
	}
	var unassigned []offsetRow
	for _, o := range committed.Sorted() {
		if assigned[o.Topic][o.Partition] {
			continue
		}
		unassigned = append(unassigned, offsetRow{Group: g.Group, Topic: o.Topic, Partition: o.Partition,
			ConsumerID: missingColumn, Host: missingColumn, ClientID: missingColumn})
	}
	rows = append(rows, unassigned...)
	if err := s.fillOffsets(rows, committed); err != nil {
		return nil, err
	}
	// Kafka sorts each member's rows (and the unassigned rows) by topic and
	// partition, keeping the member order.
	sortWithinOwner(rows)
	return rows, nil
}

func sortWithinOwner(rows []offsetRow) {
	start := 0
	for i := 1; i <= len(rows); i++ {
		if i == len(rows) || rows[i].ConsumerID != rows[start].ConsumerID {
			part := rows[start:i]
			sort.SliceStable(part, func(a, b int) bool {
				if part[a].Topic != part[b].Topic {
					return part[a].Topic < part[b].Topic
				}
				return part[a].Partition < part[b].Partition
			})
			start = i
		}
	}
}

// fillOffsets sets committed offsets, leader epochs and log end offsets.
func (s *groupService) fillOffsets(rows []offsetRow, committed kadm.OffsetResponses) error {
	if len(rows) == 0 {
		return nil
	}
	topics := map[string]bool{}
	for _, r := range rows {
		topics[r.Topic] = true
	}
	ctx, cancel := s.ctx()
	defer cancel()
	ends, err := s.adm.ListEndOffsets(ctx, keysOfBool(topics)...)
	if err != nil && len(ends) == 0 {
		return fmt.Errorf("list log end offsets: %w", err)
	}
	for i := range rows {
		r := &rows[i]
		if c, ok := committed.Lookup(r.Topic, r.Partition); ok && c.Err == nil {
			at := c.At
			r.Offset = &at
			if c.LeaderEpoch >= 0 {
				e := int64(c.LeaderEpoch)
				r.LeaderEpoch = &e
			}
		}
		if e, ok := ends.Lookup(r.Topic, r.Partition); ok && e.Err == nil && e.Offset >= 0 {
			end := e.Offset
			r.LogEnd = &end
		}
	}
	if s.o.lagTime {
		s.fillLagTimes(rows)
	}
	return nil
}

func keysOfBool(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *groupService) printOffsets(g groupDescription, rows []offsetRow) {
	if !s.shouldPrint(g, len(rows)) {
		return
	}
	out := s.cmd.OutOrStdout()
	gw, tw, cw, hw, clw := 15, 15, 15, 15, 15
	for _, r := range rows {
		gw, tw = max(gw, len(r.Group)), max(tw, len(r.Topic))
		cw, hw, clw = max(cw, len(r.ConsumerID)), max(hw, len(r.Host)), max(clw, len(r.ClientID))
	}
	pad := func(w int) string { return "%-" + strconv.Itoa(w) + "s" }
	verbose := s.o.verbose
	format := "\n" + pad(gw) + " " + pad(tw) + " %-10s"
	header := []any{"GROUP", "TOPIC", "PARTITION"}
	if verbose {
		format += " %-15s"
		header = append(header, "LEADER-EPOCH")
	}
	format += " %-15s %-15s %-15s " + pad(cw) + " " + pad(hw)
	header = append(header, "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID")
	if s.o.lagTime {
		format += " " + pad(clw) + " %s"
		header = append(header, "LAG-TIME")
	} else {
		format += " %s"
	}
	fmt.Fprintf(out, format, header...)
	for _, r := range rows {
		partition := strconv.Itoa(int(r.Partition))
		if r.NoPartition {
			partition = missingColumn
		}
		row := []any{r.Group, r.Topic, partition}
		if verbose {
			row = append(row, optInt(r.LeaderEpoch))
		}
		row = append(row, optInt(r.Offset), optInt(r.LogEnd), optInt(r.lag()), r.ConsumerID, r.Host, r.ClientID)
		if s.o.lagTime {
			row = append(row, r.LagTime)
		}
		fmt.Fprintf(out, format, row...)
	}
	fmt.Fprintln(out)
}

// assignmentString renders an assignment as Kafka does: "t1:0,1;t2:3".
func assignmentString(a []kadm.TopicPartitions) string {
	if len(a) == 0 {
		return missingColumn
	}
	var parts []string
	for _, t := range a {
		ps := append([]int32(nil), t.Partitions...)
		sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
		nums := make([]string, len(ps))
		for i, p := range ps {
			nums[i] = strconv.Itoa(int(p))
		}
		parts = append(parts, t.Topic+":"+strings.Join(nums, ","))
	}
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

func optEpoch(p *int32) string {
	if p == nil {
		return missingColumn
	}
	return strconv.Itoa(int(*p))
}

func (s *groupService) printMembers(g groupDescription) {
	out := s.cmd.OutOrStdout()
	gw, cw, iw, hw, clw, caw, taw := 15, 15, 17, 15, 15, 20, 20
	withInstance, hasClassic, hasConsumer := false, false, false
	if s.shouldPrint(g, len(g.Members)) {
		for _, m := range g.Members {
			gw, cw, iw = max(gw, len(g.Group)), max(cw, len(m.ID)), max(iw, len(m.InstanceID))
			hw, clw = max(hw, len(m.Host)), max(clw, len(m.ClientID))
			caw, taw = max(caw, len(assignmentString(m.Assignment))), max(taw, len(assignmentString(m.Target)))
			withInstance = withInstance || m.InstanceID != ""
			if m.Upgraded != nil {
				hasClassic = hasClassic || !*m.Upgraded
				hasConsumer = hasConsumer || *m.Upgraded
			}
		}
	}
	pad := func(w int) string { return "%-" + strconv.Itoa(w) + "s" }
	withID := pad(gw) + " " + pad(cw) + " " + pad(iw) + " " + pad(hw) + " " + pad(clw) + " %-15s "
	withoutID := pad(gw) + " " + pad(cw) + " " + pad(hw) + " " + pad(clw) + " %-15s "
	if withInstance {
		fmt.Fprintf(out, "\n"+withID, "GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID", "#PARTITIONS")
	} else {
		fmt.Fprintf(out, "\n"+withoutID, "GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS")
	}
	withUpgrade := "%-15s " + pad(caw) + " %-15s " + pad(taw) + " %s"
	withoutUpgrade := "%-15s " + pad(caw) + " %-15s " + pad(taw)
	migrating := hasClassic && hasConsumer
	if s.o.verbose {
		if migrating {
			fmt.Fprintf(out, withUpgrade, "CURRENT-EPOCH", "CURRENT-ASSIGNMENT", "TARGET-EPOCH", "TARGET-ASSIGNMENT", "UPGRADED")
		} else {
			fmt.Fprintf(out, withoutUpgrade, "CURRENT-EPOCH", "CURRENT-ASSIGNMENT", "TARGET-EPOCH", "TARGET-ASSIGNMENT")
		}
	}
	fmt.Fprintln(out)
	if g.State == "Dead" {
		return
	}
	for _, m := range g.Members {
		if withInstance {
			fmt.Fprintf(out, withID, g.Group, m.ID, m.InstanceID, m.Host, m.ClientID, strconv.Itoa(m.numPartitions()))
		} else {
			fmt.Fprintf(out, withoutID, g.Group, m.ID, m.Host, m.ClientID, strconv.Itoa(m.numPartitions()))
		}
		if s.o.verbose {
			cur, tgt := assignmentString(m.Assignment), assignmentString(m.Target)
			if migrating {
				up := missingColumn
				if m.Upgraded != nil {
					up = strconv.FormatBool(*m.Upgraded)
				}
				fmt.Fprintf(out, withUpgrade, optEpoch(m.Epoch), cur, optEpoch(g.TargetEpoch), tgt, up)
			} else {
				fmt.Fprintf(out, withoutUpgrade, optEpoch(m.Epoch), cur, optEpoch(g.TargetEpoch), tgt)
			}
		}
		fmt.Fprintln(out)
	}
}

func (s *groupService) printState(g groupDescription) {
	if !s.shouldPrint(g, 1) {
		return
	}
	out := s.cmd.OutOrStdout()
	coordinator := fmt.Sprintf("%s:%d  (%d)", g.Coordinator.Host, g.Coordinator.Port, g.Coordinator.NodeID)
	cw, gw := max(25, len(coordinator)), max(15, len(g.Group))
	assignor := g.Assignor
	if assignor == "" {
		assignor = missingColumn
	}
	pad := func(w int) string { return "%-" + strconv.Itoa(w) + "s" }
	if s.o.verbose {
		format := "\n" + pad(gw) + " " + pad(cw) + " %-20s %-20s %-15s %-25s %s"
		fmt.Fprintf(out, format, "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "GROUP-EPOCH", "TARGET-ASSIGNMENT-EPOCH", "#MEMBERS")
		fmt.Fprintf(out, format, g.Group, coordinator, assignor, g.State, optEpoch(g.GroupEpoch), optEpoch(g.TargetEpoch), strconv.Itoa(len(g.Members)))
	} else {
		format := "\n" + pad(gw) + " " + pad(cw) + " %-20s %-20s %s"
		fmt.Fprintf(out, format, "GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS")
		fmt.Fprintf(out, format, g.Group, coordinator, assignor, g.State, strconv.Itoa(len(g.Members)))
	}
	fmt.Fprintln(out)
}
