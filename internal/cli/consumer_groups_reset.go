package cli

// consumer-groups --reset-offsets: plan new committed offsets for inactive
// groups from one of Kafka's reset scenarios, print or export the plan, and
// commit it with --execute.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/odradek/odradek/internal/kafkatime"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// topicPartition is a partition of a topic, printed as Kafka's TopicPartition.
type topicPartition struct {
	Topic     string
	Partition int32
}

func (tp topicPartition) String() string { return tp.Topic + "-" + strconv.Itoa(int(tp.Partition)) }

// resetPlan maps group to partition to new offset.
type resetPlan map[string]map[topicPartition]int64

func sortedPartitions[V any](m map[topicPartition]V) []topicPartition {
	out := make([]topicPartition, 0, len(m))
	for tp := range m {
		out = append(out, tp)
	}
	sortTPs(out)
	return out
}

func sortTPs(tps []topicPartition) {
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].Topic != tps[j].Topic {
			return tps[i].Topic < tps[j].Topic
		}
		return tps[i].Partition < tps[j].Partition
	})
}

// parseTopicWithPartitions parses --topic's "topic:0,1,2" form.
func parseTopicWithPartitions(arg string) ([]topicPartition, error) {
	parts := strings.Split(arg, ":")
	if len(parts) != 2 || parts[1] == "" {
		return nil, fmt.Errorf("Invalid topic arg '%s', expected topic name and partitions", arg)
	}
	var out []topicPartition
	for _, p := range strings.Split(parts[1], ",") {
		n, err := strconv.ParseInt(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("Invalid partition '%s' specified in topic arg '%s''", p, arg)
		}
		out = append(out, topicPartition{parts[0], int32(n)})
	}
	return out, nil
}

// parseResetFile reads a reset plan exported with --export: lines of
// "topic,partition,offset" when one --group is given, otherwise
// "group,topic,partition,offset".
func parseResetFile(text string, groups []string) (resetPlan, error) {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	plan := resetPlan{}
	noGroup := len(groups) == 1 && len(lines) > 0 && isNoGroupLine(lines[0])
	for i, l := range lines {
		f := strings.Split(l, ",")
		group := ""
		if noGroup {
			group = groups[0]
		} else {
			if len(f) != 4 {
				return nil, fmt.Errorf("line %d %q: expected group,topic,partition,offset", i+1, l)
			}
			group, f = f[0], f[1:]
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d %q: expected topic,partition,offset", i+1, l)
		}
		p, err := strconv.ParseInt(f[1], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: invalid partition %q", i+1, l, f[1])
		}
		off, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: invalid offset %q", i+1, l, f[2])
		}
		if plan[group] == nil {
			plan[group] = map[topicPartition]int64{}
		}
		plan[group][topicPartition{f[0], int32(p)}] = off
	}
	return plan, nil
}

func isNoGroupLine(l string) bool {
	f := strings.Split(l, ",")
	if len(f) != 3 {
		return false
	}
	_, e1 := strconv.ParseInt(f[1], 10, 32)
	_, e2 := strconv.ParseInt(f[2], 10, 64)
	return e1 == nil && e2 == nil
}

// groupNotFoundError is a describe of a group that does not exist.
type groupNotFoundError struct{ group string }

func (e *groupNotFoundError) Error() string { return fmt.Sprintf("Group %s not found.", e.group) }

func (s *groupService) resetOffsets() error {
	ids, err := s.groupIDs()
	if err != nil {
		return err
	}
	var filePlan resetPlan
	if s.o.fromFile != "" {
		text, err := os.ReadFile(s.o.fromFile)
		if err != nil {
			return fmt.Errorf("read reset plan: %w", err)
		}
		if filePlan, err = parseResetFile(string(text), s.o.groups); err != nil {
			return fmt.Errorf("reset plan %s: %w", s.o.fromFile, err)
		}
	}
	plan := resetPlan{}
	for _, id := range ids {
		state := "Dead"
		groups, err := s.describeConsumerGroups([]string{id})
		var nf *groupNotFoundError
		switch {
		case errors.As(err, &nf):
		case err != nil:
			return err
		default:
			state = groups[id].State
		}
		if state != "Empty" && state != "Dead" {
			s.printError(fmt.Sprintf("Assignments can only be reset if the group '%s' is inactive, but the current state is %s.", id, state))
			plan[id] = map[topicPartition]int64{}
			continue
		}
		offsets, err := s.resetInactiveGroup(id, filePlan)
		if err != nil {
			return err
		}
		plan[id] = offsets
	}
	s.printPlan(plan)
	return s.result()
}

func (s *groupService) resetInactiveGroup(group string, filePlan resetPlan) (map[topicPartition]int64, error) {
	committed, err := s.committedOffsets(group)
	if err != nil {
		return nil, err
	}
	var tps []topicPartition
	switch {
	case s.o.allTopics:
		tps = sortedPartitions(committed)
	case len(s.o.topics) > 0:
		if tps, err = s.partitionsOfTopicArgs(s.o.topics); err != nil {
			return nil, err
		}
	}
	if err := s.checkPartitionsValid(tps); err != nil {
		return nil, err
	}
	var offsets map[topicPartition]int64
	set := s.cmd.Flags().Changed
	switch {
	case set("to-offset"):
		offsets, err = s.clampOffsets(constOffsets(tps, s.o.toOffset))
	case s.o.toEarliest:
		offsets, err = s.logOffsets(tps, "starting", s.adm.ListStartOffsets)
	case s.o.toLatest:
		offsets, err = s.logOffsets(tps, "ending", s.adm.ListEndOffsets)
	case set("shift-by"):
		want := map[topicPartition]int64{}
		for _, tp := range tps {
			cur, ok := committed[tp]
			if !ok {
				return nil, fmt.Errorf("Cannot shift offset for partition %s since there is no current committed offset", tp)
			}
			want[tp] = cur + s.o.shiftBy
		}
		offsets, err = s.clampOffsets(want)
	case s.o.toDatetime != "":
		var ts int64
		if ts, err = kafkatime.ParseDateTime(s.o.toDatetime); err == nil {
			offsets, err = s.offsetsForTimestamp(tps, ts)
		}
	case s.o.byDuration != "":
		var d time.Duration
		if d, err = kafkatime.ParseDuration(s.o.byDuration); err == nil {
			offsets, err = s.offsetsForTimestamp(tps, s.now().Add(-d).UnixMilli())
		}
	case s.o.fromFile != "":
		forGroup, ok := filePlan[group]
		if !ok {
			s.printError(fmt.Sprintf("No reset plan for group %s found.", group))
			return map[topicPartition]int64{}, nil
		}
		if err = s.checkPartitionsValid(sortedPartitions(forGroup)); err == nil {
			offsets, err = s.clampOffsets(forGroup)
		}
	case s.o.toCurrent:
		offsets = map[topicPartition]int64{}
		var missing []topicPartition
		for _, tp := range tps {
			if cur, ok := committed[tp]; ok {
				offsets[tp] = cur
			} else {
				missing = append(missing, tp)
			}
		}
		var ends map[topicPartition]int64
		if ends, err = s.logOffsets(missing, "ending", s.adm.ListEndOffsets); err == nil {
			for tp, o := range ends {
				offsets[tp] = o
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if s.o.execute {
		if err := s.commit(group, offsets); err != nil {
			return nil, err
		}
	}
	return offsets, nil
}

func constOffsets(tps []topicPartition, off int64) map[topicPartition]int64 {
	out := map[topicPartition]int64{}
	for _, tp := range tps {
		out[tp] = off
	}
	return out
}

func (s *groupService) committedOffsets(group string) (map[topicPartition]int64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.adm.FetchOffsets(ctx, group)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("fetch committed offsets of group %s: %w", group, err)
	}
	out := map[topicPartition]int64{}
	for _, o := range resp.Sorted() {
		if o.At >= 0 {
			out[topicPartition{o.Topic, o.Partition}] = o.At
		}
	}
	return out, nil
}

// partitionsOfTopicArgs expands --topic arguments: "t:0,1" names partitions,
// a bare topic means all of its partitions.
func (s *groupService) partitionsOfTopicArgs(args []string) ([]topicPartition, error) {
	var out []topicPartition
	var whole []string
	for _, a := range args {
		if strings.Contains(a, ":") {
			tps, err := parseTopicWithPartitions(a)
			if err != nil {
				return nil, err
			}
			out = append(out, tps...)
		} else {
			whole = append(whole, a)
		}
	}
	if len(whole) == 0 {
		return out, nil
	}
	topics, err := s.topicMetadata(whole)
	if err != nil {
		return nil, err
	}
	for _, t := range whole {
		d := topics[t]
		if d.Err != nil {
			return nil, &kafkaError{err: d.Err, msg: fmt.Sprintf("topic %s: %s", t, errorDescription(d.Err))}
		}
		for _, p := range d.Partitions.Sorted() {
			out = append(out, topicPartition{t, p.Partition})
		}
	}
	return out, nil
}

func (s *groupService) topicMetadata(topics []string) (kadm.TopicDetails, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	md, err := s.adm.Metadata(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("describe topics: %w", err)
	}
	for _, t := range topics {
		if _, ok := md.Topics[t]; !ok {
			md.Topics[t] = kadm.TopicDetail{Topic: t, Err: kerr.UnknownTopicOrPartition}
		}
	}
	return md.Topics, nil
}

// checkPartitionsValid refuses partitions that do not exist or have no leader,
// with Kafka's messages.
func (s *groupService) checkPartitionsValid(tps []topicPartition) error {
	if len(tps) == 0 {
		return nil
	}
	topics := map[string]bool{}
	for _, tp := range tps {
		topics[tp.Topic] = true
	}
	md, err := s.topicMetadata(keysOfBool(topics))
	if err != nil {
		return err
	}
	var missing, leaderless []string
	for _, tp := range tps {
		p, ok := md[tp.Topic].Partitions[tp.Partition]
		switch {
		case md[tp.Topic].Err != nil || !ok:
			missing = append(missing, tp.String())
		case p.Leader < 0:
			leaderless = append(leaderless, tp.String())
		}
	}
	if len(missing) > 0 {
		return &kafkaError{err: kerr.UnknownTopicOrPartition, msg: fmt.Sprintf("The partitions \"%s\" do not exist", strings.Join(missing, ","))}
	}
	if len(leaderless) > 0 {
		return &kafkaError{err: kerr.LeaderNotAvailable, msg: fmt.Sprintf("The partitions \"%s\" have no leader", strings.Join(leaderless, ","))}
	}
	return nil
}

type listOffsetsFunc func(ctx context.Context, topics ...string) (kadm.ListedOffsets, error)

// logOffsets lists the start or end offset of every partition.
func (s *groupService) logOffsets(tps []topicPartition, what string, list listOffsetsFunc) (map[topicPartition]int64, error) {
	out := map[topicPartition]int64{}
	if len(tps) == 0 {
		return out, nil
	}
	listed, err := s.listForPartitions(tps, list)
	if err != nil {
		return nil, err
	}
	for _, tp := range tps {
		o, ok := listed.Lookup(tp.Topic, tp.Partition)
		if !ok || o.Err != nil || o.Offset < 0 {
			return nil, fmt.Errorf("Error getting %s offset of topic partition: %s", what, tp)
		}
		out[tp] = o.Offset
	}
	return out, nil
}

func (s *groupService) listForPartitions(tps []topicPartition, list listOffsetsFunc) (kadm.ListedOffsets, error) {
	topics := map[string]bool{}
	for _, tp := range tps {
		topics[tp.Topic] = true
	}
	ctx, cancel := s.ctx()
	defer cancel()
	listed, err := list(ctx, keysOfBool(topics)...)
	if err != nil && len(listed) == 0 {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	return listed, nil
}

// clampOffsets moves requested offsets into [log start, log end], warning
// as Kafka does.
func (s *groupService) clampOffsets(want map[topicPartition]int64) (map[topicPartition]int64, error) {
	tps := sortedPartitions(want)
	starts, err := s.logOffsets(tps, "starting", s.adm.ListStartOffsets)
	if err != nil {
		return nil, err
	}
	ends, err := s.logOffsets(tps, "ending", s.adm.ListEndOffsets)
	if err != nil {
		return nil, err
	}
	warn := s.cmd.ErrOrStderr()
	out := map[topicPartition]int64{}
	for _, tp := range tps {
		off := want[tp]
		switch {
		case off > ends[tp]:
			fmt.Fprintf(warn, "WARN New offset (%d) is higher than latest offset for topic partition %s. Value will be set to %d.\n", off, tp, ends[tp])
			off = ends[tp]
		case off < starts[tp]:
			fmt.Fprintf(warn, "WARN New offset (%d) is lower than earliest offset for topic partition %s. Value will be set to %d.\n", off, tp, starts[tp])
			off = starts[tp]
		}
		out[tp] = off
	}
	return out, nil
}

// offsetsForTimestamp finds the first offset at or after ts in every
// partition, falling back to the log end where there is none. It asks
// ListOffsets directly because Kafka warns about each such partition.
func (s *groupService) offsetsForTimestamp(tps []topicPartition, ts int64) (map[topicPartition]int64, error) {
	out := map[topicPartition]int64{}
	if len(tps) == 0 {
		return out, nil
	}
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	byTopic := map[string]int{}
	for _, tp := range tps {
		i, ok := byTopic[tp.Topic]
		if !ok {
			i = len(req.Topics)
			byTopic[tp.Topic] = i
			rt := kmsg.NewListOffsetsRequestTopic()
			rt.Topic = tp.Topic
			req.Topics = append(req.Topics, rt)
		}
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition = tp.Partition
		rp.CurrentLeaderEpoch = -1
		rp.Timestamp = ts
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := req.RequestWith(ctx, s.cl)
	if err != nil {
		return nil, fmt.Errorf("list offsets by timestamp: %w", err)
	}
	found := map[topicPartition]int64{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if p.ErrorCode == 0 {
				found[topicPartition{t.Topic, p.Partition}] = p.Offset
			}
		}
	}
	var empty []topicPartition
	for _, tp := range tps {
		o, ok := found[tp]
		switch {
		case !ok:
			return nil, fmt.Errorf("Error getting offset by timestamp of topic partition: %s", tp)
		case o < 0:
			fmt.Fprintf(s.cmd.OutOrStdout(), "\nWarn: Partition %d from topic %s is empty. Falling back to latest known offset.\n", tp.Partition, tp.Topic)
			empty = append(empty, tp)
		default:
			out[tp] = o
		}
	}
	ends, err := s.logOffsets(empty, "ending", s.adm.ListEndOffsets)
	if err != nil {
		return nil, err
	}
	for tp, o := range ends {
		out[tp] = o
	}
	return out, nil
}

func (s *groupService) commit(group string, offsets map[topicPartition]int64) error {
	if len(offsets) == 0 {
		return nil
	}
	os := kadm.Offsets{}
	for tp, o := range offsets {
		os.Add(kadm.Offset{Topic: tp.Topic, Partition: tp.Partition, At: o, LeaderEpoch: -1})
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.adm.CommitOffsets(ctx, group, os)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return fmt.Errorf("commit offsets of group %s: %w", group, err)
	}
	return nil
}

// printPlan prints the planned offsets as a table, or as CSV with --export.
func (s *groupService) printPlan(plan resetPlan) {
	out := s.cmd.OutOrStdout()
	groups := make([]string, 0, len(plan))
	for g := range plan {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	if s.o.export {
		single := len(s.o.groups) == 1
		for _, g := range groups {
			for _, tp := range sortedPartitions(plan[g]) {
				if single {
					fmt.Fprintf(out, "%s,%d,%d\n", tp.Topic, tp.Partition, plan[g][tp])
				} else {
					fmt.Fprintf(out, "%s,%s,%d,%d\n", g, tp.Topic, tp.Partition, plan[g][tp])
				}
			}
		}
		fmt.Fprintln(out)
		return
	}
	gw, tw := 15, 15
	for _, g := range groups {
		gw = max(gw, len(g))
		for tp := range plan[g] {
			tw = max(tw, len(tp.Topic))
		}
	}
	format := "\n%-" + strconv.Itoa(gw) + "s %-" + strconv.Itoa(tw) + "s %-10s %s"
	if len(groups) > 0 {
		fmt.Fprintf(out, format, "GROUP", "TOPIC", "PARTITION", "NEW-OFFSET")
	}
	for _, g := range groups {
		for _, tp := range sortedPartitions(plan[g]) {
			fmt.Fprintf(out, format, g, tp.Topic, strconv.Itoa(int(tp.Partition)), strconv.FormatInt(plan[g][tp], 10))
		}
	}
	fmt.Fprintln(out)
}
