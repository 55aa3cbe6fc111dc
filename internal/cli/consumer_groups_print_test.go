package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
)

// printService is a groupService that only prints, into buffers.
func printService(o *consumerGroupsOpts) (*groupService, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	cmd := &cobra.Command{}
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	return &groupService{cmd: cmd, o: o}, &out, &errOut
}

func int32p(v int32) *int32 { return &v }
func int64p(v int64) *int64 { return &v }
func boolp(v bool) *bool    { return &v }

// The layouts below were captured from Kafka 4.3.1's kafka-consumer-groups.
func TestConsumerGroupsPrintMembersLikeKafka(t *testing.T) {
	s, out, errOut := printService(&consumerGroupsOpts{verbose: true})
	s.printMembers(groupDescription{Group: "gk", State: "Stable", Members: []groupMember{{
		ID: "inst1-013a8213-f10c-4cbe-b6d5-f935dea21be7", InstanceID: "inst1", Host: "/127.0.0.1", ClientID: "ck1",
		Assignment: []kadm.TopicPartitions{{Topic: "t1", Partitions: []int32{2, 0, 1}}},
	}}})
	want := "\nGROUP           CONSUMER-ID                                GROUP-INSTANCE-ID HOST            CLIENT-ID       #PARTITIONS     CURRENT-EPOCH   CURRENT-ASSIGNMENT   TARGET-EPOCH    TARGET-ASSIGNMENT   \n" +
		"gk              inst1-013a8213-f10c-4cbe-b6d5-f935dea21be7 inst1             /127.0.0.1      ck1             3               -               t1:0,1,2             -               -                   \n"
	if out.String() != want || errOut.Len() != 0 {
		t.Fatalf("got\n%q\nwant\n%q\nstderr %q", out.String(), want, errOut.String())
	}

	// A KIP-848 group part-way through migrating from the classic protocol
	// gets the UPGRADED column.
	s, out, _ = printService(&consumerGroupsOpts{verbose: true})
	s.printMembers(groupDescription{Group: "gm", State: "Stable", TargetEpoch: int32p(4), Members: []groupMember{
		{ID: "a", Host: "/h", ClientID: "c", Epoch: int32p(4), Upgraded: boolp(true),
			Assignment: []kadm.TopicPartitions{{Topic: "t", Partitions: []int32{0}}}, Target: []kadm.TopicPartitions{{Topic: "t", Partitions: []int32{0}}}},
		{ID: "b", Host: "/h", ClientID: "c", Epoch: int32p(3), Upgraded: boolp(false)},
	}})
	lines := strings.Split(out.String(), "\n")
	if len(lines) != 5 || !strings.HasSuffix(lines[1], "TARGET-ASSIGNMENT    UPGRADED") ||
		!strings.HasSuffix(lines[2], " true") || !strings.HasSuffix(lines[3], " false") ||
		!strings.Contains(lines[3], "3               -                    4               -") {
		t.Fatalf("migrating group:\n%s", out.String())
	}
}

func TestConsumerGroupsPrintOffsetsLikeKafka(t *testing.T) {
	s, out, errOut := printService(&consumerGroupsOpts{})
	id := "3442OyuuRy6Ncu8i7gXCbA"
	rows := []offsetRow{
		{Group: "gc", Topic: "t1", Partition: 0, Offset: int64p(10), LogEnd: int64p(10), ConsumerID: id, Host: "/127.0.0.1", ClientID: "cc1"},
		{Group: "gc", Topic: "t1", Partition: 1, LogEnd: int64p(0), ConsumerID: id, Host: "/127.0.0.1", ClientID: "cc1"},
	}
	s.printOffsets(groupDescription{Group: "gc", State: "Stable"}, rows)
	want := "\nGROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID            HOST            CLIENT-ID\n" +
		"gc              t1              0          10              10              0               3442OyuuRy6Ncu8i7gXCbA /127.0.0.1      cc1\n" +
		"gc              t1              1          -               0               -               3442OyuuRy6Ncu8i7gXCbA /127.0.0.1      cc1\n"
	if out.String() != want || errOut.Len() != 0 {
		t.Fatalf("got\n%q\nwant\n%q", out.String(), want)
	}

	// Rebalancing groups warn on stderr; a dead group is reported as an error.
	s, _, errOut = printService(&consumerGroupsOpts{})
	s.printOffsets(groupDescription{Group: "gr", State: "PreparingRebalance"}, rows)
	if errOut.String() != "\nWarning: Consumer group 'gr' is rebalancing.\n" {
		t.Fatalf("rebalancing: %q", errOut.String())
	}
	s, out, _ = printService(&consumerGroupsOpts{})
	s.printOffsets(groupDescription{Group: "gd", State: "Dead"}, rows)
	if out.String() != "\nError: Consumer group 'gd' does not exist.\n" || s.result() == nil {
		t.Fatalf("dead: %q, %v", out.String(), s.result())
	}
}

func TestSortWithinOwner(t *testing.T) {
	rows := []offsetRow{
		{ConsumerID: "big", Topic: "b", Partition: 1}, {ConsumerID: "big", Topic: "a", Partition: 2}, {ConsumerID: "big", Topic: "a", Partition: 0},
		{ConsumerID: "small", Topic: "a", Partition: 9},
		{ConsumerID: "-", Topic: "z", Partition: 0}, {ConsumerID: "-", Topic: "c", Partition: 3},
	}
	sortWithinOwner(rows)
	var got []string
	for _, r := range rows {
		got = append(got, r.ConsumerID+":"+r.Topic+"-"+string(rune('0'+r.Partition)))
	}
	want := "big:a-0 big:a-2 big:b-1 small:a-9 -:c-3 -:z-0"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}
