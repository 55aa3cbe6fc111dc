package cli

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestConsumerGroupsValidation(t *testing.T) {
	bs := []string{"--bootstrap-server", "127.0.0.1:1"}
	tests := []struct {
		args []string
		want string
	}{
		{bs, "Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets, --validate-regex"},
		{append([]string{"--list", "--describe"}, bs...), "exactly one action"},
		{[]string{"--list"}, `Missing required argument "[bootstrap-server]"`},
		{append([]string{"--describe"}, bs...), "Option [describe] takes one of these options: [all-groups], [group]"},
		{append([]string{"--describe", "--group", "g", "--members", "--state"}, bs...), "Option [describe] takes at most one of these options: [members], [offsets], [state]"},
		{append([]string{"--describe", "--group", "g", "--state", "stable"}, bs...), "Option [describe] does not take a value for [state]"},
		{append([]string{"--list", "--members"}, bs...), "Option(s) [members] are unavailable given other options on the command line"},
		{append([]string{"--describe", "--group", "g", "--type"}, bs...), "Option(s) [type] are unavailable given other options on the command line"},
		{append([]string{"--delete"}, bs...), "Option [delete] takes one of these options: [all-groups], [group]"},
		{append([]string{"--delete", "--group", "g", "--topic", "t"}, bs...), "The consumer does not support topic-specific offset deletion from a consumer group."},
		{append([]string{"--delete-offsets", "--group", "g"}, bs...), "Option [delete-offsets] takes the following options: [group], [topic]"},
		{append([]string{"--delete-offsets", "--group", "g", "--group", "h", "--topic", "t"}, bs...), "Found multiple arguments for option group, but you asked for only one"},
		{append([]string{"--reset-offsets", "--group", "g", "--to-earliest", "--all-topics", "--dry-run", "--execute"}, bs...), "Option [reset-offsets] only accepts one of [execute] and [dry-run]"},
		{append([]string{"--reset-offsets", "--to-earliest", "--all-topics"}, bs...), "Option [reset-offsets] takes one of these options: [all-groups], [group]"},
		{append([]string{"--reset-offsets", "--group", "g", "--all-topics"}, bs...), "Option '[reset-offsets]' requires one of the following scenarios: [[to-offset], [shift-by]"},
		{append([]string{"--reset-offsets", "--group", "g", "--all-topics", "--to-earliest", "--to-latest"}, bs...), `Option "[to-earliest]" can't be used with option "[to-latest]"`},
		{append([]string{"--reset-offsets", "--group", "g", "--to-earliest"}, bs...), "One of the reset scopes should be defined: --all-topics, --topic."},
		{append([]string{"--describe", "--group", "g", "--to-earliest"}, bs...), "Option [to-earliest] can't be used with option"},
		{append([]string{"--describe", "--group", "g", "--all-groups"}, bs...), `Option "[group]" can't be used with option "[all-groups]"`},
		{append([]string{"--describe", "--group", "g", "--members", "--lag-time"}, bs...), "Option [lag-time] can only be used with the offsets view of [describe]"},
		{append([]string{"--describe", "--group", "g", "--timeout", "0"}, bs...), "invalid --timeout 0"},
	}
	for _, tc := range tests {
		_, _, err := runCLI(t, "", append([]string{"consumer-groups"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestConsumerGroupsResetWarnsWithoutExecute(t *testing.T) {
	// Validation passes, so the tool warns before it tries to connect.
	_, errOut, _ := runCLI(t, "", "consumer-groups", "--bootstrap-server", "127.0.0.1:1", "--reset-offsets",
		"--group", "g", "--to-earliest", "--all-topics", "--timeout", "1")
	if !strings.HasPrefix(errOut, "WARN: No action will be performed as the --execute option is missing.") {
		t.Fatalf("stderr %q", errOut)
	}
}

func TestConsumerGroupsValidateRegex(t *testing.T) {
	out := mustRun(t, "", "consumer-groups", "--validate-regex", "orders-.*")
	if out != "The regular expression `orders-.*` is valid.\n" {
		t.Fatalf("valid: %q", out)
	}
	out = mustRun(t, "", "consumer-groups", "--validate-regex", "orders-[")
	if out != "The regular expression `orders-[` is invalid: missing closing ].\n" {
		t.Fatalf("invalid: %q", out)
	}
}

func TestConsumerGroupsHelpNamesExtension(t *testing.T) {
	out := mustRun(t, "", "consumer-groups", "--help")
	if !strings.Contains(out, "--lag-time") || !strings.Contains(out, "Odradek extension") {
		t.Fatalf("help does not document --lag-time:\n%s", out)
	}
}

func TestParseTopicWithPartitions(t *testing.T) {
	got, err := parseTopicWithPartitions("orders:0,2")
	if err != nil || !reflect.DeepEqual(got, []topicPartition{{"orders", 0}, {"orders", 2}}) {
		t.Fatalf("got %v, %v", got, err)
	}
	for in, want := range map[string]string{
		"orders:x":   "Invalid partition 'x' specified in topic arg 'orders:x''",
		"a:1:2":      "Invalid topic arg 'a:1:2', expected topic name and partitions",
		"orders:":    "Invalid topic arg 'orders:'",
		"orders:1,,": "Invalid partition ''",
	} {
		if _, err := parseTopicWithPartitions(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
}

func TestParseResetFile(t *testing.T) {
	plan, err := parseResetFile("t1,0,5\nt1,1,7\n", []string{"g"})
	if err != nil || !reflect.DeepEqual(plan, resetPlan{"g": {{"t1", 0}: 5, {"t1", 1}: 7}}) {
		t.Fatalf("single group: %v, %v", plan, err)
	}
	plan, err = parseResetFile("g1,t1,0,5\r\ng2,t2,3,1\n\n", []string{"g1", "g2"})
	if err != nil || !reflect.DeepEqual(plan, resetPlan{"g1": {{"t1", 0}: 5}, "g2": {{"t2", 3}: 1}}) {
		t.Fatalf("with groups: %v, %v", plan, err)
	}
	// One --group but a file with groups: the group column is honoured.
	plan, err = parseResetFile("g1,t1,0,5\n", []string{"g1"})
	if err != nil || !reflect.DeepEqual(plan, resetPlan{"g1": {{"t1", 0}: 5}}) {
		t.Fatalf("group column with one group: %v, %v", plan, err)
	}
	for _, bad := range []string{"t1,0\n", "g,t1,x,5\n", "g,t1,0,five\n", "t1,0,5\n"} {
		if _, err := parseResetFile(bad, []string{"a", "b"}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestFormatLagTime(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:                          "0s",
		250 * time.Millisecond:                "250ms",
		90*time.Second + 400*time.Millisecond: "1m30s",
		26 * time.Hour:                        "26h0m0s",
	} {
		if got := formatLagTime(d); got != want {
			t.Errorf("formatLagTime(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestConsumerGroupsListEmptyCluster(t *testing.T) {
	bs := startBroker(t)
	out, _, err := runCLI(t, "", "consumer-groups", "--bootstrap-server", bs, "--list")
	if !serverSupports(t, bs, int16(kmsg.ListGroups)) {
		// Until groups land the tool must say why, not hang or print nothing.
		if err == nil || !strings.Contains(err.Error(), "does not support ListGroups") {
			t.Fatalf("--list without ListGroups: err = %v, out %q", err, out)
		}
		return
	}
	if err != nil || out != "" {
		t.Fatalf("--list: %q, %v", out, err)
	}
	_, _, err = runCLI(t, "", "consumer-groups", "--bootstrap-server", bs, "--list", "--command-config", filepath.Join(t.TempDir(), "missing.properties"))
	if err == nil || !strings.Contains(err.Error(), "read properties file") {
		t.Fatalf("--command-config of a missing file: %v", err)
	}
	props := filepath.Join(t.TempDir(), "admin.properties")
	if err := os.WriteFile(props, []byte("client.id=cg-admin\nrequest.timeout.ms=5000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "", "consumer-groups", "--bootstrap-server", bs, "--list", "--command-config", props); out != "" {
		t.Fatalf("--list with --command-config: %q", out)
	}
	out = mustRun(t, "", "consumer-groups", "--bootstrap-server", bs, "--list", "--state", "--type")
	if out != "GROUP                     TYPE                 STATE               \n" {
		t.Fatalf("--list --state --type: %q", out)
	}
	for _, args := range [][]string{{"--describe", "--all-groups"}, {"--describe", "--all-groups", "--members"}, {"--delete", "--all-groups"},
		{"--reset-offsets", "--all-groups", "--all-topics", "--to-earliest", "--dry-run"}} {
		out = mustRun(t, "", append([]string{"consumer-groups", "--bootstrap-server", bs}, args...)...)
		want := map[string]string{"--delete": "Deletion of requested consumer groups () was successful.\n", "--reset-offsets": "\n"}[args[0]]
		if out != want {
			t.Errorf("%v with no groups: %q, want %q", args, out, want)
		}
	}
}

// serverSupports reports whether the broker advertises key.
func serverSupports(t *testing.T, bootstrap string, key int16) bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	versions, err := kadm.NewClient(cl).ApiVersions(context.Background())
	if err != nil {
		t.Fatalf("ApiVersions: %v", err)
	}
	for _, v := range versions {
		if _, ok := v.KeyMaxVersion(key); !ok {
			return false
		}
	}
	return true
}

func TestConsumerGroupsLifecycle(t *testing.T) {
	bs := startBroker(t)
	// FindCoordinator, JoinGroup, Heartbeat, SyncGroup, OffsetCommit,
	// OffsetFetch, ListGroups, DescribeGroups, DeleteGroups, OffsetDelete.
	requireAPIs(t, bs, 10, 11, 12, 14, 8, 9, 16, 15, 42, 47)
	cg := func(args ...string) string {
		t.Helper()
		return mustRun(t, "", append([]string{"consumer-groups", "--bootstrap-server", bs}, args...)...)
	}
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "cg-orders", "--partitions", "2")
	prod, err := kgo.NewClient(kgo.SeedBrokers(bs), kgo.DefaultProduceTopic("cg-orders"), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if err := prod.ProduceSync(ctx, &kgo.Record{Partition: int32(i % 2), Value: []byte("v")}).FirstErr(); err != nil {
			t.Fatalf("produce: %v", err)
		}
	}

	// A member consumes 3 records and commits them.
	cons, err := kgo.NewClient(kgo.SeedBrokers(bs), kgo.ConsumerGroup("cg-app"), kgo.ConsumeTopics("cg-orders"),
		kgo.ClientID("cg-client"), kgo.DisableAutoCommit(), kgo.FetchMaxPartitionBytes(1), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	consumerClosed := false
	defer func() {
		if !consumerClosed {
			cons.Close()
		}
	}()
	var polled []*kgo.Record
	for len(polled) < 3 {
		fs := cons.PollRecords(ctx, 3-len(polled))
		if err := fs.Err0(); err != nil {
			t.Fatalf("poll: %v", err)
		}
		polled = append(polled, fs.Records()...)
	}
	if err := cons.CommitRecords(ctx, polled...); err != nil {
		t.Fatalf("commit: %v", err)
	}
	committed := map[int32]int64{}
	for _, r := range polled {
		committed[r.Partition] = max(committed[r.Partition], r.Offset+1)
	}

	if out := cg("--list"); out != "cg-app\n" {
		t.Fatalf("--list: %q", out)
	}
	if out := cg("--list", "--state", "stable"); !strings.Contains(out, "cg-app") || !strings.Contains(out, "Stable") {
		t.Fatalf("--list --state stable: %q", out)
	}
	if out := cg("--list", "--state", "empty"); strings.Contains(out, "cg-app") {
		t.Fatalf("--list --state empty lists a stable group: %q", out)
	}

	out := cg("--describe", "--group", "cg-app")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID") {
		t.Fatalf("describe:\n%s", out)
	}
	for p, l := range lines[1:] {
		f := strings.Fields(l)
		want := []string{"cg-app", "cg-orders", string(rune('0' + p))}
		if len(f) != 9 || !reflect.DeepEqual(f[:3], want) || f[4] != "5" || f[8] != "cg-client" {
			t.Fatalf("describe row %q", l)
		}
		if c, ok := committed[int32(p)]; ok {
			if f[3] != strconv.FormatInt(c, 10) || f[5] != strconv.FormatInt(5-c, 10) {
				t.Fatalf("row %q: want committed %d", l, c)
			}
		} else if f[3] != "-" || f[5] != "-" {
			t.Fatalf("row %q: want no committed offset", l)
		}
	}
	out = cg("--describe", "--group", "cg-app", "--lag-time")
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], "CLIENT-ID       LAG-TIME") {
		t.Fatalf("--lag-time:\n%s", out)
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 10 {
			t.Fatalf("--lag-time row %q", l)
		}
		if f[5] == "0" && f[9] != "0s" {
			t.Fatalf("--lag-time row %q: no lag must read 0s", l)
		}
		if _, err := time.ParseDuration(f[9]); f[5] != "-" && err != nil {
			t.Fatalf("--lag-time row %q: %v", l, err)
		}
	}
	// --all-groups with a group filter that matches nothing prints nothing.
	if out := cg("--list", "--state", "dead"); out != "GROUP                     STATE               \n" {
		t.Fatalf("--list --state dead: %q", out)
	}
	out = cg("--describe", "--group", "cg-app", "--members", "--verbose")
	if !strings.Contains(out, "cg-client") || !strings.Contains(out, "cg-orders:0,1") {
		t.Fatalf("--members --verbose:\n%s", out)
	}
	out = cg("--describe", "--group", "cg-app", "--state")
	if !strings.Contains(out, "Stable") || !strings.HasSuffix(strings.TrimSpace(out), " 1") {
		t.Fatalf("--state:\n%s", out)
	}

	// Reset is refused while the group is active.
	out, _, err = runCLI(t, "", "consumer-groups", "--bootstrap-server", bs, "--reset-offsets", "--group", "cg-app",
		"--topic", "cg-orders", "--to-earliest", "--execute")
	if err == nil || !strings.Contains(out, "Error: Assignments can only be reset if the group 'cg-app' is inactive, but the current state is Stable.") {
		t.Fatalf("reset of an active group: %v\n%s", err, out)
	}

	cons.Close()
	consumerClosed = true

	_, errOut, err := runCLI(t, "", "consumer-groups", "--bootstrap-server", bs, "--describe", "--group", "cg-app")
	if err != nil || !strings.Contains(errOut, "Consumer group 'cg-app' has no active members.") {
		t.Fatalf("describe empty group: %v, stderr %q", err, errOut)
	}

	out = cg("--reset-offsets", "--group", "cg-app", "--topic", "cg-orders", "--to-earliest", "--dry-run")
	want := "\nGROUP           TOPIC           PARTITION  NEW-OFFSET\n" +
		"cg-app          cg-orders       0          0\n" +
		"cg-app          cg-orders       1          0\n"
	if out != want {
		t.Fatalf("dry run:\n%q\nwant\n%q", out, want)
	}
	out = cg("--reset-offsets", "--group", "cg-app", "--topic", "cg-orders:1", "--to-offset", "99", "--dry-run", "--export")
	if out != "cg-orders,1,5\n\n" {
		t.Fatalf("export: %q", out)
	}
	plan := filepath.Join(t.TempDir(), "plan.csv")
	if err := os.WriteFile(plan, []byte("cg-orders,0,2\ncg-orders,1,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cg("--reset-offsets", "--group", "cg-app", "--from-file", plan, "--execute")
	out = cg("--reset-offsets", "--group", "cg-app", "--all-topics", "--to-current", "--export", "--dry-run")
	if out != "cg-orders,0,2\ncg-orders,1,4\n\n" {
		t.Fatalf("after --from-file --execute: %q", out)
	}
	cg("--reset-offsets", "--group", "cg-app", "--all-topics", "--shift-by", "-1", "--execute")
	cg("--reset-offsets", "--group", "cg-app", "--topic", "cg-orders", "--by-duration", "PT1H", "--execute")
	out = cg("--reset-offsets", "--group", "cg-app", "--all-topics", "--to-current", "--export", "--dry-run")
	if out != "cg-orders,0,0\ncg-orders,1,0\n\n" {
		t.Fatalf("after --by-duration PT1H: %q", out)
	}
	cg("--reset-offsets", "--group", "cg-app", "--topic", "cg-orders", "--to-datetime", "2999-01-01T00:00:00.000", "--execute")
	out = cg("--reset-offsets", "--group", "cg-app", "--all-topics", "--to-current", "--export", "--dry-run")
	if out != "cg-orders,0,5\ncg-orders,1,5\n\n" {
		t.Fatalf("after --to-datetime in the future: %q", out)
	}

	out = cg("--delete-offsets", "--group", "cg-app", "--topic", "cg-orders:0")
	if !strings.HasPrefix(out, "Request succeeded for deleting offsets from group cg-app.\n") || !strings.Contains(out, "Successful") {
		t.Fatalf("delete-offsets:\n%s", out)
	}
	_, _, err = runCLI(t, "", "consumer-groups", "--bootstrap-server", bs, "--reset-offsets", "--group", "cg-app", "--topic", "cg-nope", "--to-earliest")
	if err == nil || err.Error() != "topic cg-nope: This server does not host this topic-partition." {
		t.Fatalf("reset of a missing topic: %v", err)
	}
	_, _, err = runCLI(t, "", "consumer-groups", "--bootstrap-server", bs, "--reset-offsets", "--group", "cg-app", "--topic", "cg-orders:7", "--to-earliest")
	if err == nil || err.Error() != `The partitions "cg-orders-7" do not exist` {
		t.Fatalf("reset of a missing partition: %v", err)
	}
	if out := cg("--delete", "--group", "cg-app"); out != "Deletion of requested consumer groups ('cg-app') was successful.\n" {
		t.Fatalf("delete: %q", out)
	}
	if _, _, err := runCLI(t, "", "consumer-groups", "--bootstrap-server", bs, "--describe", "--group", "cg-app"); err == nil ||
		!strings.Contains(err.Error(), "Group cg-app not found.") {
		t.Fatalf("describe deleted group: %v", err)
	}
}

func TestConsumerGroupsDescribeKIP848(t *testing.T) {
	bs := startBroker(t)
	requireAPIs(t, bs, 68, 69) // ConsumerGroupHeartbeat, ConsumerGroupDescribe
	mustRun(t, "", "topics", "--bootstrap-server", bs, "--create", "--topic", "cg-kip848", "--partitions", "3")
	cons, err := kgo.NewClient(kgo.SeedBrokers(bs), kgo.ConsumerGroup("cg-next"), kgo.ConsumeTopics("cg-kip848"),
		kgo.ServerSideBalancer(), kgo.Balancers(kgo.RangeBalancer()), kgo.ClientID("cg-next-client"))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	cg := func(args ...string) string {
		t.Helper()
		return mustRun(t, "", append([]string{"consumer-groups", "--bootstrap-server", bs}, args...)...)
	}
	// The member owns all three partitions once the assignment reconciles;
	// polling drives the heartbeats that deliver it.
	for i := 0; ; i++ {
		// Until the first heartbeat the group does not exist.
		out, _, err := runCLI(t, "", "consumer-groups", "--bootstrap-server", bs, "--describe", "--group", "cg-next", "--members")
		if err == nil && strings.Contains(out, "cg-next-client  3") {
			break
		}
		if i == 600 {
			t.Fatalf("the member never owned the topic's 3 partitions: %v\n%s", err, out)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		cons.PollFetches(ctx)
		cancel()
	}
	out := cg("--list", "--type", "--state")
	if !regexp.MustCompile(`(?m)^cg-next\s+Consumer\s+Stable\s+$`).MatchString(out) {
		t.Fatalf("--list --type --state:\n%s", out)
	}
	out = cg("--describe", "--group", "cg-next", "--members", "--verbose")
	if !regexp.MustCompile(`(?m)^cg-next\s+\S+\s+\S+\s+cg-next-client\s+3\s+\d+\s+cg-kip848:0,1,2\s+\d+\s+cg-kip848:0,1,2\s*$`).MatchString(out) {
		t.Fatalf("--members --verbose:\n%s", out)
	}
	out = cg("--describe", "--group", "cg-next", "--state", "--verbose")
	if !regexp.MustCompile(`(?m)^cg-next\s+\S+  \(\d+\)\s+\S+\s+Stable\s+\d+\s+\d+\s+1$`).MatchString(out) {
		t.Fatalf("--state --verbose:\n%s", out)
	}
}
