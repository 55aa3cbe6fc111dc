package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/testserver"
)

// runServerExpectingExit runs `odradek server args...` and returns its exit
// error and output; the server must stop by itself within a minute.
func runServerExpectingExit(t *testing.T, env []string, args ...string) (error, string) {
	t.Helper()
	// The HTTP listener on a free port, so parallel servers never collide on 8080.
	args = append(args, "--override", "http.listener=127.0.0.1:0")
	cmd := exec.Command(odradekBin(t), append([]string{"server"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err, out.String()
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("server did not exit:\n%s", out.String())
	}
	return nil, ""
}

func writeProps(t *testing.T, dir string, lines ...string) string {
	t.Helper()
	p := filepath.Join(dir, "server.properties")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServerConfigErrors(t *testing.T) {
	dir := t.TempDir()
	port, ctrl := testserver.FreePort(t), testserver.FreePort(t)
	props := writeProps(t, dir,
		"process.roles=broker,controller",
		"node.id=1",
		fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", port, ctrl),
		"controller.listener.names=CONTROLLER",
		fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", ctrl),
		"log.dirs="+filepath.Join(dir, "logs"),
	)

	err, out := runServerExpectingExit(t, nil, "--config", props)
	if err == nil || !strings.Contains(out, "storage format") {
		t.Fatalf("unformatted log dir: exit %v, output should say how to format:\n%s", err, out)
	}

	err, out = runServerExpectingExit(t, nil, "--config", props, "--override", "num.partitions=zero")
	if err == nil || !strings.Contains(out, "num.partitions") {
		t.Fatalf("invalid value: exit %v, output should name num.partitions:\n%s", err, out)
	}

	err, out = runServerExpectingExit(t, []string{"KAFKA_NUM_PARTITIONS=-4"}, "--config", props)
	if err == nil || !strings.Contains(out, "num.partitions") {
		t.Fatalf("invalid value from KAFKA_NUM_PARTITIONS: exit %v:\n%s", err, out)
	}
}

// TestFormattedConfigStartsAndWarnsUnknownKeys formats with the storage
// tool, then starts from server.properties with KAFKA_* and --override.
func TestFormattedConfigStartsAndWarnsUnknownKeys(t *testing.T) {
	dir := t.TempDir()
	port, ctrl := testserver.FreePort(t), testserver.FreePort(t)
	props := writeProps(t, dir,
		"process.roles=broker,controller",
		"node.id=1",
		fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", port, ctrl),
		fmt.Sprintf("advertised.listeners=PLAINTEXT://127.0.0.1:%d", port),
		"controller.listener.names=CONTROLLER",
		fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", ctrl),
		"log.dirs="+filepath.Join(dir, "logs"),
		"some.plugin.setting=1",
	)
	idOut, err := exec.Command(odradekBin(t), "storage", "random-uuid").Output()
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(string(idOut))
	if out, err := exec.Command(odradekBin(t), "storage", "format", "-t", id, "-c", props).CombinedOutput(); err != nil {
		t.Fatalf("format: %v\n%s", err, out)
	}
	cmd := exec.Command(odradekBin(t), "server", "--config", props, "--override", "auto.create.topics.enable=false",
		"--override", "http.listener=127.0.0.1:0")
	cmd.Env = append(os.Environ(), "KAFKA_NUM_PARTITIONS=4")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, bootstrap: fmt.Sprintf("127.0.0.1:%d", port), out: out}
	t.Cleanup(func() { cmd.Process.Kill(); p.wait() })
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "Odradek started") {
		if time.Now().After(deadline) {
			t.Fatalf("did not start:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "some.plugin.setting") {
		t.Fatalf("unknown key not warned about:\n%s", out.String())
	}
	if !strings.Contains(out.String(), id) {
		t.Fatalf("cluster id %s from format not used:\n%s", id, out.String())
	}
	adm := newAdmin(t, p.bootstrap)
	resp, err := adm.CreateTopics(ctxT(t), -1, -1, nil, "from-env")
	if err != nil || resp["from-env"].Err != nil {
		t.Fatal(err, resp)
	}
	td, _ := adm.ListTopics(ctxT(t), "from-env")
	if len(td["from-env"].Partitions) != 4 {
		t.Fatalf("KAFKA_NUM_PARTITIONS=4 not applied: %d partitions", len(td["from-env"].Partitions))
	}
}

func TestServerRefusesUnknownAssignor(t *testing.T) {
	dir := t.TempDir()
	port, ctrl := testserver.FreePort(t), testserver.FreePort(t)
	err, out := runServerExpectingExit(t, nil,
		"--override", fmt.Sprintf("listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d", port, ctrl),
		"--override", fmt.Sprintf("controller.quorum.voters=1@127.0.0.1:%d", ctrl),
		"--override", "log.dirs="+filepath.Join(dir, "data"),
		"--override", "group.consumer.assignors=uniform,sticky-nonsense")
	if err == nil || !strings.Contains(out, "group.consumer.assignors") {
		t.Fatalf("unknown assignor: exit %v, output should name group.consumer.assignors:\n%s", err, out)
	}
}
