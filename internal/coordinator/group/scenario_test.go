package group

import (
	"bufio"
	"context"
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
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/odradek/odradek/internal/coordinator/group/assignor"
	"github.com/odradek/odradek/internal/coordinator/runtime"
)

var updateScenarios = flag.Bool("update", false, "rewrite testdata/*.txt with the current output")

// TestScenarios runs the scripts in testdata: lines starting with "> " are
// commands, the lines after them the output expected (run with -update to
// rewrite). Answers to JoinGroup and SyncGroup requests that wait are
// printed when they arrive, tagged with the number of the request.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := runScenario(t, string(data))
			if *updateScenarios {
				if err := os.WriteFile(f, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != string(data) {
				t.Errorf("scenario output differs (run with -update to accept):\n%s", diffLines(string(data), got))
			}
		})
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %q\ngot  %q", i+1, a, b)
		}
	}
	return ""
}

type scenario struct {
	h       *harness
	cfg     Config
	n       int
	pending []string // events produced since the last command
	topics  []assignor.Topic
}

func runScenario(t *testing.T, script string) string {
	s := &scenario{cfg: testConfig()}
	s.h = newHarness(t, s.cfg)
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(script))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "> ") {
			if strings.HasPrefix(line, "#") || line == "" {
				out.WriteString(line + "\n")
			}
			continue
		}
		out.WriteString(line + "\n")
		s.run(t, strings.Fields(line[2:]))
		for _, e := range s.pending {
			out.WriteString(e + "\n")
		}
		s.pending = nil
	}
	return out.String()
}

func codeName(code int16) string {
	if code == 0 {
		return "OK"
	}
	if e := kerr.ErrorForCode(code); e != nil {
		return e.(*kerr.Error).Message
	}
	return strconv.Itoa(int(code))
}

// args splits "key=value" options from positional arguments.
func args(fields []string) (pos []string, opt map[string]string) {
	opt = map[string]string{}
	for _, f := range fields {
		if k, v, ok := strings.Cut(f, "="); ok {
			opt[k] = v
		} else {
			pos = append(pos, f)
		}
	}
	return pos, opt
}

func (s *scenario) emit(format string, a ...any) {
	s.pending = append(s.pending, fmt.Sprintf(format, a...))
}

func (s *scenario) run(t *testing.T, fields []string) {
	pos, opt := args(fields[1:])
	arg := func(i int) string {
		if i >= len(pos) {
			t.Fatalf("%s: missing argument %d", fields[0], i+1)
		}
		return pos[i]
	}
	num := func(i int) int64 {
		v, err := strconv.ParseInt(arg(i), 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", fields[0], err)
		}
		return v
	}
	h := s.h
	switch fields[0] {
	case "join": // join GROUP CLIENT [member=ID] [instance=ID] [protocols=a,b] [session=ms] [version=N] [type=PROTOCOL_TYPE] [topics=a,b [owned=topic/0,1]]
		req := joinReq(arg(0), opt["member"], opt["instance"], strings.Split(withDefault(opt["protocols"], "range"), ",")...)
		if v, ok := opt["session"]; ok {
			n, _ := strconv.Atoi(v)
			req.SessionTimeoutMillis = int32(n)
		}
		if v, ok := opt["version"]; ok {
			n, _ := strconv.Atoi(v)
			req.Version = int16(n)
		}
		if v, ok := opt["type"]; ok {
			req.ProtocolType = v
		}
		if topics, ok := opt["topics"]; ok {
			// A consumer protocol subscription, as Kafka clients send it.
			meta := subscription(topics, opt["owned"])
			for i := range req.Protocols {
				req.Protocols[i].Metadata = meta
			}
		}
		s.n++
		id := s.n
		err := h.c.write(context.Background(), req.Group, func(sh *shard, tm *runtime.Timers) (runtime.Result, error) {
			return sh.join(tm, req, arg(1), "/10.0.0.1", func(r *kmsg.JoinGroupResponse) {
				line := fmt.Sprintf("join#%d %s member=%s gen=%d", id, codeName(r.ErrorCode), r.MemberID, r.Generation)
				if r.ErrorCode == 0 {
					line += fmt.Sprintf(" protocol=%s leader=%s", *r.Protocol, r.LeaderID)
					var ms []string
					for _, m := range r.Members {
						ms = append(ms, m.MemberID)
					}
					if len(ms) > 0 {
						line += " members=" + strings.Join(ms, ",")
					}
					if r.SkipAssignment {
						line += " skip-assignment"
					}
				}
				s.emit("%s", line)
			}), nil
		})
		if err != nil {
			s.emit("join#%d error %v", id, err)
		}
	case "sync": // sync GROUP MEMBER GEN [MEMBER:ASSIGNMENT ...] [protocol=NAME] [encode=consumer] (assignments as topic/0,1+topic/2)
		assign := map[string]string{}
		for _, p := range pos[3:] {
			m, a, _ := strings.Cut(p, ":")
			assign[m] = a
		}
		s.n++
		id := s.n
		req := kmsg.NewPtrSyncGroupRequest()
		req.Version = 5
		req.Group, req.MemberID, req.Generation = arg(0), arg(1), int32(num(2))
		req.ProtocolType, req.Protocol = kmsg.StringPtr("consumer"), kmsg.StringPtr(withDefault(opt["protocol"], "range"))
		encoded := opt["encode"] == "consumer"
		members := make([]string, 0, len(assign))
		for m := range assign {
			members = append(members, m)
		}
		sort.Strings(members)
		for _, m := range members {
			sa := kmsg.NewSyncGroupRequestGroupAssignment()
			sa.MemberID, sa.MemberAssignment = m, []byte(assign[m])
			if encoded {
				sa.MemberAssignment = assignment(assign[m])
			}
			req.GroupAssignment = append(req.GroupAssignment, sa)
		}
		err := h.c.write(context.Background(), req.Group, func(sh *shard, tm *runtime.Timers) (runtime.Result, error) {
			return sh.sync(tm, req, func(r *kmsg.SyncGroupResponse) {
				if encoded {
					s.emit("sync#%d %s assignment=%s", id, codeName(r.ErrorCode), decodeAssignment(r.MemberAssignment))
					return
				}
				s.emit("sync#%d %s assignment=%q", id, codeName(r.ErrorCode), r.MemberAssignment)
			}), nil
		})
		if err != nil {
			s.emit("sync#%d error %v", id, err)
		}
	case "heartbeat": // heartbeat GROUP MEMBER GEN
		s.emit("%s", codeName(h.heartbeat(arg(0), arg(1), int32(num(2)))))
	case "leave": // leave GROUP MEMBER... (instance=ID for one static member)
		req := newLeave(arg(0), pos[1:]...)
		if inst, ok := opt["instance"]; ok {
			lm := kmsg.NewLeaveGroupRequestMember()
			lm.InstanceID = kmsg.StringPtr(inst)
			req.Members = append(req.Members, lm)
		}
		resp := h.c.LeaveGroup(context.Background(), req)
		line := codeName(resp.ErrorCode)
		for _, m := range resp.Members {
			line += " " + codeName(m.ErrorCode)
		}
		s.emit("%s", line)
	case "commit": // commit GROUP MEMBER GEN TOPIC PARTITION OFFSET
		s.emit("%s", codeName(h.commit(arg(0), arg(1), int32(num(2)), arg(3), int32(num(4)), num(5))))
	case "fetch": // fetch GROUP TOPIC PARTITION
		s.emit("%s", h.fetch(arg(0), arg(1), int32(num(2))))
	case "advance": // advance DURATION
		d, err := time.ParseDuration(arg(0))
		if err != nil {
			t.Fatal(err)
		}
		h.clk.Advance(d)
	case "describe": // describe GROUP
		req := kmsg.NewPtrDescribeGroupsRequest()
		req.Version = 5
		req.Groups = []string{arg(0)}
		d := h.c.DescribeGroups(req).Groups[0]
		line := fmt.Sprintf("%s %s protocol=%q", codeName(d.ErrorCode), d.State, d.Protocol)
		for _, m := range d.Members {
			line += fmt.Sprintf(" %s(client=%s assignment=%q)", m.MemberID, m.ClientID, m.MemberAssignment)
		}
		s.emit("%s", line)
	case "restart":
		h.restart(s.cfg)
	default:
		if !s.runMigration(t, fields[0], pos, opt) {
			t.Fatalf("unknown command %q", fields[0])
		}
	}
}

func withDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
