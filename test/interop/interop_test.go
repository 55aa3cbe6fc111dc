//go:build interop

// Package interop runs unmodified Kafka clients and Kafka's own tools (kcat, confluent-kafka
// Python, the Java client, Kafka's CLI tools and DumpLogSegments) against one broker.
//
// By default it starts $ODRADEK_BIN in dev mode on free loopback ports, runs every suite as a
// subtest, stops the server with SIGTERM and runs DumpLogSegments over its data dir.
// With INTEROP_BOOTSTRAP=host:port it uses that running broker instead (how the suites are
// validated against Apache Kafka, see bench/kafka/kafka-server.sh); DumpLogSegments then runs
// only if INTEROP_DATA_DIR names the broker's log dir, after INTEROP_STOP_CMD (if set, run by
// sh -c) has stopped the broker so its logs are closed cleanly.
// INTEROP_SUITES=kcat,python,... runs only the named suites ("groups" selects every groups-*
// suite). The consumer-group suites first ask the broker's ApiVersions whether it serves the
// group APIs they use and skip, naming what is missing, when it does not.
//
// Everything the suites need is installed by install-deps.sh (make test-interop runs it).
package interop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// suite is one client or tool suite: a program run with the bootstrap address as its last
// argument, which exits non-zero with a message on failure (3, with a SKIP line, when the broker
// clearly refuses a feature the suite needs: the subtest is then skipped).
type suite struct {
	name  string
	argv  []string
	needs []int16 // API keys the broker must advertise, else the suite is skipped
}

// suites run in this order; each creates its own uniquely named topics.
var suites = []suite{
	{"kcat", []string{"bash", "suites/kcat.sh"}, nil},
	{"python", []string{".venv/bin/python", "suites/python_clients.py"}, nil},
	{"java", []string{"bash", "suites/java_clients.sh"}, nil},
	{"kafka-cli", []string{"bash", "suites/kafka_cli.sh"}, nil},
	{"groups-python-classic", []string{".venv/bin/python", "suites/python_groups.py", "classic"}, classicGroupAPIs},
	{"groups-python-consumer", []string{".venv/bin/python", "suites/python_groups.py", "consumer"}, consumerGroupAPIs},
	{"groups-java-classic", []string{"bash", "suites/java_groups.sh", "classic"}, classicGroupAPIs},
	{"groups-java-consumer", []string{"bash", "suites/java_groups.sh", "consumer"}, consumerGroupAPIs},
	{"groups-cli", []string{"bash", "suites/consumer_groups_cli.sh"}, classicGroupAPIs},
	{"groups-migration", []string{"bash", "suites/java_groups.sh", "migration"}, union(classicGroupAPIs, consumerGroupAPIs)},
}

// skipExitCode is the exit status of a suite that found the broker refusing, with a clear
// error, a feature the suite needs (it prints a SKIP line saying which): the subtest is skipped.
const skipExitCode = 3

// suiteTimeout bounds one suite so a hung client fails the run instead of eating CI's budget.
const suiteTimeout = 5 * time.Minute

func TestInterop(t *testing.T) {
	checkDeps(t)
	b := startBroker(t)

	dumpTopic := fmt.Sprintf("interop-dumplog-%d-%d", time.Now().Unix(), os.Getpid())
	for _, s := range suites {
		if !selected(s.name) {
			continue
		}
		if !b.alive(t) {
			break
		}
		t.Run(s.name, func(t *testing.T) {
			missing, err := missingAPIs(context.Background(), b.bootstrap, s.needs)
			if err != nil {
				t.Fatalf("probe the broker's APIs for %s: %v", s.name, err)
			}
			if len(missing) > 0 {
				t.Skip(describeMissing(s.name, missing))
			}
			runSuite(t, append(append([]string{}, s.argv...), b.bootstrap)...)
		})
	}
	produced := false
	if selected("dumplog") && b.logDir != "" && b.alive(t) {
		produced = t.Run("dumplog-produce", func(t *testing.T) {
			runSuite(t, "bash", "suites/dumplog.sh", "produce", b.bootstrap, dumpTopic)
		})
	}

	b.stop(t)

	switch {
	case !selected("dumplog"):
	case b.logDir == "":
		t.Log("DumpLogSegments suite skipped: external broker and INTEROP_DATA_DIR not set")
	case !produced:
		t.Log("DumpLogSegments suite skipped: producing its records failed")
	default:
		t.Run("dumplog", func(t *testing.T) {
			runSuite(t, "bash", "suites/dumplog.sh", "verify", b.logDir, dumpTopic)
		})
	}
}

// selected reports whether INTEROP_SUITES (comma separated; empty means all) names suite.
func selected(name string) bool {
	only := os.Getenv("INTEROP_SUITES")
	if only == "" {
		return true
	}
	for _, s := range strings.Split(only, ",") {
		s = strings.TrimSpace(s)
		if s == name || (s == "groups" && strings.HasPrefix(name, "groups-")) {
			return true
		}
	}
	return false
}

// checkDeps fails early, naming the fix, when install-deps.sh has not run for a selected suite.
func checkDeps(t *testing.T) {
	t.Helper()
	needs := []struct {
		what   string
		suites []string
		ok     func() bool
	}{
		{"kcat", []string{"kcat", "dumplog"}, func() bool { _, err := exec.LookPath("kcat"); return err == nil }},
		{".venv", []string{"python", "groups-python-classic", "groups-python-consumer"}, func() bool { return exists(".venv/bin/python") }},
		{"lib/ (Kafka jars)", []string{"java", "kafka-cli", "dumplog", "groups-cli"}, func() bool {
			jars, _ := filepath.Glob("lib/kafka-clients-*.jar")
			return len(jars) > 0
		}},
		{"lib/interop-suites.jar", []string{"java", "groups-java-classic", "groups-java-consumer", "groups-migration"}, func() bool { return exists("lib/interop-suites.jar") }},
	}
	var missing []string
	for _, n := range needs {
		for _, s := range n.suites {
			if selected(s) && !n.ok() {
				missing = append(missing, n.what)
				break
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("interop dependencies missing (%s): run bash test/interop/install-deps.sh",
			strings.Join(missing, ", "))
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// runSuite runs one suite program in test/interop, streaming its output into the test log.
// The suite runs in its own process group so that a timeout also ends the JVMs and clients it
// started.
func runSuite(t *testing.T, argv ...string) {
	t.Helper()
	timeout := suiteTimeout
	// Leave time before go test's own -timeout to stop the server and report, rather than
	// ending in go test's panic with no word on which client hung.
	if deadline, ok := t.Deadline(); ok && time.Until(deadline)-time.Minute < timeout {
		timeout = max(time.Until(deadline)-time.Minute, 10*time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	out := newLineLogger(t.Log, "")
	defer out.Close()
	cmd.Stdout = out
	cmd.Stderr = out
	start := time.Now()
	err := cmd.Run()
	out.Close()
	if ctx.Err() != nil {
		t.Fatalf("%s: timed out after %v", strings.Join(argv, " "), timeout)
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == skipExitCode {
		t.Skipf("%s: the broker refused a feature this suite needs (SKIP line above), after %v",
			strings.Join(argv, " "), time.Since(start).Round(time.Millisecond))
	}
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(argv, " "), err)
	}
	t.Logf("suite finished in %v", time.Since(start).Round(time.Millisecond))
}
