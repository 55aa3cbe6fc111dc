package metaprops

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odradek/odradek/internal/config"
)

func TestEncodeByteFormat(t *testing.T) {
	dir, _ := ParseUUID("pQRbXJzCTXiqBcYMWhc0ZA")
	mp := MetaProperties{Version: 1, ClusterID: "MkU3OEVBNTcwNTJENDM2Qg", NodeID: 1, DirectoryID: dir}
	now := time.Date(2026, 11, 21, 16, 9, 51, 0, time.UTC)
	want := "#\n#Sat Nov 21 16:09:51 UTC 2026\n" +
		"node.id=1\ndirectory.id=pQRbXJzCTXiqBcYMWhc0ZA\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qg\n"
	if got := string(Encode(mp, now)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	back, err := Decode([]byte(want))
	if err != nil || back != mp {
		t.Errorf("round trip %+v %v", back, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]string{
		"version=0\ncluster.id=x\nnode.id=1\n":                     "version 0",
		"cluster.id=x\nnode.id=1\n":                                "missing version",
		"version=1\nnode.id=1\n":                                   "missing cluster.id",
		"version=1\ncluster.id=x\n":                                "missing node.id",
		"version=1\ncluster.id=x\nnode.id=-3\n":                    "bad node.id",
		"version=1\ncluster.id=x\nnode.id=1\ndirectory.id=short\n": "directory.id",
	}
	for in, want := range cases {
		if _, err := Decode([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%q) = %v, want %q", in, err, want)
		}
	}
	// Files from Kafka before directory ids still load.
	mp, err := Decode([]byte("#\n#x\nversion=1\ncluster.id=abc\nnode.id=2\n"))
	if err != nil || mp.NodeID != 2 || !mp.DirectoryID.IsZero() {
		t.Errorf("legacy file: %+v %v", mp, err)
	}
}

func TestRandomUUID(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		u, err := RandomUUID(r)
		if err != nil {
			t.Fatal(err)
		}
		s := u.String()
		if len(s) != 22 || strings.HasPrefix(s, "-") || seen[s] {
			t.Fatalf("bad uuid %q", s)
		}
		seen[s] = true
		if back, err := ParseUUID(s); err != nil || back != u {
			t.Fatalf("parse %q: %v", s, err)
		}
		if u[6]>>4 != 4 || u[8]>>6 != 2 {
			t.Fatalf("not a v4 uuid: %x", u)
		}
	}
	for _, bad := range []string{"", "abc", "MkU3OEVBNTcwNTJENDM2Qg==", "MkU3OEVBNTcwNTJENDM2Q!"} {
		if _, err := ParseUUID(bad); err == nil {
			t.Errorf("ParseUUID(%q) accepted", bad)
		}
	}
}

func loadCfg(t *testing.T, extra ...string) *config.Config {
	t.Helper()
	cfg, _, err := config.Load(config.LoadOptions{Overrides: append(config.DevDefaults(), extra...)})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestFormatAndCheck(t *testing.T) {
	root := t.TempDir()
	a, b, m := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "meta")
	cfg := loadCfg(t, "log.dirs="+a+","+b, "metadata.log.dir="+m)

	err := Check([]string{a, b, m})
	if err == nil || !strings.Contains(err.Error(), "odradek storage format -t <cluster-id> -c <config>") {
		t.Fatalf("unformatted check: %v", err)
	}
	var out bytes.Buffer
	id := "MkU3OEVBNTcwNTJENDM2Qg"
	if err := Format(FormatOptions{Config: cfg, ClusterID: id, Out: &out, Rand: rand.New(rand.NewSource(2))}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Formatting metadata directory "+m) || strings.Count(out.String(), "Formatting data directory") != 2 {
		t.Errorf("output %q", out.String())
	}
	if err := Check([]string{a, b, m}); err != nil {
		t.Fatal(err)
	}
	e, err := Verify(cfg)
	if err != nil || e.ClusterID != id || len(e.DirectoryIDs) != 3 {
		t.Fatalf("verify %+v %v", e, err)
	}
	if e.DirectoryIDs[a] == e.DirectoryIDs[b] {
		t.Error("directory ids must differ per dir")
	}
	if _, err := os.Stat(filepath.Join(m, BootstrapFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Error("static voters: no bootstrap.json expected")
	}

	err = Format(FormatOptions{Config: cfg, ClusterID: id})
	if err == nil || !strings.Contains(err.Error(), "already formatted") || !strings.Contains(err.Error(), "--ignore-formatted") {
		t.Errorf("reformat: %v", err)
	}
	out.Reset()
	if err := Format(FormatOptions{Config: cfg, ClusterID: id, IgnoreFormatted: true, Out: &out}); err != nil ||
		!strings.Contains(out.String(), "All of the log directories are already formatted.") {
		t.Errorf("ignore formatted: %v %q", err, out.String())
	}

	// A wrong node id or cluster id is refused at startup.
	if _, err := Verify(loadCfg(t, "log.dirs="+a+","+b, "metadata.log.dir="+m, "node.id=2", "controller.quorum.voters=2@127.0.0.1:9093")); err == nil || !strings.Contains(err.Error(), "node.id") {
		t.Errorf("node id mismatch: %v", err)
	}
	other := filepath.Join(root, "other")
	cfg2 := loadCfg(t, "log.dirs="+other)
	if err := Format(FormatOptions{Config: cfg2, ClusterID: "AAAAAAAAAAAAAAAAAAAAAQ"}); err != nil {
		t.Fatal(err)
	}
	if err := Check([]string{a, other}); err == nil || !strings.Contains(err.Error(), "different clusters") {
		t.Errorf("mixed clusters: %v", err)
	}
}

func TestFormatRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCfg(t, "log.dirs="+dir)
	if err := Format(FormatOptions{Config: cfg, ClusterID: "not-a-uuid"}); err == nil || !strings.Contains(err.Error(), "random-uuid") {
		t.Errorf("bad cluster id: %v", err)
	}
	if err := Format(FormatOptions{Config: cfg, ClusterID: "MkU3OEVBNTcwNTJENDM2Qg", Standalone: true}); err == nil || !strings.Contains(err.Error(), "controller.quorum.voters") {
		t.Errorf("standalone with static voters: %v", err)
	}
	dyn := loadCfg(t, "log.dirs="+dir, "controller.quorum.voters=", "controller.quorum.bootstrap.servers=127.0.0.1:9093")
	if err := Format(FormatOptions{Config: dyn, ClusterID: "MkU3OEVBNTcwNTJENDM2Qg"}); err == nil || !strings.Contains(err.Error(), "--standalone") {
		t.Errorf("dynamic quorum without flag: %v", err)
	}
	if err := Format(FormatOptions{Config: dyn, ClusterID: "MkU3OEVBNTcwNTJENDM2Qg", Standalone: true, NoInitialControllers: true}); err == nil {
		t.Error("two quorum flags accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused format must not write anything")
	}
}

func TestFormatStandaloneWritesBootstrap(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCfg(t, "log.dirs="+dir, "controller.quorum.voters=", "controller.quorum.bootstrap.servers=127.0.0.1:9093")
	id := "MkU3OEVBNTcwNTJENDM2Qg"
	if err := Format(FormatOptions{Config: cfg, ClusterID: id, Standalone: true}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, BootstrapFileName))
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		ClusterID string `json:"cluster_id"`
		Voters    []struct {
			NodeID    int32    `json:"node_id"`
			Endpoints []string `json:"endpoints"`
		} `json:"voters"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.ClusterID != id || len(raw.Voters) != 1 || raw.Voters[0].NodeID != 1 ||
		len(raw.Voters[0].Endpoints) != 1 || raw.Voters[0].Endpoints[0] != "CONTROLLER://127.0.0.1:9093" {
		t.Errorf("bootstrap.json %s", data)
	}
	b, _ := ReadBootstrap(dir)
	mp, _ := Read(dir)
	if b.Voters[0].DirectoryID != mp.DirectoryID.String() {
		t.Errorf("voter directory id %s != meta dir id %s", b.Voters[0].DirectoryID, mp.DirectoryID)
	}
}

func TestFormatInitialControllers(t *testing.T) {
	dir := t.TempDir()
	cfg := loadCfg(t, "log.dirs="+dir, "controller.quorum.voters=", "controller.quorum.bootstrap.servers=127.0.0.1:9093")
	flag := "1@127.0.0.1:9093:pQRbXJzCTXiqBcYMWhc0ZA,2@[::1]:9094:MkU3OEVBNTcwNTJENDM2Qg"
	if err := Format(FormatOptions{Config: cfg, ClusterID: "MkU3OEVBNTcwNTJENDM2Qg", InitialControllers: flag}); err != nil {
		t.Fatal(err)
	}
	b, err := ReadBootstrap(dir)
	if err != nil || len(b.Voters) != 2 || b.Voters[1].Endpoints[0] != "CONTROLLER://[::1]:9094" {
		t.Fatalf("bootstrap %+v %v", b, err)
	}
	mp, _ := Read(dir)
	if mp.DirectoryID.String() != "pQRbXJzCTXiqBcYMWhc0ZA" {
		t.Errorf("metadata dir id %s should come from --initial-controllers", mp.DirectoryID)
	}
	for _, bad := range []string{"1@h:9093", "x@h:1:pQRbXJzCTXiqBcYMWhc0ZA", "1@h:0:pQRbXJzCTXiqBcYMWhc0ZA", "1@h:1:bad", ""} {
		if _, err := ParseInitialControllers(bad, "CONTROLLER"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestEnsureFormattedDev(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := loadCfg(t, "log.dirs="+dir)
	formatted, id, err := EnsureFormattedDev(cfg)
	if err != nil || !formatted || len(id) != 22 {
		t.Fatalf("first start: %v %q %v", formatted, id, err)
	}
	formatted, id2, err := EnsureFormattedDev(cfg)
	if err != nil || formatted || id2 != id {
		t.Fatalf("second start: %v %q %v", formatted, id2, err)
	}
	mp, err := Read(dir)
	if err != nil || mp.ClusterID != id || mp.NodeID != 1 || mp.DirectoryID.IsZero() {
		t.Errorf("meta.properties %+v %v", mp, err)
	}
}
