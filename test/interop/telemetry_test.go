//go:build interop

package interop

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// telemetryWait bounds the wait for a client's first pushed metrics (the subscription asks
// for a push every 500 ms; clients first fetch it, then jitter their first push).
const telemetryWait = 60 * time.Second

// pythonTelemetryProducer produces for a while with librdkafka's defaults
// (enable.metrics.push=true), so it pushes KIP-714 metrics.
const pythonTelemetryProducer = `
import sys, time
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "client.id": sys.argv[2]})
end = time.time() + float(sys.argv[3])
while time.time() < end:
    p.produce(sys.argv[4], b"x" * 100)
    p.poll(0.05)
p.flush(10)
`

// TestClientTelemetry makes a client metrics subscription with Kafka's own
// kafka-client-metrics tool, runs the Java producer (Kafka's producer perf tool) and a
// librdkafka producer with their default enable.metrics.push=true, and waits for the
// metrics they push to appear on the broker's /metrics.
func TestClientTelemetry(t *testing.T) {
	if _, err := os.Stat("lib/interop-suites.jar"); err != nil {
		t.Fatal("no Kafka jars in test/interop/lib: run bash test/interop/install-deps.sh")
	}
	b := startBroker(t)
	if b.httpAddr == "" {
		t.Skip("external broker: its HTTP listener is unknown")
	}
	sub := fmt.Sprintf("interop-telemetry-%d", time.Now().UnixNano())
	out := runJava(t, "org.apache.kafka.tools.ClientMetricsCommand", "--bootstrap-server", b.bootstrap,
		"--alter", "--name", sub, "--metrics", "org.apache.kafka.producer.", "--interval", "500",
		"--match", "client_id=telemetry-.*")
	if !strings.Contains(out, "Altered client metrics config for "+sub) {
		t.Fatalf("kafka-client-metrics --alter printed:\n%s", out)
	}
	out = runJava(t, "org.apache.kafka.tools.ClientMetricsCommand", "--bootstrap-server", b.bootstrap, "--describe", "--name", sub)
	for _, want := range []string{"interval.ms=500", "match=client_id=telemetry-.*", "metrics=org.apache.kafka.producer."} {
		if !strings.Contains(out, want) {
			t.Errorf("kafka-client-metrics --describe lacks %q:\n%s", want, out)
		}
	}
	if out = runJava(t, "org.apache.kafka.tools.ClientMetricsCommand", "--bootstrap-server", b.bootstrap, "--list"); !strings.Contains(out, sub) {
		t.Errorf("kafka-client-metrics --list lacks %s:\n%s", sub, out)
	}
	out = runJava(t, "kafka.admin.ConfigCommand", "--bootstrap-server", b.bootstrap, "--describe",
		"--entity-type", "client-metrics", "--entity-name", sub)
	if !strings.Contains(out, "interval.ms=500") {
		t.Errorf("kafka-configs --describe --entity-type client-metrics lacks interval.ms=500:\n%s", out)
	}

	t.Run("java", func(t *testing.T) {
		clientID := "telemetry-java"
		stop := startBackground(t, exec.Command("java", javaArgs("org.apache.kafka.tools.ProducerPerformance",
			"--topic", "interop-telemetry-java", "--num-records", "100000", "--throughput", "200", "--record-size", "100",
			"--producer-props", "bootstrap.servers="+b.bootstrap, "client.id="+clientID)...))
		defer stop()
		waitPushed(t, b.httpAddr, clientID, "org_apache_kafka_producer_record_send_total")
	})
	t.Run("librdkafka", func(t *testing.T) {
		if _, err := os.Stat(".venv/bin/python"); err != nil {
			t.Fatal("no .venv with confluent-kafka: run bash test/interop/install-deps.sh")
		}
		clientID := "telemetry-python"
		stop := startBackground(t, exec.Command(".venv/bin/python", "-c", pythonTelemetryProducer,
			b.bootstrap, clientID, "120", "interop-telemetry-python"))
		defer stop()
		waitPushed(t, b.httpAddr, clientID, "org_apache_kafka_producer_node_request_latency_avg")
	})

	if out = runJava(t, "org.apache.kafka.tools.ClientMetricsCommand", "--bootstrap-server", b.bootstrap, "--delete", "--name", sub); !strings.Contains(out, "Deleted client metrics config for "+sub) {
		t.Errorf("kafka-client-metrics --delete printed:\n%s", out)
	}
	if out = runJava(t, "org.apache.kafka.tools.ClientMetricsCommand", "--bootstrap-server", b.bootstrap, "--list"); strings.Contains(out, sub) {
		t.Errorf("deleted subscription %s still listed:\n%s", sub, out)
	}
}

// javaArgs are the java arguments that run a main class on the jars in lib/ with
// short-lived-JVM flags.
func javaArgs(main string, args ...string) []string {
	return append([]string{"-Xmx512M", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
		"-Dlog4j2.configurationFile=" + filepath.Join("java", "log4j2.properties"),
		"-cp", filepath.Join("lib", "*"), main}, args...)
}

// runJava runs a Kafka tool to completion and returns what it printed.
func runJava(t *testing.T, main string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "java", javaArgs(main, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", main, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startBackground starts a client that runs until stop, which kills it and reports its output
// if the test failed.
func startBackground(t *testing.T, cmd *exec.Cmd) (stop func()) {
	t.Helper()
	outPath := filepath.Join(t.TempDir(), "client.out")
	out, err := os.Create(outPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	return func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		out.Close()
		if t.Failed() {
			if data, err := os.ReadFile(outPath); err == nil {
				t.Logf("--- client output ---\n%s", data)
			}
		}
	}
}

// waitPushed polls /metrics until a series of metric carries client_id=clientID.
func waitPushed(t *testing.T, httpAddr, clientID, metric string) {
	t.Helper()
	start := time.Now()
	want := fmt.Sprintf(`client_id=%q`, clientID)
	for {
		if series := scrapeSeries(t, httpAddr, metric, want); len(series) > 0 {
			t.Logf("pushed after %v: %s", time.Since(start).Round(time.Millisecond), series[0])
			return
		}
		if time.Since(start) > telemetryWait {
			t.Fatalf("no %s{%s} on /metrics within %v", metric, want, telemetryWait)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// scrapeSeries returns the sample lines of metric whose labels contain label.
func scrapeSeries(t *testing.T, httpAddr, metric, label string) []string {
	t.Helper()
	body := scrapeText(t, httpAddr)
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, metric+"{") && strings.Contains(l, label) {
			out = append(out, l)
		}
	}
	return out
}
