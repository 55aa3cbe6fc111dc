//go:build interop

package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// lagAlert is the alert the end-to-end test drives; the test lowers its
// threshold and delay in a copy of the rules file (docs/monitoring.md).
const lagAlert = "KafkaConsumerGroupLagHigh"

// alertWait bounds each wait for Prometheus to see a change (scrape and
// evaluation run every second).
const alertWait = 45 * time.Second

// TestPrometheusLagAlert runs a real Prometheus against a running Odradek: the consumer-lag
// alert fires when a group falls behind and clears when it catches up. It also checks that
// every metric the Grafana dashboard queries is one the server exposes.
func TestPrometheusLagAlert(t *testing.T) {
	prom := needTool(t, "prometheus")
	b := startBroker(t)
	if b.httpAddr == "" {
		t.Skip("external broker: its HTTP listener is unknown")
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "odradek-alerts.yml")
	writeLoweredRules(t, filepath.Join(monitoringDir, "odradek-alerts.yml"), rules)
	promAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	startPrometheus(t, prom, dir, rules, promAddr, b.httpAddr)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	topic, group := fmt.Sprintf("prom-lag-%d", time.Now().UnixNano()), "prom-lag-group"
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.bootstrap), kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, topic); err != nil {
		t.Fatalf("create topic: %v", err)
	}
	produce := func(n int) {
		t.Helper()
		for i := 0; i < n; i++ {
			if err := cl.ProduceSync(ctx, kgo.StringRecord(fmt.Sprint(i))).FirstErr(); err != nil {
				t.Fatalf("produce: %v", err)
			}
		}
	}

	produce(10)
	consumeAll(t, ctx, b.bootstrap, topic, group, 10)
	waitLagSeen(t, ctx, promAddr, group, "0") // Prometheus has scraped the caught-up group
	waitAlert(t, ctx, promAddr, group, false)

	produce(20) // the group is now 20 behind; the lowered threshold is 5
	waitAlert(t, ctx, promAddr, group, true)

	consumeAll(t, ctx, b.bootstrap, topic, group, 20)
	waitAlert(t, ctx, promAddr, group, false)

	checkDashboardMetrics(t, b.httpAddr)
}

// writeLoweredRules copies the shipped rules with the lag alert's threshold at 5 messages
// and its `for:` at 2s, so the test sees it fire within seconds. Nothing else changes.
func writeLoweredRules(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	in, exprDone, forDone := false, false, false
	threshold := regexp.MustCompile(`>\s*\d+\s*$`)
	for i, l := range lines {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "- alert:") {
			in = trimmed == "- alert: "+lagAlert
			continue
		}
		if !in {
			continue
		}
		switch {
		case strings.HasPrefix(trimmed, "expr:") && threshold.MatchString(l):
			lines[i], exprDone = threshold.ReplaceAllString(l, "> 5"), true
		case strings.HasPrefix(trimmed, "for:"):
			lines[i], forDone = l[:strings.Index(l, "for:")]+"for: 2s", true
		}
	}
	if !exprDone || !forDone {
		t.Fatalf("%s: could not find the threshold and for: of %s to lower (expr found %v, for found %v)", from, lagAlert, exprDone, forDone)
	}
	if err := os.WriteFile(to, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startPrometheus runs Prometheus on addr, scraping target and evaluating rules every
// second, and stops it when the test ends.
func startPrometheus(t *testing.T, bin, dir, rules, addr, target string) {
	t.Helper()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: odradek
    static_configs:
      - targets: [%q]
`, rules, target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "prometheus.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		t.Fatalf("start prometheus: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		out.Close()
		if t.Failed() {
			if log, err := os.ReadFile(out.Name()); err == nil {
				t.Logf("--- prometheus output ---\n%s", log)
			}
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatal("prometheus exited before it was ready")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready on %s: %v", addr, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// consumeAll reads n more records as a member of group and commits them, then leaves.
func consumeAll(t *testing.T, ctx context.Context, bootstrap, topic, group string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.ConsumerGroup(group), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for got := 0; got < n; {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d records: %v", got, n, err)
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Logf("fetch: %v", err) })
		got += fs.NumRecords()
	}
	if err := cl.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

// waitLagSeen polls Prometheus until it has scraped the group's summed lag at want.
func waitLagSeen(t *testing.T, ctx context.Context, promAddr, group, want string) {
	t.Helper()
	q := url.Values{"query": {fmt.Sprintf("sum(kafka_consumergroup_lag_sum{consumergroup=%q})", group)}}
	deadline := time.Now().Add(alertWait)
	last := ""
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+promAddr+"/api/v1/query?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("query API: %v", err)
		}
		var body struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("decoding /api/v1/query: %v", err)
		}
		if r := body.Data.Result; len(r) == 1 {
			if last, _ = r[0].Value[1].(string); last == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus never saw lag %s for %s within %v (last %q)", want, group, alertWait, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

type promAlert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

// waitAlert polls Prometheus' alerts until the lag alert for group is firing (firing=true)
// or neither pending nor firing (firing=false).
func waitAlert(t *testing.T, ctx context.Context, promAddr, group string, firing bool) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(alertWait)
	var last []promAlert
	for {
		alerts, err := fetchAlerts(ctx, promAddr)
		if err != nil {
			t.Fatalf("alerts API: %v", err)
		}
		last = alerts
		state := ""
		for _, a := range alerts {
			if a.Labels["alertname"] == lagAlert && a.Labels["consumergroup"] == group {
				state = a.State
			}
		}
		if firing && state == "firing" || !firing && state == "" {
			t.Logf("%s for %s: firing=%v after %v", lagAlert, group, firing, time.Since(start).Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s for %s: want firing=%v after %v; alerts now %+v", lagAlert, group, firing, alertWait, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func fetchAlerts(ctx context.Context, promAddr string) ([]promAlert, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+promAddr+"/api/v1/alerts", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Data   struct {
			Alerts []promAlert `json:"alerts"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("decoding /api/v1/alerts: %w", err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("/api/v1/alerts status %q", body.Status)
	}
	return body.Data.Alerts, nil
}

// metricRef finds the server's metric names in a PromQL expression.
var metricRef = regexp.MustCompile(`\b(?:kafka|odradek)_[a-zA-Z0-9_:]*`)

// checkDashboardMetrics parses the Grafana dashboard and checks that every metric its panels
// and variables query is a family the server's /metrics declares, so the dashboard cannot
// drift from the metric names.
func checkDashboardMetrics(t *testing.T, httpAddr string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(monitoringDir, "odradek-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("odradek-dashboard.json does not parse: %v", err)
	}
	queried := map[string]string{} // metric -> where
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range metricRef.FindAllString(tg.Expr, -1) {
				queried[m] = "panel " + p.Title
			}
		}
	}
	for _, v := range dash.Templating.List {
		for _, m := range metricRef.FindAllString(v.Definition, -1) {
			queried[m] = "variable " + v.Name
		}
	}
	if len(queried) == 0 {
		t.Fatal("the dashboard queries no metric")
	}
	exposed := exposedFamilies(t, httpAddr)
	var missing []string
	for m, where := range queried {
		family := m
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(m, suffix); ok && exposed[base] == "histogram" {
				family = base
			}
		}
		if exposed[family] == "" {
			missing = append(missing, fmt.Sprintf("%s (%s)", m, where))
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("the dashboard queries metrics /metrics does not expose:\n  %s", strings.Join(missing, "\n  "))
	}
}

// exposedFamilies reads the # TYPE lines of /metrics: every family the server declares,
// with or without samples yet.
func exposedFamilies(t *testing.T, httpAddr string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(scrapeText(t, httpAddr), "\n") {
		if f := strings.Fields(l); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			out[f[2]] = f[3]
		}
	}
	return out
}

// scrapeText fetches the server's /metrics in the text format.
func scrapeText(t *testing.T, httpAddr string) string {
	t.Helper()
	resp, err := http.Get("http://" + httpAddr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading /metrics: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, body)
	}
	return string(body)
}
