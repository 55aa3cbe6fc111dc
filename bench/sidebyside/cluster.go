package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	kafkaSys   = "kafka"
	odradekSys = "odradek"
)

// env says where the two systems and their tools live.
type env struct {
	repo       string
	kafkaLib   string
	odradekBin string
	java       string
	kafkaHeap  string
	toolLog4j  string
	quickJVM   bool
	logf       func(format string, args ...any)
	// commands records every command line the run executes, for the docs.
	commands *[]string
}

// kafkaJVMOpts are kafka-server-start.sh's and kafka-run-class.sh's defaults
// (KAFKA_HEAP_OPTS and KAFKA_JVM_PERFORMANCE_OPTS), with the heap from -kafka-heap.
func (e *env) kafkaJVMOpts() []string {
	return []string{"-Xmx" + e.kafkaHeap, "-Xms" + e.kafkaHeap, "-server", "-XX:+UseG1GC",
		"-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
		"-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true"}
}

func (e *env) record(args []string) {
	if e.commands != nil {
		*e.commands = append(*e.commands, strings.Join(args, " "))
	}
}

// node is one server process of a cluster.
type node struct {
	id      int
	dir     string
	port    int
	cport   int
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
}

func (n *node) props() string   { return filepath.Join(n.dir, "server.properties") }
func (n *node) logDir() string  { return filepath.Join(n.dir, "logs") }
func (n *node) logFile() string { return filepath.Join(n.dir, "server.log") }

// cluster is N combined broker+controller nodes of one system, started from
// the same server.properties lines so both systems run matching settings.
type cluster struct {
	sys   string
	env   *env
	nodes []*node
	rf    int
	extra []string
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// commonProps are the server.properties lines both systems get; per-node
// lines (node.id, listeners, log.dirs) are added by writeProps.
func commonProps(nodes []*node, rf int) []string {
	var voters []string
	for _, n := range nodes {
		voters = append(voters, fmt.Sprintf("%d@127.0.0.1:%d", n.id, n.cport))
	}
	minISR := 1
	if rf >= 3 {
		minISR = 2
	}
	return []string{
		"process.roles=broker,controller",
		"controller.quorum.voters=" + strings.Join(voters, ","),
		"controller.listener.names=CONTROLLER",
		"inter.broker.listener.name=PLAINTEXT",
		"listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
		fmt.Sprintf("offsets.topic.replication.factor=%d", rf),
		fmt.Sprintf("transaction.state.log.replication.factor=%d", rf),
		fmt.Sprintf("transaction.state.log.min.isr=%d", minISR),
		fmt.Sprintf("min.insync.replicas=%d", minISR),
		fmt.Sprintf("default.replication.factor=%d", rf),
		"group.initial.rebalance.delay.ms=0",
	}
}

// newCluster lays out, configures and formats n nodes under root.
func newCluster(ctx context.Context, sys string, e *env, root string, n, rf int, extra []string) (*cluster, error) {
	c := &cluster{sys: sys, env: e, rf: rf, extra: extra}
	for i := 1; i <= n; i++ {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		cp, err := freePort()
		if err != nil {
			return nil, err
		}
		nd := &node{id: i, dir: filepath.Join(root, fmt.Sprintf("%s-%d", sys, i)), port: p, cport: cp}
		if err := os.MkdirAll(nd.dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating node dir: %w", err)
		}
		c.nodes = append(c.nodes, nd)
	}
	clusterID, err := randomUUID()
	if err != nil {
		return nil, err
	}
	for _, nd := range c.nodes {
		if err := c.writeProps(nd); err != nil {
			return nil, err
		}
		if err := c.format(ctx, nd, clusterID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *cluster) writeProps(nd *node) error {
	lines := []string{
		fmt.Sprintf("node.id=%d", nd.id),
		fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", nd.port, nd.cport),
		fmt.Sprintf("advertised.listeners=PLAINTEXT://127.0.0.1:%d", nd.port),
		"log.dirs=" + nd.logDir(),
	}
	lines = append(lines, commonProps(c.nodes, c.rf)...)
	lines = append(lines, c.extra...)
	if c.sys == odradekSys {
		// Odradek's HTTP listener (metrics, console) would default to a fixed port.
		lines = append(lines, "http.listener=127.0.0.1:0")
	}
	if err := os.WriteFile(nd.props(), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", nd.props(), err)
	}
	return nil
}

func (c *cluster) format(ctx context.Context, nd *node, clusterID string) error {
	var args []string
	switch c.sys {
	case kafkaSys:
		args = []string{c.env.java, "-Xmx256M", "-Dlog4j2.configurationFile=" + c.env.toolLog4j,
			"-cp", c.env.kafkaLib + "/*", "kafka.tools.StorageTool", "format", "-t", clusterID, "-c", nd.props()}
	default:
		args = []string{c.env.odradekBin, "storage", "format", "-t", clusterID, "-c", nd.props()}
	}
	c.env.record(args)
	out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("formatting %s node %d: %w\n%s", c.sys, nd.id, err, out)
	}
	return nil
}

// randomUUID makes a Kafka Uuid string (16 random bytes, URL-safe base64),
// never starting with '-' since Kafka's tools would read it as a flag.
func randomUUID() (string, error) {
	for {
		var b [16]byte
		f, err := os.Open("/dev/urandom")
		if err != nil {
			return "", fmt.Errorf("opening /dev/urandom: %w", err)
		}
		_, err = f.Read(b[:])
		f.Close()
		if err != nil {
			return "", fmt.Errorf("reading /dev/urandom: %w", err)
		}
		s := base64.RawURLEncoding.EncodeToString(b[:])
		if s[0] != '-' {
			return s, nil
		}
	}
}

func (c *cluster) bootstrap() string {
	var addrs []string
	for _, n := range c.nodes {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", n.port))
	}
	return strings.Join(addrs, ",")
}

func (c *cluster) pids() []int {
	var out []int
	for _, n := range c.nodes {
		if n.cmd != nil && n.cmd.Process != nil {
			out = append(out, n.cmd.Process.Pid)
		}
	}
	return out
}

func (c *cluster) serverArgs(nd *node) []string {
	if c.sys == kafkaSys {
		args := []string{c.env.java}
		args = append(args, c.env.kafkaJVMOpts()...)
		args = append(args, "-Dlog4j2.configurationFile="+c.env.toolLog4j, "-cp", c.env.kafkaLib+"/*", "kafka.Kafka", nd.props())
		return args
	}
	return []string{c.env.odradekBin, "server", "--config", nd.props(), "--log-level", "warn"}
}

// start launches every node and returns the milliseconds from the first exec
// to the first Metadata answer that lists all nodes.
func (c *cluster) start(ctx context.Context, timeout time.Duration) (float64, error) {
	t0 := time.Now()
	for _, nd := range c.nodes {
		if nd.cmd != nil {
			return 0, fmt.Errorf("%s node %d is already running", c.sys, nd.id)
		}
		args := c.serverArgs(nd)
		c.env.record(args)
		logf, err := os.OpenFile(nd.logFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return 0, fmt.Errorf("opening %s: %w", nd.logFile(), err)
		}
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Stdout, cmd.Stderr = logf, logf
		// Its own process group: an interrupt of the harness must not reach
		// the servers before the harness has stopped them in order.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			logf.Close()
			return 0, fmt.Errorf("starting %s node %d: %w", c.sys, nd.id, err)
		}
		nd.cmd, nd.done = cmd, make(chan struct{})
		go func(nd *node, logf *os.File) {
			nd.waitErr = nd.cmd.Wait()
			logf.Close()
			close(nd.done)
		}(nd, logf)
	}
	if err := c.waitReady(ctx, timeout); err != nil {
		return 0, err
	}
	return float64(time.Since(t0)) / float64(time.Millisecond), nil
}

func (c *cluster) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		for _, nd := range c.nodes {
			select {
			case <-nd.done:
				return fmt.Errorf("%s node %d exited during startup (%v); log: %s\n%s",
					c.sys, nd.id, nd.waitErr, nd.logFile(), tail(nd.logFile(), 20))
			default:
			}
		}
		if c.answersMetadata(ctx) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready within %v; log: %s\n%s", c.sys, timeout, c.nodes[0].logFile(), tail(c.nodes[0].logFile(), 20))
		}
		if err := sleepCtx(ctx, 5*time.Millisecond); err != nil {
			return err
		}
	}
}

func (c *cluster) answersMetadata(ctx context.Context) bool {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(c.bootstrap(), ",")...), kgo.MetadataMinAge(metadataMinAge),
		kgo.RequestRetries(0), kgo.DialTimeout(250*time.Millisecond))
	if err != nil {
		return false
	}
	defer cl.Close()
	rctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	m, err := kadm.NewClient(cl).BrokerMetadata(rctx)
	return err == nil && len(m.Brokers) == len(c.nodes)
}

// stop asks every node to shut down cleanly (SIGTERM) and waits.
func (c *cluster) stop(timeout time.Duration) error {
	return c.signal(syscall.SIGTERM, timeout)
}

// kill9 ends every node at once, as a crash would.
func (c *cluster) kill9() error {
	return c.signal(syscall.SIGKILL, 30*time.Second)
}

func (c *cluster) signal(sig syscall.Signal, timeout time.Duration) error {
	t0 := time.Now()
	defer func() { stepf("  %s %v took %.1fs", c.sys, sig, time.Since(t0).Seconds()) }()
	var errs []error
	for _, nd := range c.nodes {
		if nd.cmd != nil {
			_ = nd.cmd.Process.Signal(sig)
		}
	}
	for _, nd := range c.nodes {
		if nd.cmd == nil {
			continue
		}
		select {
		case <-nd.done:
		case <-time.After(timeout):
			_ = nd.cmd.Process.Kill()
			<-nd.done
			errs = append(errs, fmt.Errorf("%s node %d did not stop within %v after %v; killed", c.sys, nd.id, timeout, sig))
		}
		nd.cmd = nil
	}
	return errors.Join(errs...)
}

// logBytes is the size of every segment file (*.log) of every node, the
// metadata log included: the log a restart has to recover. Index files are
// left out, Kafka preallocates them sparse.
func (c *cluster) logBytes() int64 { return c.topicLogBytes("") }

// topicLogBytes counts only the partitions of one topic ("" for all).
func (c *cluster) topicLogBytes(topic string) int64 {
	var sum int64
	for _, nd := range c.nodes {
		_ = filepath.WalkDir(nd.logDir(), func(path string, d fs.DirEntry, err error) error {
			inTopic := topic == "" || strings.HasPrefix(filepath.Base(filepath.Dir(path)), topic+"-")
			if err == nil && inTopic && d.Type().IsRegular() && strings.HasSuffix(path, ".log") {
				if info, err := d.Info(); err == nil {
					sum += info.Size()
				}
			}
			return nil
		})
	}
	return sum
}

func tail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	l := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
