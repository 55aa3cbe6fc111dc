package consumer

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current behaviour")

// TestGoldenScenarios runs testdata/*.txt. Each line is a command:
//
//	config interval=<duration> session=<duration> max=<n>
//	topics <name>:<id byte>:<partitions> ...   (replaces the topic image)
//	hb <member> epoch=<n> [topics=a,b] [regex=<re>] [owned=<topic>:<p>,<p>;...]
//	   [instance=<id>] [rack=<r>] [timeout=<ms>] [assignor=<name>]
//	advance <duration>
//	timer
//	state
//
// and the output (responses, emitted records, group state) is compared with
// testdata/<name>.golden; go test -run Golden -update rewrites it. Every
// step is also checked by the harness for replay equivalence.
func TestGoldenScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			got := runScenario(t, f)
			golden := strings.TrimSuffix(f, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Fatalf("output differs from %s (run with -update after checking):\n%s", golden, got)
			}
		})
	}
}

func runScenario(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out strings.Builder
	var h *harness
	cfg := DefaultConfig()
	var topics []assignor.Topic
	ensure := func() {
		if h == nil {
			h = newHarness(t, cfg, topics...)
		}
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			out.WriteString(line + "\n")
			continue
		}
		fmt.Fprintf(&out, "> %s\n", line)
		fields := strings.Fields(line)
		bad := func(format string, args ...any) {
			t.Fatalf("%s:%d: %s", path, n, fmt.Sprintf(format, args...))
		}
		switch fields[0] {
		case "config":
			if h != nil {
				bad("config must come before the first heartbeat")
			}
			for _, kv := range fields[1:] {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "interval":
					cfg.AssignmentInterval = mustDuration(bad, v)
				case "session":
					cfg.SessionTimeout = mustDuration(bad, v)
				case "max":
					cfg.MaxSize = mustInt(bad, v)
				default:
					bad("unknown config %q", k)
				}
			}
		case "topics":
			topics = nil
			for _, spec := range fields[1:] {
				parts := strings.Split(spec, ":")
				if len(parts) != 3 {
					bad("topic %q is not name:id:partitions", spec)
				}
				topics = append(topics, topic(byte(mustInt(bad, parts[1])), parts[0], int32(mustInt(bad, parts[2]))))
			}
			if h != nil {
				h.setTopics(topics...)
			}
		case "hb":
			ensure()
			if len(fields) < 2 {
				bad("hb needs a member id")
			}
			req := hbReq{id: fields[1]}
			names := map[string]byte{}
			for _, tp := range h.md.Topics {
				names[tp.Name] = tp.ID[0]
			}
			for _, kv := range fields[2:] {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "epoch":
					req.epoch = int32(mustInt(bad, v))
				case "topics":
					req.topics = strings.Split(v, ",")
				case "regex":
					re := v
					req.regex = &re
				case "owned":
					req.owned = map[byte][]int32{}
					for _, tspec := range strings.Split(v, ";") {
						if tspec == "" {
							continue
						}
						name, ps, _ := strings.Cut(tspec, ":")
						id, ok := names[name]
						if !ok {
							bad("unknown topic %q", name)
						}
						for _, p := range strings.Split(ps, ",") {
							req.owned[id] = append(req.owned[id], int32(mustInt(bad, p)))
						}
					}
				case "instance":
					req.instance = v
				case "rack":
					req.rack = v
				case "timeout":
					req.timeout = int32(mustInt(bad, v))
				case "assignor":
					req.assignor = v
				default:
					bad("unknown hb field %q", k)
				}
			}
			before := len(h.log)
			r := h.hb(req)
			if r.ErrorCode != 0 {
				fmt.Fprintf(&out, "  error %s: %s\n", kerr.ErrorForCode(r.ErrorCode).(*kerr.Error).Message, deref(r.ErrorMessage))
			} else {
				fmt.Fprintf(&out, "  epoch=%d assignment=%s\n", r.MemberEpoch, namedAssignment(h, respAssignment(r)))
			}
			writeRecords(&out, h, h.log[before:])
		case "advance":
			ensure()
			h.clk.Advance(mustDuration(bad, fields[1]))
		case "timer":
			ensure()
			before := len(h.log)
			h.timer()
			writeRecords(&out, h, h.log[before:])
		case "state":
			ensure()
			writeState(&out, h)
		default:
			bad("unknown command %q", fields[0])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// namedAssignment turns "1:0,1 2:3" into "foo:0,1 bar:3".
func namedAssignment(h *harness, s string) string {
	if s == "<none>" || s == "" {
		return s
	}
	var parts []string
	for _, part := range strings.Fields(s) {
		idStr, ps, _ := strings.Cut(part, ":")
		id, _ := strconv.Atoi(idStr)
		name := idStr
		for _, tp := range h.md.Topics {
			if tp.ID[0] == byte(id) {
				name = tp.Name
			}
		}
		parts = append(parts, name+":"+ps)
	}
	return strings.Join(parts, " ")
}

func writeRecords(out *strings.Builder, h *harness, recs []Record) {
	for _, r := range recs {
		fmt.Fprintf(out, "  record %s\n", describeRecord(h, r))
	}
}

func describeRecord(h *harness, rec Record) string {
	if rec.IsTombstone() {
		switch r := rec.(type) {
		case *MemberMetadataRecord:
			return "member-metadata " + r.MemberID + " <tombstone>"
		case *TargetAssignmentMemberRecord:
			return "target " + r.MemberID + " <tombstone>"
		case *CurrentMemberAssignmentRecord:
			return "current " + r.MemberID + " <tombstone>"
		case *RegularExpressionRecord:
			return "regex " + r.RegularExpression + " <tombstone>"
		}
		return fmt.Sprintf("%T <tombstone>", rec)
	}
	switch r := rec.(type) {
	case *GroupMetadataRecord:
		return fmt.Sprintf("group epoch=%d", r.Epoch)
	case *MemberMetadataRecord:
		return fmt.Sprintf("member-metadata %s topics=%v regex=%s instance=%s", r.MemberID, r.SubscribedTopicNames,
			deref(r.SubscribedTopicRegex), deref(r.InstanceID))
	case *TargetAssignmentMetadataRecord:
		return fmt.Sprintf("target-metadata epoch=%d", r.AssignmentEpoch)
	case *TargetAssignmentMemberRecord:
		return fmt.Sprintf("target %s %s", r.MemberID, namedAssignment(h, renderTPs(fromTopicPartitions(r.Topics).Partitions())))
	case *CurrentMemberAssignmentRecord:
		return fmt.Sprintf("current %s epoch=%d prev=%d %s assigned=%s pending=%s", r.MemberID, r.MemberEpoch, r.PreviousMemberEpoch, r.State,
			epochedString(h, r.AssignedPartitions), epochedString(h, r.PartitionsPendingRevocation))
	case *RegularExpressionRecord:
		return fmt.Sprintf("regex %s topics=%v", r.RegularExpression, r.Topics)
	}
	return fmt.Sprintf("%T", rec)
}

func epochedString(h *harness, ts []EpochedTopicPartitions) string {
	var parts []string
	for _, t := range ts {
		name := fmt.Sprint(t.TopicID[0])
		for _, tp := range h.md.Topics {
			if tp.ID == t.TopicID {
				name = tp.Name
			}
		}
		var ps []string
		for i, p := range t.Partitions {
			ps = append(ps, fmt.Sprintf("%d@%d", p, t.AssignmentEpochs[i]))
		}
		parts = append(parts, name+":"+strings.Join(ps, ","))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

func writeState(out *strings.Builder, h *harness) {
	d := h.g.Describe()
	fmt.Fprintf(out, "  group state=%s epoch=%d assignmentEpoch=%d assignor=%s\n", d.State, d.Epoch, d.AssignmentEpoch, d.AssignorName)
	ids := h.g.sortedMemberIDs()
	sort.Strings(ids)
	for _, id := range ids {
		m := h.g.members[id]
		fmt.Fprintf(out, "  member %s epoch=%d %s owns=%s target=%s\n", id, m.epoch, m.state,
			namedAssignment(h, h.assigned(id)), namedAssignment(h, renderTPs(h.g.target[id].Partitions())))
	}
}

func mustInt(bad func(string, ...any), s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		bad("bad number %q", s)
	}
	return n
}

func mustDuration(bad func(string, ...any), s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		bad("bad duration %q", s)
	}
	return d
}
