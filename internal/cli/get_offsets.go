package cli

// kafka-get-offsets: prints "topic:partition:offset" for the partitions
// matching the filters, at the requested time, as Kafka's GetOffsetShell.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func init() {
	register(newGetOffsetsCmd)
	registerAlias("kafka-get-offsets", "get-offsets")
}

type getOffsetsOpts struct {
	bootstrap, commandConfig string
	topicPartitions          string
	topic, partitions        string
	time                     string
	excludeInternal          bool
}

func newGetOffsetsCmd() *cobra.Command {
	o := &getOffsetsOpts{}
	cmd := &cobra.Command{
		Use:   "get-offsets",
		Short: "Get topic-partition offsets (kafka-get-offsets)",
	}
	f := cmd.Flags()
	f.StringVar(&o.bootstrap, "bootstrap-server", "", "REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.")
	f.StringVar(&o.topicPartitions, "topic-partitions", "", "Comma separated list of topic-partition patterns, e.g. topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3. A pattern is a topic regex, then optionally ':' and a partition, a range N-M (upper exclusive), N- or -M.")
	f.StringVar(&o.topic, "topic", "", "The topic to get the offsets for. It also accepts a regular expression. If not present, all topics are queried. Cannot be used with --topic-partitions.")
	f.StringVar(&o.partitions, "partitions", "", "Comma separated list of partition ids. If not present, all partitions are queried. Cannot be used with --topic-partitions.")
	f.StringVar(&o.time, "time", "latest", "<timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered / -6 or earliest-pending-upload")
	f.StringVar(&o.commandConfig, "command-config", "", "Property file containing configs to be passed to Admin Client.")
	f.BoolVar(&o.excludeInternal, "exclude-internal-topics", false, "By default, internal topics are included. If specified, internal topics are excluded.")
	return kafkaTool(cmd, func(cmd *cobra.Command) error { return runGetOffsets(cmd, o) })
}

// parseOffsetTime maps --time onto a ListOffsets timestamp.
func parseOffsetTime(s string) (int64, error) {
	named := map[string]int64{
		"latest": -1, "earliest": -2, "max-timestamp": -3,
		"earliest-local": -4, "latest-tiered": -5, "earliest-pending-upload": -6,
	}
	if ts, ok := named[s]; ok {
		return ts, nil
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ts < -6 {
		return 0, fmt.Errorf("malformed time argument %s. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered / -6 or earliest-pending-upload, or a specified long format timestamp", s)
	}
	return ts, nil
}

// partitionRule is one topic-partition filter: a topic include list and a
// partition range [lo, hi).
type partitionRule struct {
	topic  *regexp.Regexp
	lo, hi int32
	set    map[int32]bool // when non-nil, only these partitions
}

func (r partitionRule) allows(topic string, p int32) bool {
	if !r.topic.MatchString(topic) {
		return false
	}
	if r.set != nil {
		return r.set[p]
	}
	return p >= r.lo && p < r.hi
}

var topicPartitionRule = regexp.MustCompile(`^([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?$`)

func parseTopicPartitionRules(spec string) ([]partitionRule, error) {
	var rules []partitionRule
	for _, r := range strings.Split(spec, ",") {
		m := topicPartitionRule.FindStringSubmatch(r)
		if m == nil {
			return nil, fmt.Errorf("invalid rule specification: %s", r)
		}
		topic := ".*"
		if m[1] != "" {
			topic = m[1]
		}
		re, err := topicIncludeList(topic)
		if err != nil {
			return nil, err
		}
		rule := partitionRule{topic: re, lo: 0, hi: math.MaxInt32}
		num := func(s string) (int32, error) {
			n, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				return 0, fmt.Errorf("invalid partition %q in rule %s", s, r)
			}
			return int32(n), nil
		}
		if m[2] != "" {
			p, err := num(m[2])
			if err != nil {
				return nil, err
			}
			rule.lo, rule.hi = p, p+1
		} else {
			if m[3] != "" {
				if rule.lo, err = num(m[3]); err != nil {
					return nil, err
				}
			}
			if m[4] != "" {
				if rule.hi, err = num(m[4]); err != nil {
					return nil, err
				}
			}
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func (o *getOffsetsOpts) rules() ([]partitionRule, error) {
	if o.topicPartitions != "" {
		return parseTopicPartitionRules(o.topicPartitions)
	}
	topic := o.topic
	if topic == "" {
		topic = ".*"
	}
	re, err := topicIncludeList(topic)
	if err != nil {
		return nil, err
	}
	rule := partitionRule{topic: re, lo: 0, hi: math.MaxInt32}
	if o.partitions != "" {
		rule.set = map[int32]bool{}
		for _, s := range strings.Split(o.partitions, ",") {
			p, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
			if err != nil {
				return nil, fmt.Errorf("--partitions expects a comma separated list of numeric partition ids, but received: %s", o.partitions)
			}
			rule.set[int32(p)] = true
		}
	}
	return []partitionRule{rule}, nil
}

func runGetOffsets(cmd *cobra.Command, o *getOffsetsOpts) error {
	if o.bootstrap == "" {
		return errors.New(`missing required argument "[bootstrap-server]"`)
	}
	if o.topicPartitions != "" && (cmd.Flags().Changed("topic") || cmd.Flags().Changed("partitions")) {
		return errors.New("--topic-partitions cannot be used with --topic or --partitions")
	}
	ts, err := parseOffsetTime(o.time)
	if err != nil {
		return err
	}
	rules, err := o.rules()
	if err != nil {
		return err
	}
	cl, adm, err := newAdmin(cmd, o.bootstrap, o.commandConfig)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(cmdContext(cmd), adminTimeout)
	defer cancel()

	partitions, err := matchPartitions(ctx, adm, rules, o.excludeInternal)
	if err != nil {
		return err
	}
	if len(partitions) == 0 {
		return errors.New("could not match any topic-partitions with the specified filters")
	}
	offsets, err := listOffsets(ctx, cl, partitions, ts, cmd)
	if err != nil {
		return err
	}
	// Kafka orders by the TopicPartition string "topic-partition".
	sort.Slice(offsets, func(i, j int) bool {
		return offsets[i].Topic+"-"+strconv.Itoa(int(offsets[i].Partition)) < offsets[j].Topic+"-"+strconv.Itoa(int(offsets[j].Partition))
	})
	out := cmd.OutOrStdout()
	for _, lo := range offsets {
		fmt.Fprintf(out, "%s:%d:%d\n", lo.Topic, lo.Partition, lo.Offset)
	}
	return nil
}

func matchPartitions(ctx context.Context, adm *kadm.Client, rules []partitionRule, excludeInternal bool) (map[string][]int32, error) {
	md, err := adm.Metadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("describe topics: %w", err)
	}
	out := map[string][]int32{}
	for name, td := range md.Topics {
		if excludeInternal && (td.IsInternal || internalTopics[name]) {
			continue
		}
		if td.Err != nil {
			continue
		}
		for _, pd := range td.Partitions {
			for _, r := range rules {
				if r.allows(name, pd.Partition) {
					out[name] = append(out[name], pd.Partition)
					break
				}
			}
		}
	}
	return out, nil
}

// listOffsets asks each partition leader for the offset at ts. Partitions
// that fail are reported and skipped, and those with no offset at that time
// (-1) are left out, as in Kafka.
func listOffsets(ctx context.Context, cl *kgo.Client, partitions map[string][]int32, ts int64, cmd *cobra.Command) ([]kadm.ListedOffset, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	for topic, ps := range partitions {
		t := kmsg.NewListOffsetsRequestTopic()
		t.Topic = topic
		for _, p := range ps {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition = p
			rp.Timestamp = ts
			rp.CurrentLeaderEpoch = -1
			t.Partitions = append(t.Partitions, rp)
		}
		req.Topics = append(req.Topics, t)
	}
	shards := cl.RequestSharded(ctx, req)
	var out []kadm.ListedOffset
	for _, shard := range shards {
		if shard.Err != nil {
			sreq := shard.Req.(*kmsg.ListOffsetsRequest)
			for _, t := range sreq.Topics {
				for _, p := range t.Partitions {
					fmt.Fprintf(cmd.ErrOrStderr(), "Skip getting offsets for topic-partition %s-%d due to error: %v\n", t.Topic, p.Partition, shard.Err)
				}
			}
			continue
		}
		resp := shard.Resp.(*kmsg.ListOffsetsResponse)
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := brokerError(p.ErrorCode, nil); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "Skip getting offsets for topic-partition %s-%d due to error: %v\n", t.Topic, p.Partition, err)
					continue
				}
				if p.Offset == -1 {
					continue
				}
				out = append(out, kadm.ListedOffset{Topic: t.Topic, Partition: p.Partition, Offset: p.Offset, Timestamp: p.Timestamp})
			}
		}
	}
	return out, nil
}
