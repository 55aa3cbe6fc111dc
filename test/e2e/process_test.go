package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/odradek/odradek/internal/testserver"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// odradekBin builds the binary once per test run (or uses ODRADEK_BIN).
func odradekBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ODRADEK_BIN"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "odradek-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "odradek")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/odradek/odradek/cmd/odradek").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type proc struct {
	cmd       *exec.Cmd
	bootstrap string
	out       *syncBuffer
	waitOnce  sync.Once
	waitErr   error
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startProc runs `odradek server` in dev mode over dataDir on fixed ports.
func startProc(t *testing.T, dataDir string, port, ctrlPort int) *proc {
	t.Helper()
	bs := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(odradekBin(t), "server",
		"--override", fmt.Sprintf("listeners=PLAINTEXT://%s,CONTROLLER://127.0.0.1:%d", bs, ctrlPort),
		"--override", "advertised.listeners=PLAINTEXT://"+bs,
		"--override", fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", ctrlPort),
		"--override", "log.dirs="+dataDir,
		"--override", "http.listener=127.0.0.1:0")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, bootstrap: bs, out: out}
	t.Cleanup(func() {
		cmd.Process.Kill()
		p.wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "Odradek started") {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

// TestKill9KeepsAcknowledgedRecords kills the server mid-produce and checks
// that every record acknowledged with acks=all is there after restart.
func TestKill9KeepsAcknowledgedRecords(t *testing.T) {
	dir := t.TempDir()
	port, ctrl := testserver.FreePort(t), testserver.FreePort(t)
	p := startProc(t, dir, port, ctrl)
	adm := newAdmin(t, p.bootstrap)
	createTopic(t, adm, "crash", 3, nil)

	prod := newClient(t, p.bootstrap, kgo.DefaultProduceTopic("crash"), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.RecordRetries(0), kgo.ProducerBatchCompression(kgo.SnappyCompression()), kgo.ProducerLinger(time.Millisecond))
	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			v := strconv.Itoa(i)
			prod.Produce(ctxT(t), kgo.StringRecord(v), func(r *kgo.Record, err error) {
				if err == nil {
					mu.Lock()
					acked[string(r.Value)] = true
					mu.Unlock()
				}
			})
			if i%200 == 199 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 3000 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait()
	close(stop)
	wg.Wait()
	prod.Close()

	p2 := startProc(t, dir, port, ctrl)
	mu.Lock()
	want := len(acked)
	mu.Unlock()
	cl := newClient(t, p2.bootstrap, kgo.ConsumeTopics("crash"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	end, err := newAdmin(t, p2.bootstrap).ListEndOffsets(ctxT(t), "crash")
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	end.Each(func(o kadm.ListedOffset) { total += o.Offset })
	seen := map[string]bool{}
	for int64(len(seen)) < total {
		fs := cl.PollFetches(ctxT(t))
		if ctxT(t).Err() != nil {
			break
		}
		for _, r := range fs.Records() {
			seen[string(r.Value)] = true
		}
	}
	missing := 0
	mu.Lock()
	for v := range acked {
		if !seen[v] {
			missing++
		}
	}
	mu.Unlock()
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged records lost after kill -9 (log has %d)", missing, want, total)
	}
	t.Logf("%d acknowledged records all present after kill -9; log holds %d", want, total)

	// A clean stop leaves the clean-shutdown marker and exits 0.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p2.wait(); err != nil {
		t.Fatalf("SIGTERM exit: %v\n%s", err, p2.out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, ".kafka_cleanshutdown")); err != nil {
		t.Fatalf("no clean shutdown marker after SIGTERM: %v", err)
	}
}

// wait reaps the process once, however many callers ask.
func (p *proc) wait() error {
	p.waitOnce.Do(func() { p.waitErr = p.cmd.Wait() })
	return p.waitErr
}
