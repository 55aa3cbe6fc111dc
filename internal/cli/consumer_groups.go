package cli

// kafka-consumer-groups: list, describe, delete consumer groups, reset and
// delete their committed offsets, with the flags and output of Kafka's
// ConsumerGroupCommand. The --lag-time column is an Odradek extension.
//
// Not done: Kafka refuses to reset the offsets of a streams group (KIP-1071)
// and points to kafka-streams-groups; Odradek has no streams groups, so that
// check is absent. Security protocols other than PLAINTEXT are refused by the
// shared client plumbing.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func init() {
	register(newConsumerGroupsCmd)
	registerAlias("kafka-consumer-groups", "consumer-groups")
}

// missingColumn is what Kafka prints for a value it does not have.
const missingColumn = "-"

type consumerGroupsOpts struct {
	bootstrap, commandConfig string
	groups, topics           []string
	allTopics, allGroups     bool
	list, describe, del      bool
	resetOffsets, delOffsets bool
	validateRegex            string
	timeoutMs                int64

	dryRun, execute, export bool
	toOffset, shiftBy       int64
	fromFile, toDatetime    string
	byDuration              string
	toEarliest, toLatest    bool
	toCurrent               bool

	members, verbose, offsets bool
	state, groupType          string
	lagTime                   bool
}

const resetOffsetsUsage = `Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive
Has 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update the offsets. Additionally, the --export option is used to export the results to a CSV format.
You must choose one of the following reset specifications: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, --to-offset.
To define the scope use --all-topics or --topic. One scope must be specified unless you use '--from-file'.`

func newConsumerGroupsCmd() *cobra.Command {
	o := &consumerGroupsOpts{}
	cmd := &cobra.Command{
		Use:   "consumer-groups",
		Short: "List, describe, delete consumer groups and reset their offsets (kafka-consumer-groups)",
		Long: "This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.\n\n" +
			"Odradek extension: --lag-time adds a LAG-TIME column to the --describe offsets view, after Kafka's columns.",
	}
	f := cmd.Flags()
	f.StringVar(&o.bootstrap, "bootstrap-server", "", "The server(s) to connect to. REQUIRED for all options except for --validate-regex.")
	f.StringVar(&o.commandConfig, "command-config", "", "Property file containing configs to be passed to Admin Client and Consumer.")
	f.StringArrayVar(&o.groups, "group", nil, "The consumer group we wish to act on.")
	f.StringArrayVar(&o.topics, "topic", nil, "The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process. "+
		"In `reset-offsets` case, partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. Reset-offsets also supports multiple topic inputs.")
	f.BoolVar(&o.allTopics, "all-topics", false, "Consider all topics assigned to a group in the `reset-offsets` process.")
	f.BoolVar(&o.list, "list", false, "List all consumer groups.")
	f.BoolVar(&o.describe, "describe", false, "Describe consumer group and list offset lag (number of messages not yet processed) related to given group.")
	f.BoolVar(&o.allGroups, "all-groups", false, "Apply to all consumer groups.")
	f.BoolVar(&o.del, "delete", false, "Pass in groups to delete topic partition offsets and ownership information over the entire consumer group. For instance --group g1 --group g2")
	f.Int64Var(&o.timeoutMs, "timeout", 30000, "The timeout that can be set for some use cases. For example, it can be used when describing the group to specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the group is just created, or is going through some changes).")
	f.BoolVar(&o.resetOffsets, "reset-offsets", false, resetOffsetsUsage)
	f.BoolVar(&o.delOffsets, "delete-offsets", false, "Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.")
	f.BoolVar(&o.dryRun, "dry-run", false, "Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.")
	f.BoolVar(&o.execute, "execute", false, "Execute operation. Supported operations: reset-offsets.")
	f.BoolVar(&o.export, "export", false, "Export operation execution to a CSV file. Supported operations: reset-offsets.")
	f.Int64Var(&o.toOffset, "to-offset", 0, "Reset offsets to a specific offset.")
	f.StringVar(&o.fromFile, "from-file", "", "Reset offsets to values defined in CSV file.")
	f.StringVar(&o.toDatetime, "to-datetime", "", "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDThh:mm:ss.sss'")
	f.StringVar(&o.byDuration, "by-duration", "", "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'")
	f.BoolVar(&o.toEarliest, "to-earliest", false, "Reset offsets to earliest offset.")
	f.BoolVar(&o.toLatest, "to-latest", false, "Reset offsets to latest offset.")
	f.BoolVar(&o.toCurrent, "to-current", false, "Reset offsets to current offset.")
	f.Int64Var(&o.shiftBy, "shift-by", 0, "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.")
	f.BoolVar(&o.members, "members", false, "Describe members of the group. This option may be used with '--describe' and '--bootstrap-server' options only.")
	f.BoolVar(&o.verbose, "verbose", false, "Provide additional information, if any, when describing the group. This option may be used with '--offsets'/'--members'/'--state' and '--bootstrap-server' options only.")
	f.BoolVar(&o.offsets, "offsets", false, "Describe the group and list all topic partitions in the group along with their offset lag. This is the default sub-action of and may be used with '--describe' and '--bootstrap-server' options only.")
	f.StringVar(&o.state, "state", "", "When specified with '--describe', includes the state of the group. When specified with '--list', it displays the state of all groups. It can also be used to list groups with specific states (--list --state stable,empty). This option may be used with '--describe', '--list' and '--bootstrap-server' options only.")
	f.Lookup("state").NoOptDefVal = " "
	f.StringVar(&o.groupType, "type", "", "When specified with '--list', it displays the types of all the groups. It can also be used to list groups with specific types (--list --type classic,consumer). This option may be used with the '--list' option only.")
	f.Lookup("type").NoOptDefVal = " "
	f.StringVar(&o.validateRegex, "validate-regex", "", "Validate that the syntax of the provided regular expression is valid according to the RE2 format.")
	f.BoolVar(&o.lagTime, "lag-time", false, "Odradek extension: with --describe (offsets view), add a LAG-TIME column after Kafka's columns: how long ago the oldest unconsumed record of the partition was written, from record timestamps.")
	return kafkaTool(cmd, func(cmd *cobra.Command) error { return runConsumerGroups(cmd, o) })
}

// optValue is an optional-argument flag's value: empty when given bare.
func optValue(s string) string { return strings.TrimSpace(s) }

var resetScenarios = []string{"to-offset", "shift-by", "to-datetime", "by-duration", "to-earliest", "to-latest", "to-current", "from-file"}

// validate applies ConsumerGroupCommandOptions' argument checks, in its order
// and with its messages.
func (o *consumerGroupsOpts) validate(cmd *cobra.Command) error {
	set := cmd.Flags().Changed
	actions := 0
	for _, a := range []string{"list", "describe", "delete", "reset-offsets", "delete-offsets", "validate-regex"} {
		if set(a) {
			actions++
		}
	}
	if actions != 1 {
		return errors.New("Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex")
	}
	if set("validate-regex") {
		return nil
	}
	if o.bootstrap == "" {
		return errors.New("Missing required argument \"[bootstrap-server]\"")
	}
	// Sub-options that only make sense with some actions (joptsimple's availableIf).
	for _, c := range []struct {
		flag    string
		actions []string
	}{
		{"members", []string{"describe"}}, {"verbose", []string{"describe"}}, {"offsets", []string{"describe"}},
		{"lag-time", []string{"describe"}},
		{"state", []string{"describe", "list"}}, {"type", []string{"list"}},
	} {
		if !set(c.flag) {
			continue
		}
		ok := false
		for _, a := range c.actions {
			ok = ok || set(a)
		}
		if !ok {
			return fmt.Errorf("Option(s) %s are unavailable given other options on the command line", brackets(c.flag))
		}
	}
	groupScope := set("group") || set("all-groups")
	if o.describe {
		if !groupScope {
			return errors.New("Option [describe] takes one of these options: [all-groups], [group]")
		}
		n := 0
		for _, s := range []string{"members", "offsets", "state"} {
			if set(s) {
				n++
			}
		}
		if n > 1 {
			return errors.New("Option [describe] takes at most one of these options: [members], [offsets], [state]")
		}
		if set("state") && optValue(o.state) != "" {
			return errors.New("Option [describe] does not take a value for [state]")
		}
		if o.lagTime && (o.members || set("state")) {
			return errors.New("Option [lag-time] can only be used with the offsets view of [describe]")
		}
	}
	if o.del {
		if !groupScope {
			return errors.New("Option [delete] takes one of these options: [all-groups], [group]")
		}
		if set("topic") {
			return errors.New("The consumer does not support topic-specific offset deletion from a consumer group.")
		}
	}
	if o.delOffsets && (!set("group") || !set("topic")) {
		return errors.New("Option [delete-offsets] takes the following options: [group], [topic]")
	}
	if o.delOffsets && len(o.groups) > 1 {
		return errors.New("Found multiple arguments for option group, but you asked for only one")
	}
	if o.resetOffsets {
		if o.dryRun && o.execute {
			return errors.New("Option [reset-offsets] only accepts one of [execute] and [dry-run]")
		}
		if !o.dryRun && !o.execute {
			fmt.Fprintln(cmd.ErrOrStderr(), "WARN: No action will be performed as the --execute option is missing. "+
				"In version 5.0, this command will require either --dry-run or --execute to be specified. "+
				"You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.")
		}
		if !groupScope {
			return errors.New("Option [reset-offsets] takes one of these options: [all-groups], [group]")
		}
		var given []string
		for _, s := range resetScenarios {
			if set(s) {
				given = append(given, s)
			}
		}
		if len(given) > 1 {
			return cantUseWith(given[0], given[1])
		}
		if len(given) == 0 {
			return fmt.Errorf("Option '[reset-offsets]' requires one of the following scenarios: [%s]", brackets(resetScenarios...))
		}
		if !set("topic") && !o.allTopics && !set("from-file") {
			return errors.New("One of the reset scopes should be defined: --all-topics, --topic.")
		}
	}
	for _, s := range resetScenarios {
		if set(s) && !o.resetOffsets {
			return fmt.Errorf("Option %s can't be used with option [describe], [list], [delete] or [delete-offsets]", brackets(s))
		}
	}
	for _, s := range []string{"dry-run", "execute", "export", "all-topics"} {
		if set(s) && !o.resetOffsets {
			return fmt.Errorf("Option %s can only be used with option [reset-offsets]", brackets(s))
		}
	}
	if set("group") && o.allGroups {
		return cantUseWith("group", "all-groups")
	}
	if set("group") && o.list {
		return cantUseWith("group", "list")
	}
	if set("topic") && o.list {
		return cantUseWith("topic", "list")
	}
	if set("topic") && o.describe {
		return cantUseWith("topic", "describe")
	}
	if set("all-groups") && o.delOffsets {
		return cantUseWith("all-groups", "delete-offsets")
	}
	if o.timeoutMs <= 0 {
		return fmt.Errorf("invalid --timeout %d: must be a positive number of milliseconds", o.timeoutMs)
	}
	return nil
}

func cantUseWith(a, b string) error {
	return fmt.Errorf("Option \"[%s]\" can't be used with option \"[%s]\"", a, b)
}

// brackets renders option names the way Kafka's option parser prints them.
func brackets(names ...string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "[" + n + "]"
	}
	return strings.Join(out, ", ")
}

// regexProblem is a regexp syntax error without the prefix and the quoted
// expression Go adds, as RE2's description reads.
func regexProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
	if i := strings.LastIndex(msg, ": `"); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func runConsumerGroups(cmd *cobra.Command, o *consumerGroupsOpts) error {
	if err := o.validate(cmd); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if cmd.Flags().Changed("validate-regex") {
		// Kafka validates with RE2, which is the syntax Go's regexp implements.
		if _, err := regexp.Compile(o.validateRegex); err != nil {
			fmt.Fprintf(out, "The regular expression `%s` is invalid: %s.\n", o.validateRegex, regexProblem(err))
			return nil
		}
		fmt.Fprintf(out, "The regular expression `%s` is valid.\n", o.validateRegex)
		return nil
	}
	props := map[string]string{}
	if o.commandConfig != "" {
		var err error
		if props, err = loadProperties(o.commandConfig); err != nil {
			return err
		}
	}
	cl, err := newClient(cmd, o.bootstrap, props, roleAdmin)
	if err != nil {
		return err
	}
	defer cl.Close()
	s := &groupService{cmd: cmd, o: o, props: props, cl: cl, adm: kadm.NewClient(cl), now: time.Now}
	switch {
	case o.list:
		return s.listGroups()
	case o.describe:
		return s.describeGroups()
	case o.del:
		return s.deleteGroups()
	case o.resetOffsets:
		return s.resetOffsets()
	default:
		return s.deleteOffsets()
	}
}

// groupService runs one consumer-groups action against a cluster.
type groupService struct {
	cmd   *cobra.Command
	o     *consumerGroupsOpts
	props map[string]string
	cl    *kgo.Client
	adm   *kadm.Client
	now   func() time.Time
	// failed is set when a per-group problem was reported; the command then
	// exits non-zero after printing everything, as a script expects.
	failed []string
}

// ctx bounds one admin operation by --timeout.
func (s *groupService) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(cmdContext(s.cmd), time.Duration(s.o.timeoutMs)*time.Millisecond)
}

// printError reports a per-group problem the way Kafka does (a blank line,
// then "Error: ..." on standard output) and remembers it for the exit status.
func (s *groupService) printError(msg string) {
	fmt.Fprintf(s.cmd.OutOrStdout(), "\nError: %s\n", msg)
	s.failed = append(s.failed, msg)
}

// result turns remembered per-group problems into the command's error.
func (s *groupService) result() error {
	switch len(s.failed) {
	case 0:
		return nil
	case 1:
		return &exitError{code: 1, err: errors.New(s.failed[0])}
	}
	return &exitError{code: 1, err: fmt.Errorf("%s (and %d more errors)", s.failed[0], len(s.failed)-1)}
}

// groupIDs is --group, or every consumer group with --all-groups.
func (s *groupService) groupIDs() ([]string, error) {
	if !s.o.allGroups {
		return dedupe(s.o.groups), nil
	}
	listed, err := s.listConsumerGroups(nil, nil)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(listed))
	for _, g := range listed {
		ids = append(ids, g.Group)
	}
	return ids, nil
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range list {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
