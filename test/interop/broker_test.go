//go:build interop

package interop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	// readyTimeout bounds the wait for a started server to answer Metadata.
	readyTimeout = 30 * time.Second
	// stopTimeout bounds a clean shutdown after SIGTERM before the server is killed.
	stopTimeout = 60 * time.Second
)

// broker is the server the suites run against: one Odradek process this test started, or an
// external broker named by INTEROP_BOOTSTRAP.
type broker struct {
	bootstrap string
	logDir    string // partition directories live here; "" when unknown (external broker)
	httpAddr  string // metrics and console listener; "" for an external broker

	cmd     *exec.Cmd // nil for an external broker
	exited  chan struct{}
	waitErr error
	outPath string
	stopCmd string // INTEROP_STOP_CMD for an external broker
	stopped bool
}

// startBroker returns the broker to test. A server it starts is stopped by t.Cleanup if the
// test did not stop it itself.
func startBroker(t *testing.T) *broker {
	t.Helper()
	if bs := os.Getenv("INTEROP_BOOTSTRAP"); bs != "" {
		b := &broker{bootstrap: bs, logDir: os.Getenv("INTEROP_DATA_DIR"), stopCmd: os.Getenv("INTEROP_STOP_CMD")}
		t.Logf("using external broker %s (log dir %q)", bs, b.logDir)
		if err := waitReady(context.Background(), bs, nil); err != nil {
			t.Fatalf("external broker %s: %v", bs, err)
		}
		return b
	}

	bin := os.Getenv("ODRADEK_BIN")
	if bin == "" {
		t.Fatal("ODRADEK_BIN is not set: point it at a built odradek binary (make test-interop does), " +
			"or set INTEROP_BOOTSTRAP to test a running broker")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("ODRADEK_BIN: %v", err)
	}
	dir := t.TempDir()
	brokerPort, controllerPort, httpPort := freePort(t), freePort(t), freePort(t)
	b := &broker{
		bootstrap: fmt.Sprintf("127.0.0.1:%d", brokerPort),
		httpAddr:  fmt.Sprintf("127.0.0.1:%d", httpPort),
		logDir:    filepath.Join(dir, "data"),
		exited:    make(chan struct{}),
		outPath:   filepath.Join(dir, "server.out"),
	}
	out, err := os.Create(b.outPath)
	if err != nil {
		t.Fatalf("server output file: %v", err)
	}
	defer out.Close()
	b.cmd = exec.Command(bin, "server",
		"--override", "node.id=1",
		"--override", fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", brokerPort, controllerPort),
		"--override", fmt.Sprintf("advertised.listeners=PLAINTEXT://127.0.0.1:%d", brokerPort),
		"--override", fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", controllerPort),
		"--override", "log.dirs="+b.logDir,
		"--override", "http.listener="+b.httpAddr,
	)
	b.cmd.Stdout, b.cmd.Stderr = out, out
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		b.waitErr = b.cmd.Wait()
		close(b.exited)
	}()
	t.Cleanup(func() {
		if !b.stopped {
			b.stop(t)
		}
	})
	t.Logf("started %s (pid %d) on %s, data in %s", bin, b.cmd.Process.Pid, b.bootstrap, b.logDir)
	if err := waitReady(context.Background(), b.bootstrap, b.exited); err != nil {
		t.Fatalf("server %s: %v\n%s", b.bootstrap, err, b.outputTail())
	}
	return b
}

// waitReady polls Metadata until it succeeds, the server exits (exited closes) or
// readyTimeout passes.
func waitReady(ctx context.Context, bootstrap string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.RetryTimeout(time.Second))
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var lastErr error
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		_, lastErr = adm.Metadata(attempt)
		cancelAttempt()
		if lastErr == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("server exited before it answered Metadata")
		case <-ctx.Done():
			return fmt.Errorf("no Metadata answer within %v: %w", readyTimeout, lastErr)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stop shuts the broker down cleanly: SIGTERM to a server this test started, or
// INTEROP_STOP_CMD for an external one. Failing to stop in time is a test failure, since
// DumpLogSegments then reads logs that were not closed cleanly.
func (b *broker) stop(t *testing.T) {
	t.Helper()
	if b.stopped {
		return
	}
	b.stopped = true
	if b.cmd == nil {
		if b.stopCmd == "" {
			return
		}
		out, err := exec.Command("sh", "-c", b.stopCmd).CombinedOutput()
		if err != nil {
			t.Errorf("INTEROP_STOP_CMD %q: %v\n%s", b.stopCmd, err, out)
		}
		return
	}
	select {
	case <-b.exited:
		t.Errorf("server exited before the end of the run: %v\n%s", b.waitErr, b.outputTail())
		return
	default:
	}
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("SIGTERM server: %v", err)
	}
	select {
	case <-b.exited:
		if b.waitErr != nil {
			t.Errorf("server did not exit cleanly after SIGTERM: %v\n%s", b.waitErr, b.outputTail())
		}
	case <-time.After(stopTimeout):
		_ = b.cmd.Process.Kill()
		<-b.exited
		t.Errorf("server did not stop within %v of SIGTERM; killed it\n%s", stopTimeout, b.outputTail())
	}
}

// alive reports whether a server this test started is still running; if it is not, that is
// a test failure and the remaining suites are not worth running against nothing.
func (b *broker) alive(t *testing.T) bool {
	t.Helper()
	if b.cmd == nil {
		return true
	}
	select {
	case <-b.exited:
		if !b.stopped {
			b.stopped = true
			t.Errorf("server exited during the run (%v); remaining suites skipped\n%s", b.waitErr, b.outputTail())
		}
		return false
	default:
		return true
	}
}

// outputTail is the end of the server's output, for failure messages.
func (b *broker) outputTail() string {
	data, err := os.ReadFile(b.outPath)
	if err != nil {
		return "(no server output: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return "--- server output (last lines) ---\n" + strings.Join(lines, "\n")
}

// freePort returns a loopback port the kernel had free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("free port %q: %v", port, err)
	}
	return p
}
