//go:build interop

package interop

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// monitoringDir holds the alert rules, their promtool unit tests and the Grafana dashboard.
var monitoringDir = filepath.Join("..", "..", "docs", "monitoring")

// needTool returns the path of a program install-deps.sh installs, failing the test (not
// skipping it) when it is missing, so CI cannot pass without running the check.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: run bash test/interop/install-deps.sh (it installs the Debian prometheus package)", name)
	}
	return p
}

// TestAlertRulesPromtool checks the shipped alert rules with promtool and runs their unit tests
// (docs/monitoring/odradek-alerts.test.yml: synthetic series, each alert firing and clearing).
func TestAlertRulesPromtool(t *testing.T) {
	promtool := needTool(t, "promtool")
	for _, args := range [][]string{
		{"check", "rules", "odradek-alerts.yml"},
		{"test", "rules", "odradek-alerts.test.yml"},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = monitoringDir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
			continue
		}
		t.Logf("promtool %s:\n%s", strings.Join(args, " "), out)
	}
}
