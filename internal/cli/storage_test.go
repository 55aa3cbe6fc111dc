package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odradek/odradek/internal/metaprops"
)

func runStorage(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := NewRoot()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(append([]string{"storage"}, args...))
	err := root.Execute()
	return out.String(), errb.String(), err
}

func writeServerProps(t *testing.T, dir string, extra string) string {
	t.Helper()
	p := filepath.Join(dir, "server.properties")
	content := "process.roles=broker,controller\nnode.id=1\n" +
		"listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n" +
		"advertised.listeners=PLAINTEXT://localhost:9092\ncontroller.listener.names=CONTROLLER\n" +
		"log.dirs=" + filepath.Join(dir, "data") + "\n" + extra
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStorageRandomUUID(t *testing.T) {
	out, _, err := runStorage(t, "random-uuid")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := metaprops.ParseUUID(strings.TrimSpace(out)); err != nil {
		t.Errorf("random-uuid printed %q: %v", out, err)
	}
}

func TestStorageFormatInfo(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerProps(t, dir, "controller.quorum.bootstrap.servers=127.0.0.1:9093\n")
	data := filepath.Join(dir, "data")

	_, _, err := runStorage(t, "info", "-c", cfg)
	if err == nil {
		t.Error("info on a missing dir must fail")
	}
	_, _, err = runStorage(t, "format", "-c", cfg, "-t", "MkU3OEVBNTcwNTJENDM2Qg")
	if err == nil || !strings.Contains(err.Error(), "--standalone") {
		t.Errorf("dynamic quorum without --standalone: %v", err)
	}
	out, _, err := runStorage(t, "format", "--config", cfg, "--cluster-id", "MkU3OEVBNTcwNTJENDM2Qg", "--standalone")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Formatting metadata directory "+data) {
		t.Errorf("format output %q", out)
	}
	if _, err := os.Stat(filepath.Join(data, metaprops.BootstrapFileName)); err != nil {
		t.Errorf("bootstrap.json: %v", err)
	}
	_, _, err = runStorage(t, "format", "-c", cfg, "-t", "MkU3OEVBNTcwNTJENDM2Qg", "-s")
	if err == nil || !strings.Contains(err.Error(), "already formatted") {
		t.Errorf("second format: %v", err)
	}
	out, _, err = runStorage(t, "format", "-c", cfg, "-t", "MkU3OEVBNTcwNTJENDM2Qg", "-s", "-g")
	if err != nil || !strings.Contains(out, "already formatted") {
		t.Errorf("--ignore-formatted: %v %q", err, out)
	}
	out, _, err = runStorage(t, "info", "-c", cfg)
	want := "Found log directory:\n  " + data + "\n\nFound metadata: {cluster.id=MkU3OEVBNTcwNTJENDM2Qg, node.id=1, version=1}\n\n"
	if err != nil || out != want {
		t.Errorf("info: %v\n%q\nwant\n%q", err, out, want)
	}
}

func TestStorageFormatErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := writeServerProps(t, dir, "controller.quorum.voters=1@127.0.0.1:9093\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"format", "-c", cfg}, "--cluster-id is required"},
		{[]string{"format", "-t", "MkU3OEVBNTcwNTJENDM2Qg"}, "--config is required"},
		{[]string{"format", "-c", cfg, "-t", "nope"}, "random-uuid"},
		{[]string{"format", "-c", cfg, "-t", "MkU3OEVBNTcwNTJENDM2Qg", "-s"}, "controller.quorum.voters"},
		{[]string{"format", "-c", filepath.Join(dir, "missing.properties"), "-t", "MkU3OEVBNTcwNTJENDM2Qg"}, "missing.properties"},
		{[]string{"format", "-c", cfg, "-t", "MkU3OEVBNTcwNTJENDM2Qg", "-S", "SCRAM-SHA-256=[name=a,password=b]"}, "--add-scram"},
	}
	for _, c := range cases {
		if _, _, err := runStorage(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	// Static voters need no quorum flag.
	if _, _, err := runStorage(t, "format", "-c", cfg, "-t", "MkU3OEVBNTcwNTJENDM2Qg"); err != nil {
		t.Errorf("static voters format: %v", err)
	}
}
