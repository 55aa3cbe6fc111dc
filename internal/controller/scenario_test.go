package controller

import (
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
)

var update = flag.Bool("update", false, "rewrite scenario files with the actual output")

// TestScenarios replays testdata/scenarios/*.txt. Each "> command" line is
// followed by its expected output; run with -update to regenerate.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runScenario(t, f) })
	}
}

func runScenario(t *testing.T, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := newNode(t, t.TempDir(), nil)
	s := &scenario{t: t, n: n, epochs: map[int32]int64{}}
	var out strings.Builder
	var want strings.Builder
	var cmd string
	flush := func() {
		if cmd == "" {
			return
		}
		got := s.run(cmd)
		out.WriteString("> " + cmd + "\n" + got)
		if !*update && got != want.String() {
			t.Errorf("%s: > %s\n got:\n%s want:\n%s", path, cmd, got, want.String())
		}
		want.Reset()
	}
	for _, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "> "):
			flush()
			cmd = strings.TrimPrefix(line, "> ")
		case strings.HasPrefix(line, "#") || (line == "" && cmd == ""):
			out.WriteString(line + "\n")
		default:
			want.WriteString(line + "\n")
		}
	}
	flush()
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type scenario struct {
	t      *testing.T
	n      *node
	epochs map[int32]int64
}

func code(c int16) string {
	if c == 0 {
		return "ok"
	}
	return kerr.ErrorForCode(c).(*kerr.Error).Message
}

func atoi(s string) int32 {
	v, _ := strconv.Atoi(s)
	return int32(v)
}

func (s *scenario) run(cmd string) string {
	f := strings.Fields(cmd)
	c := s.n.ctrl
	switch f[0] {
	case "register":
		req := kmsg.NewPtrBrokerRegistrationRequest()
		req.BrokerID, req.ClusterID, req.IncarnationID = atoi(f[1]), "cid", [16]byte{byte(atoi(f[1])), byte(len(s.epochs))}
		if len(f) > 2 {
			req.Rack = kmsg.StringPtr(f[2])
		}
		r, err := c.RegisterBroker(ctx, req)
		if err != nil {
			return err.Error() + "\n"
		}
		s.epochs[req.BrokerID] = r.BrokerEpoch
		return code(r.ErrorCode) + "\n"
	case "heartbeat":
		hb := kmsg.NewPtrBrokerHeartbeatRequest()
		hb.BrokerID = atoi(f[1])
		hb.BrokerEpoch, hb.CurrentMetadataOffset = s.epochs[hb.BrokerID], s.n.loader.Image().Offset
		if len(f) > 2 {
			hb.WantFence, hb.WantShutdown = f[2] == "fence", f[2] == "shutdown"
		}
		r, err := c.BrokerHeartbeat(ctx, hb)
		if err != nil {
			return err.Error() + "\n"
		}
		return fmt.Sprintf("%s fenced=%v caughtUp=%v shutdown=%v\n", code(r.ErrorCode), r.IsFenced, r.IsCaughtUp, r.ShouldShutdown)
	case "advance":
		d, err := time.ParseDuration(f[1])
		if err != nil {
			s.t.Fatal(err)
		}
		s.n.clk.Advance(d)
		if err := c.Barrier(ctx); err != nil {
			s.t.Fatal(err)
		}
		return ""
	case "create":
		tp := topic(f[1], atoi(f[2]), int16(atoi(f[3])))
		for _, kv := range f[4:] {
			k, v, _ := strings.Cut(kv, "=")
			cf := kmsg.NewCreateTopicsRequestTopicConfig()
			cf.Name, cf.Value = k, kmsg.StringPtr(v)
			tp.Configs = append(tp.Configs, cf)
		}
		r, err := c.CreateTopics(ctx, createReq(7, false, tp))
		if err != nil {
			return err.Error() + "\n"
		}
		return code(r.Topics[0].ErrorCode) + "\n"
	case "delete":
		req := kmsg.NewPtrDeleteTopicsRequest()
		req.Version, req.TopicNames = 5, f[1:]
		r, err := c.DeleteTopics(ctx, req)
		if err != nil {
			return err.Error() + "\n"
		}
		var out string
		for _, t := range r.Topics {
			out += *t.Topic + " " + code(t.ErrorCode) + "\n"
		}
		return out
	case "partitions":
		req := kmsg.NewPtrCreatePartitionsRequest()
		pt := kmsg.NewCreatePartitionsRequestTopic()
		pt.Topic, pt.Count = f[1], atoi(f[2])
		req.Topics = append(req.Topics, pt)
		r, err := c.CreatePartitions(ctx, req)
		if err != nil {
			return err.Error() + "\n"
		}
		return code(r.Topics[0].ErrorCode) + "\n"
	case "config":
		// config <topic|broker> <name> <set|delete|append|subtract> <key> [value]
		res := kmsg.NewIncrementalAlterConfigsRequestResource()
		res.ResourceType = kmsg.ConfigResourceTypeTopic
		if f[1] == "broker" {
			res.ResourceType = kmsg.ConfigResourceTypeBroker
		}
		res.ResourceName = strings.Trim(f[2], `"`)
		cf := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
		cf.Name = f[4]
		cf.Op = map[string]kmsg.IncrementalAlterConfigOp{"set": 0, "delete": 1, "append": 2, "subtract": 3}[f[3]]
		if len(f) > 5 {
			cf.Value = kmsg.StringPtr(f[5])
		}
		res.Configs = append(res.Configs, cf)
		req := kmsg.NewPtrIncrementalAlterConfigsRequest()
		req.Resources = append(req.Resources, res)
		r, err := c.IncrementalAlterConfigs(ctx, req)
		if err != nil {
			return err.Error() + "\n"
		}
		return code(r.Resources[0].ErrorCode) + "\n"
	case "producer-ids":
		first, count, err := c.AllocateProducerIDs(ctx, atoi(f[1]), s.epochs[atoi(f[1])])
		if err != nil {
			return err.Error() + "\n"
		}
		return fmt.Sprintf("%d+%d\n", first, count)
	case "show":
		return s.show(f[1])
	}
	s.t.Fatalf("unknown scenario command %q", cmd)
	return ""
}

func (s *scenario) show(what string) string {
	im := s.n.loader.Image()
	var b strings.Builder
	switch what {
	case "brokers":
		for _, id := range im.BrokerIDs() {
			br := im.Brokers[id]
			fmt.Fprintf(&b, "broker %d rack=%q fenced=%v shutdown=%v\n", id, br.Rack, br.Fenced, br.InControlledShutdown)
		}
	case "topics":
		for _, name := range im.TopicNames() {
			tp := im.TopicsByName[name]
			for _, p := range tp.SortedPartitionIDs() {
				pt := tp.Partitions[p]
				fmt.Fprintf(&b, "%s-%d replicas=%v isr=%v leader=%d leaderEpoch=%d partitionEpoch=%d\n",
					name, p, pt.Replicas, pt.ISR, pt.Leader, pt.LeaderEpoch, pt.PartitionEpoch)
			}
		}
	case "configs":
		var lines []string
		for res, m := range im.Configs {
			for k, v := range m {
				lines = append(lines, fmt.Sprintf("%d/%q %s=%s", res.Type, res.Name, k, v))
			}
		}
		sort.Strings(lines)
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
