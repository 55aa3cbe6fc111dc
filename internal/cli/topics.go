package cli

// kafka-topics: create, list, describe, alter (partitions) and delete topics,
// with the flags and output of Kafka's TopicCommand.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(newTopicsCmd)
	registerAlias("kafka-topics", "topics")
}

type topicsOpts struct {
	bootstrap, commandConfig string
	list, create, del, alter bool
	describe                 bool
	topic, topicID           string
	configs                  []string
	deleteConfigs            []string
	partitions, rf           int
	replicaAssignment        string
	underReplicated          bool
	unavailable              bool
	underMinISR, atMinISR    bool
	withOverrides            bool
	ifExists, ifNotExists    bool
	excludeInternal          bool
	partitionLimit           int
}

func newTopicsCmd() *cobra.Command {
	o := &topicsOpts{}
	cmd := &cobra.Command{
		Use:   "topics",
		Short: "Create, delete, describe, or change a topic (kafka-topics)",
	}
	f := cmd.Flags()
	f.StringVar(&o.bootstrap, "bootstrap-server", "", "REQUIRED: The Kafka server to connect to.")
	f.StringVar(&o.commandConfig, "command-config", "", "Property file containing configs to be passed to Admin Client.")
	f.BoolVar(&o.list, "list", false, "List all available topics.")
	f.BoolVar(&o.create, "create", false, "Create a new topic.")
	f.BoolVar(&o.del, "delete", false, "Delete a topic.")
	f.BoolVar(&o.alter, "alter", false, "Alter the number of partitions and replica assignment. (To alter topic configurations, the kafka-configs tool can be used.)")
	f.BoolVar(&o.describe, "describe", false, "List details for the given topics.")
	f.StringVar(&o.topic, "topic", "", "The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option.")
	f.StringVar(&o.topicID, "topic-id", "", "The topic-id to describe.")
	f.StringArrayVar(&o.configs, "config", nil, "A topic configuration override (name=value) for the topic being created; repeatable.")
	f.StringArrayVar(&o.deleteConfigs, "delete-config", nil, "This option is no longer supported and has been deprecated since 4.0.")
	f.IntVar(&o.partitions, "partitions", 0, "The number of partitions for the topic being created or altered. If not supplied with --create, the topic uses the cluster default.")
	f.IntVar(&o.rf, "replication-factor", 0, "The replication factor for each partition in the topic being created. If not supplied, the topic uses the cluster default.")
	f.StringVar(&o.replicaAssignment, "replica-assignment", "", "A list of manual partition-to-broker assignments: b1:b2,b3:b4,...")
	f.BoolVar(&o.underReplicated, "under-replicated-partitions", false, "If set when describing topics, only show under-replicated partitions.")
	f.BoolVar(&o.unavailable, "unavailable-partitions", false, "If set when describing topics, only show partitions whose leader is not available.")
	f.BoolVar(&o.underMinISR, "under-min-isr-partitions", false, "If set when describing topics, only show partitions whose isr count is less than the configured minimum.")
	f.BoolVar(&o.atMinISR, "at-min-isr-partitions", false, "If set when describing topics, only show partitions whose isr count is equal to the configured minimum.")
	f.BoolVar(&o.withOverrides, "topics-with-overrides", false, "If set when describing topics, only show topics that have overridden configs.")
	f.BoolVar(&o.ifExists, "if-exists", false, "If set when altering or deleting or describing topics, the action will only execute if the topic exists.")
	f.BoolVar(&o.ifNotExists, "if-not-exists", false, "If set when creating topics, the create request will not fail if the topic already exists.")
	f.BoolVar(&o.excludeInternal, "exclude-internal", false, "Exclude internal topics when listing or describing topics.")
	f.IntVar(&o.partitionLimit, "partition-size-limit-per-response", 2000, "The maximum partition size to be included in one DescribeTopicPartitions response.")
	return kafkaTool(cmd, func(cmd *cobra.Command) error { return runTopics(cmd, o) })
}

func (o *topicsOpts) validate(cmd *cobra.Command) error {
	set := func(name string) bool { return cmd.Flags().Changed(name) }
	actions := 0
	for _, a := range []string{"create", "list", "alter", "describe", "delete"} {
		if set(a) {
			actions++
		}
	}
	if actions != 1 {
		return errors.New("command must include exactly one action: --list, --describe, --create, --alter or --delete")
	}
	if set("delete-config") {
		fmt.Fprintln(cmd.ErrOrStderr(), "delete-config option is no longer supported and deprecated since version 4.0. The config will be fully removed in future releases.")
	}
	if o.bootstrap == "" {
		return errors.New("--bootstrap-server must be specified")
	}
	if o.describe && o.ifExists && !set("topic") && !set("topic-id") {
		return errors.New("--topic or --topic-id is required to describe a topic")
	}
	if !o.list && !o.describe && !set("topic") {
		return errors.New(`missing required argument "[topic]"`)
	}
	if o.alter {
		if set("config") {
			return errors.New(`option "[config]" can't be used with option "[alter]" (To alter topic configurations, the kafka-configs tool can be used.)`)
		}
		if !set("partitions") {
			return errors.New(`missing required argument "[partitions]"`)
		}
	}
	// Options that only make sense with some actions, as TopicCommand checks.
	only := []struct {
		flag    string
		actions []string
	}{
		{"config", []string{"create", "alter"}},
		{"partitions", []string{"create", "alter"}},
		{"replication-factor", []string{"create"}},
		{"replica-assignment", []string{"create", "alter"}},
		{"under-replicated-partitions", []string{"describe"}},
		{"under-min-isr-partitions", []string{"describe"}},
		{"at-min-isr-partitions", []string{"describe"}},
		{"unavailable-partitions", []string{"describe"}},
		{"topics-with-overrides", []string{"describe"}},
		{"if-exists", []string{"alter", "delete", "describe"}},
		{"if-not-exists", []string{"create"}},
		{"exclude-internal", []string{"list", "describe"}},
	}
	for _, c := range only {
		if !set(c.flag) {
			continue
		}
		ok := false
		for _, a := range c.actions {
			ok = ok || set(a)
		}
		if !ok {
			return fmt.Errorf("option \"[%s]\" can only be used with --%s", c.flag, strings.Join(c.actions, " or --"))
		}
	}
	if o.create && set("replica-assignment") && (set("partitions") || set("replication-factor")) {
		return errors.New(`option "[replica-assignment]" can't be used with option "[partitions]" or "[replication-factor]"`)
	}
	reports := 0
	for _, r := range []string{"under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions", "unavailable-partitions"} {
		if set(r) {
			reports++
		}
	}
	if reports > 1 {
		return errors.New("only one of --under-replicated-partitions, --under-min-isr-partitions, --at-min-isr-partitions, --unavailable-partitions may be given")
	}
	if reports > 0 && o.withOverrides {
		return errors.New(`option "[topics-with-overrides]" can't be used with partition report options`)
	}
	return nil
}

func runTopics(cmd *cobra.Command, o *topicsOpts) error {
	if err := o.validate(cmd); err != nil {
		return err
	}
	cl, adm, err := newAdmin(cmd, o.bootstrap, o.commandConfig)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(cmdContext(cmd), adminTimeout)
	defer cancel()
	out := cmd.OutOrStdout()
	switch {
	case o.create:
		return createTopic(ctx, cmd, cl, o)
	case o.list:
		topics, err := listTopicNames(ctx, adm, o.topic, o.excludeInternal)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, strings.Join(topics, "\n"))
		return nil
	case o.alter:
		return alterTopicPartitions(ctx, cmd, cl, adm, o)
	case o.describe:
		return describeTopics(ctx, cmd, cl, adm, o)
	default:
		return deleteTopics(ctx, adm, o)
	}
}

// internalTopics are the topics Kafka's Topic.isInternal recognises.
var internalTopics = map[string]bool{
	"__consumer_offsets":  true,
	"__transaction_state": true,
	"__share_group_state": true,
}

// topicIncludeList compiles Kafka's IncludeList topic filter: a Java regex
// where ',' also separates alternatives, matched against the whole name.
func topicIncludeList(expr string) (*regexp.Regexp, error) {
	e := strings.TrimSpace(expr)
	e = strings.ReplaceAll(strings.ReplaceAll(e, ",", "|"), " ", "")
	e = strings.Trim(e, `"'`)
	re, err := regexp.Compile("^(?:" + e + ")$")
	if err != nil {
		return nil, fmt.Errorf("invalid topic regular expression %q: %w", expr, err)
	}
	return re, nil
}

// listTopicNames lists topics (sorted), optionally filtered by the --topic
// include list and without internal topics.
func listTopicNames(ctx context.Context, adm *kadm.Client, include string, excludeInternal bool) ([]string, error) {
	var re *regexp.Regexp
	if include != "" {
		var err error
		if re, err = topicIncludeList(include); err != nil {
			return nil, err
		}
	}
	details, err := adm.ListTopicsWithInternal(ctx)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	var names []string
	for name := range details {
		if excludeInternal && internalTopics[name] {
			continue
		}
		if re != nil && !re.MatchString(name) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

func ensureTopicsExist(found []string, requested string, ifExists bool) error {
	if requested != "" && !ifExists && len(found) == 0 {
		return fmt.Errorf("topic '%s' does not exist as expected", requested)
	}
	return nil
}

func parseTopicConfigs(kvs []string) (map[string]string, error) {
	cfg := map[string]string{}
	eq := regexp.MustCompile(`\s*=\s*`)
	for _, kv := range kvs {
		parts := eq.Split(kv, -1)
		if len(parts) != 2 {
			return nil, fmt.Errorf("invalid topic config %q: all configs to be added must be in the format \"key=val\"", kv)
		}
		cfg[strings.TrimSpace(parts[0])] = strings.TrimSpace(parts[1])
	}
	return cfg, nil
}

// parseReplicaAssignment parses "1:2,2:3" into one broker list per partition.
func parseReplicaAssignment(s string) ([][]int32, error) {
	var out [][]int32
	for i, part := range strings.Split(s, ",") {
		seen := map[int32]bool{}
		var brokers []int32
		for _, b := range strings.Split(part, ":") {
			id, err := strconv.ParseInt(strings.TrimSpace(b), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("invalid --replica-assignment %q: %q is not a broker id", s, b)
			}
			if seen[int32(id)] {
				return nil, fmt.Errorf("partition replica lists may not contain duplicate entries: %d", id)
			}
			seen[int32(id)] = true
			brokers = append(brokers, int32(id))
		}
		if len(out) > 0 && len(brokers) != len(out[0]) {
			return nil, fmt.Errorf("partition %d has different replication factor: %v", i, brokers)
		}
		out = append(out, brokers)
	}
	return out, nil
}

func createTopic(ctx context.Context, cmd *cobra.Command, cl *kgo.Client, o *topicsOpts) error {
	set := cmd.Flags().Changed
	out := cmd.OutOrStdout()
	if strings.Contains(o.topic, ".") || strings.Contains(o.topic, "_") {
		fmt.Fprintln(out, "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.")
	}
	if set("replication-factor") && (o.rf < 1 || o.rf > 32767) {
		return errors.New("the replication factor must be between 1 and 32767 inclusive")
	}
	if set("partitions") && o.partitions < 1 {
		return errors.New("the partitions must be greater than 0")
	}
	cfg, err := parseTopicConfigs(o.configs)
	if err != nil {
		return err
	}
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = o.topic
	t.NumPartitions, t.ReplicationFactor = -1, -1
	if set("partitions") {
		t.NumPartitions = int32(o.partitions)
	}
	if set("replication-factor") {
		t.ReplicationFactor = int16(o.rf)
	}
	if o.replicaAssignment != "" {
		assignment, err := parseReplicaAssignment(o.replicaAssignment)
		if err != nil {
			return err
		}
		t.NumPartitions, t.ReplicationFactor = -1, -1
		for p, replicas := range assignment {
			a := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
			a.Partition = int32(p)
			a.Replicas = replicas
			t.ReplicaAssignment = append(t.ReplicaAssignment, a)
		}
	}
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := kmsg.NewCreateTopicsRequestTopicConfig()
		c.Name = k
		c.Value = kmsg.StringPtr(cfg[k])
		t.Configs = append(t.Configs, c)
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = int32(adminTimeout.Milliseconds())
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("create topic %s: %w", o.topic, err)
	}
	for _, rt := range resp.Topics {
		err := brokerError(rt.ErrorCode, rt.ErrorMessage)
		if errors.Is(err, kerr.TopicAlreadyExists) && o.ifNotExists {
			return nil
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "Created topic %s.\n", o.topic)
	return nil
}

func alterTopicPartitions(ctx context.Context, cmd *cobra.Command, cl *kgo.Client, adm *kadm.Client, o *topicsOpts) error {
	topics, err := listTopicNames(ctx, adm, o.topic, o.excludeInternal)
	if err != nil {
		return err
	}
	if err := ensureTopicsExist(topics, o.topic, o.ifExists); err != nil {
		return err
	}
	if len(topics) == 0 {
		return nil
	}
	var assignment [][]int32
	if o.replicaAssignment != "" {
		if assignment, err = parseReplicaAssignment(o.replicaAssignment); err != nil {
			return err
		}
	}
	current := map[string]int{}
	if assignment != nil {
		md, err := adm.Metadata(ctx, topics...)
		if err != nil {
			return fmt.Errorf("describe topics: %w", err)
		}
		for _, td := range md.Topics {
			current[td.Topic] = len(td.Partitions)
		}
	}
	req := kmsg.NewPtrCreatePartitionsRequest()
	req.TimeoutMillis = int32(adminTimeout.Milliseconds())
	for _, name := range topics {
		t := kmsg.NewCreatePartitionsRequestTopic()
		t.Topic = name
		t.Count = int32(o.partitions)
		if assignment != nil {
			// Like Kafka, the assignment lists every partition; only the new ones are sent.
			for p := current[name]; p < len(assignment); p++ {
				a := kmsg.NewCreatePartitionsRequestTopicAssignment()
				a.Replicas = assignment[p]
				t.Assignment = append(t.Assignment, a)
			}
		}
		req.Topics = append(req.Topics, t)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("create partitions: %w", err)
	}
	for _, rt := range resp.Topics {
		if err := brokerError(rt.ErrorCode, rt.ErrorMessage); err != nil {
			return fmt.Errorf("topic %s: %w", rt.Topic, err)
		}
	}
	return nil
}

func deleteTopics(ctx context.Context, adm *kadm.Client, o *topicsOpts) error {
	topics, err := listTopicNames(ctx, adm, o.topic, o.excludeInternal)
	if err != nil {
		return err
	}
	if err := ensureTopicsExist(topics, o.topic, o.ifExists); err != nil {
		return err
	}
	if len(topics) == 0 {
		return nil
	}
	resps, err := adm.DeleteTopics(ctx, topics...)
	if err != nil {
		return fmt.Errorf("delete topics: %w", err)
	}
	for _, name := range topics {
		r := resps[name]
		if r.Err != nil {
			return fmt.Errorf("topic %s: %w", name, brokerErrorFrom(r.Err, r.ErrMessage))
		}
	}
	return nil
}

// brokerErrorFrom wraps a kadm per-item error with the broker's message.
func brokerErrorFrom(err error, msg string) error {
	if msg == "" {
		return err
	}
	return &kafkaError{err: err, msg: msg}
}

// topicPartitionInfo is one partition as kafka-topics --describe shows it.
type topicPartitionInfo struct {
	partition     int32
	leader        int32
	replicas, isr []int32
	elr, lastELR  []int32
	hasELR        bool // false when the broker cannot report ELR (printed "N/A")
}

type topicInfo struct {
	name       string
	id         [16]byte
	partitions []topicPartitionInfo
}

func describeTopics(ctx context.Context, cmd *cobra.Command, cl *kgo.Client, adm *kadm.Client, o *topicsOpts) error {
	var names []string
	useID := false
	var wantID [16]byte
	if o.topicID != "" {
		id, err := parseUUID(o.topicID)
		if err != nil {
			return err
		}
		useID = id != [16]byte{}
		wantID = id
	}
	if useID {
		if cmd.Flags().Changed("topic") {
			fmt.Fprintln(cmd.OutOrStdout(), "Only topic id will be used when both --topic and --topic-id are specified and topicId is not Uuid.ZERO_UUID")
		}
		details, err := adm.ListTopicsWithInternal(ctx)
		if err != nil {
			return fmt.Errorf("list topics: %w", err)
		}
		for name, d := range details {
			if [16]byte(d.ID) == wantID && !(o.excludeInternal && internalTopics[name]) {
				names = append(names, name)
			}
		}
		if len(names) == 0 && !o.ifExists {
			return fmt.Errorf("topicId '%s' does not exist as expected", o.topicID)
		}
	} else {
		var err error
		if names, err = listTopicNames(ctx, adm, o.topic, o.excludeInternal); err != nil {
			return err
		}
		if err := ensureTopicsExist(names, o.topic, o.ifExists); err != nil {
			return err
		}
	}
	if len(names) == 0 {
		return nil
	}
	infos, err := describeTopicPartitions(ctx, cl, adm, names, o.partitionLimit)
	if err != nil {
		return err
	}
	configs, err := adm.DescribeTopicConfigs(ctx, names...)
	if err != nil {
		return fmt.Errorf("describe topic configs: %w", err)
	}
	brokers, err := adm.ListBrokers(ctx)
	if err != nil {
		return fmt.Errorf("describe cluster: %w", err)
	}
	live := map[int32]bool{}
	for _, b := range brokers {
		live[b.NodeID] = true
	}
	reassignments := listReassignments(ctx, adm, infos)
	for _, ti := range infos {
		rc, err := configs.On(ti.name, nil)
		if err != nil {
			return fmt.Errorf("describe configs of topic %s: %w", ti.name, err)
		}
		if rc.Err != nil {
			return fmt.Errorf("topic %s: %w", ti.name, brokerErrorFrom(rc.Err, rc.ErrMessage))
		}
		printTopicDescription(cmd.OutOrStdout(), o, ti, rc.Configs, live, reassignments[ti.name])
	}
	return nil
}

// describeTopicPartitions prefers DescribeTopicPartitions (which reports
// ELR) and falls back to Metadata for brokers without it.
func describeTopicPartitions(ctx context.Context, cl *kgo.Client, adm *kadm.Client, names []string, limit int) ([]topicInfo, error) {
	infos, err := describeTopicPartitionsAPI(ctx, cl, names, limit)
	if err == nil {
		return infos, nil
	}
	var ke *kafkaError
	if errors.As(err, &ke) {
		return nil, err // a per-topic broker error, not a missing API
	}
	md, err := adm.Metadata(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("describe topics: %w", err)
	}
	infos = infos[:0]
	for _, name := range names {
		td, ok := md.Topics[name]
		if !ok {
			return nil, fmt.Errorf("topic '%s' does not exist as expected", name)
		}
		if td.Err != nil {
			return nil, fmt.Errorf("describe topic %s: %w", name, td.Err)
		}
		ti := topicInfo{name: name, id: td.ID}
		for _, pd := range td.Partitions.Sorted() {
			ti.partitions = append(ti.partitions, topicPartitionInfo{
				partition: pd.Partition, leader: pd.Leader, replicas: pd.Replicas, isr: pd.ISR,
			})
		}
		infos = append(infos, ti)
	}
	return infos, nil
}

func describeTopicPartitionsAPI(ctx context.Context, cl *kgo.Client, names []string, limit int) ([]topicInfo, error) {
	byName := map[string]*topicInfo{}
	var order []string
	req := kmsg.NewPtrDescribeTopicPartitionsRequest()
	if limit > 0 {
		req.ResponsePartitionLimit = int32(limit)
	}
	for _, n := range names {
		t := kmsg.NewDescribeTopicPartitionsRequestTopic()
		t.Topic = n
		req.Topics = append(req.Topics, t)
	}
	for {
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return nil, err
		}
		for _, rt := range resp.Topics {
			name := ""
			if rt.Topic != nil {
				name = *rt.Topic
			}
			if err := brokerError(rt.ErrorCode, nil); err != nil {
				return nil, &kafkaError{err: err, msg: fmt.Sprintf("describe topic %s: %v", name, err)}
			}
			ti := byName[name]
			if ti == nil {
				ti = &topicInfo{name: name, id: rt.TopicID}
				byName[name] = ti
				order = append(order, name)
			}
			for _, p := range rt.Partitions {
				ti.partitions = append(ti.partitions, topicPartitionInfo{
					partition: p.Partition, leader: p.LeaderID, replicas: p.Replicas, isr: p.ISR,
					elr: p.EligibleLeaderReplicas, lastELR: p.LastKnownELR, hasELR: true,
				})
			}
		}
		if resp.NextCursor == nil {
			break
		}
		c := kmsg.NewDescribeTopicPartitionsRequestCursor()
		c.Topic, c.Partition = resp.NextCursor.Topic, resp.NextCursor.Partition
		req.Cursor = &c
	}
	sort.Strings(order)
	infos := make([]topicInfo, 0, len(order))
	for _, n := range order {
		ti := byName[n]
		sort.Slice(ti.partitions, func(i, j int) bool { return ti.partitions[i].partition < ti.partitions[j].partition })
		infos = append(infos, *ti)
	}
	return infos, nil
}

// listReassignments returns in-progress reassignments; brokers that cannot
// report them are treated as having none, as Kafka's tool does.
func listReassignments(ctx context.Context, adm *kadm.Client, infos []topicInfo) map[string]map[int32]kadm.ListPartitionReassignmentsResponse {
	set := kadm.TopicsSet{}
	for _, ti := range infos {
		for _, p := range ti.partitions {
			set.Add(ti.name, p.partition)
		}
	}
	resps, err := adm.ListPartitionReassignments(ctx, set)
	if err != nil {
		return nil
	}
	return resps
}

func joinIDs(ids []int32) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return strings.Join(s, ",")
}

func printTopicDescription(out io.Writer, o *topicsOpts, ti topicInfo, configs []kadm.Config,
	live map[int32]bool, reassign map[int32]kadm.ListPartitionReassignmentsResponse) {
	reportsOnly := o.underReplicated || o.unavailable || o.underMinISR || o.atMinISR
	minISR := 1
	var overrides []string
	sort.Slice(configs, func(i, j int) bool { return configs[i].Key < configs[j].Key })
	for _, c := range configs {
		if c.Key == "min.insync.replicas" && c.Value != nil {
			if n, err := strconv.Atoi(*c.Value); err == nil {
				minISR = n
			}
		}
		if c.Source != kmsg.ConfigSourceDefaultConfig {
			v := "null"
			if c.Value != nil {
				v = *c.Value
			}
			overrides = append(overrides, c.Key+"="+v)
		}
	}
	replicationFactor := func(p topicPartitionInfo) int {
		if r, ok := reassign[p.partition]; ok && inReassignment(p, r) {
			return len(r.Replicas) - len(r.AddingReplicas)
		}
		return len(p.replicas)
	}
	if !reportsOnly && len(ti.partitions) > 0 && (!o.withOverrides || len(overrides) > 0) {
		fmt.Fprintf(out, "Topic: %s", ti.name)
		if ti.id != [16]byte{} {
			fmt.Fprintf(out, "\tTopicId: %s", formatUUID(ti.id))
		}
		fmt.Fprintf(out, "\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s\n",
			len(ti.partitions), replicationFactor(ti.partitions[0]), strings.Join(overrides, ","))
	}
	if o.withOverrides {
		return
	}
	for _, p := range ti.partitions {
		hasLeader := p.leader >= 0
		show := !reportsOnly ||
			(o.underReplicated && replicationFactor(p)-len(p.isr) > 0) ||
			(o.unavailable && (!hasLeader || !live[p.leader])) ||
			(o.underMinISR && (!hasLeader || len(p.isr) < minISR)) ||
			(o.atMinISR && len(p.isr) == minISR)
		if !show {
			continue
		}
		leader := "none"
		if hasLeader {
			leader = strconv.Itoa(int(p.leader))
		}
		fmt.Fprintf(out, "\tTopic: %s\tPartition: %d\tLeader: %s\tReplicas: %s\tIsr: %s",
			ti.name, p.partition, leader, joinIDs(p.replicas), joinIDs(p.isr))
		if r, ok := reassign[p.partition]; ok {
			fmt.Fprintf(out, "\tAdding Replicas: %s\tRemoving Replicas: %s", joinIDs(r.AddingReplicas), joinIDs(r.RemovingReplicas))
		}
		if p.hasELR {
			fmt.Fprintf(out, "\tElr: %s\tLastKnownElr: %s\n", joinIDs(p.elr), joinIDs(p.lastELR))
		} else {
			fmt.Fprint(out, "\tElr: N/A\tLastKnownElr: N/A\n")
		}
	}
}

func inReassignment(p topicPartitionInfo, r kadm.ListPartitionReassignmentsResponse) bool {
	changing := map[int32]bool{}
	for _, id := range r.AddingReplicas {
		changing[id] = true
	}
	for _, id := range r.RemovingReplicas {
		changing[id] = true
	}
	for _, id := range p.replicas {
		if changing[id] {
			return true
		}
	}
	return false
}
