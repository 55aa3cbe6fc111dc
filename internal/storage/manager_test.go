package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

func TestManagerStartClose(t *testing.T) {
	e := newTestEnv(t)
	e.m.Start()
	e.m.Start() // idempotent
	l := e.log("t", 0, DefaultLogConfig())
	mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	e.clock.Advance(10 * time.Minute) // ticks are consumed by the loops
	if err := e.m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	e.m = nil
}

func TestManagerLoadsAndPicksDirs(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	open := func() *Manager {
		m, err := NewManager(ManagerConfig{Dirs: dirs, Clock: newTestEnv(t).clock, Logger: quietLogger(), Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := open()
	for p := int32(0); p < 4; p++ {
		l, err := m.GetOrCreateLog("t", p, [16]byte{9}, DefaultLogConfig())
		if err != nil {
			t.Fatal(err)
		}
		mustAppend(t, l, buildBatch(t, plainBatch(int(p)+1, nowMs())))
	}
	infos := m.DirInfos()
	if len(infos) != 2 || len(infos[0].Partitions) != 2 || len(infos[1].Partitions) != 2 {
		t.Fatalf("partitions not spread over dirs: %+v", infos)
	}
	if infos[0].TotalBytes <= 0 || infos[0].Partitions[0].Size <= 0 {
		t.Fatalf("dir info sizes: %+v", infos[0])
	}
	m.SetBrokerEpoch(42)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = open()
	defer m.Close()
	if got := m.PreviousBrokerEpoch(); got != 42 {
		t.Fatalf("previous broker epoch %d", got)
	}
	if len(m.Logs()) != 4 {
		t.Fatalf("%d logs reloaded", len(m.Logs()))
	}
	for p := int32(0); p < 4; p++ {
		if l := m.Log("t", p); l == nil || l.LogEndOffset() != int64(p)+1 || l.TopicID() != [16]byte{9} {
			t.Fatalf("partition %d reloaded wrong", p)
		}
	}
	if m.Log("t", 9) != nil {
		t.Fatalf("unknown partition returned a log")
	}
	if _, err := m.GetOrCreateLog("../x", 0, [16]byte{}, DefaultLogConfig()); err == nil {
		t.Fatalf("path-escaping topic accepted")
	}
	bad := DefaultLogConfig()
	bad.MessageTimestampType = "Whenever"
	if _, err := m.GetOrCreateLog("x", 0, [16]byte{}, bad); err == nil {
		t.Fatalf("invalid config accepted")
	}
}

func TestParsePartitionDir(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want TopicPartition
	}{
		{"t-0", true, TopicPartition{"t", 0}},
		{"my-topic-12", true, TopicPartition{"my-topic", 12}},
		{"t-", false, TopicPartition{}},
		{"-1", false, TopicPartition{}},
		{"t-x", false, TopicPartition{}},
		{"t-0.abc-future", false, TopicPartition{}},
	}
	for _, tc := range tests {
		got, ok := parsePartitionDir(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parsePartitionDir(%q) = %v %v", tc.in, got, ok)
		}
	}
}

func TestUncleanShutdownRecoversWithoutMarker(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	for i := 0; i < 5; i++ {
		mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	}
	e.crash()
	if _, err := os.Stat(filepath.Join(e.dir, cleanShutdownFile)); !os.IsNotExist(err) {
		t.Fatalf("marker present after crash")
	}
	if got := e.m.Log("t", 0).LogEndOffset(); got != 5 {
		t.Fatalf("LEO after crash %d", got)
	}
	if e.m.PreviousBrokerEpoch() != -1 {
		t.Fatalf("previous epoch after crash %d", e.m.PreviousBrokerEpoch())
	}
}

func TestLogDirFailure(t *testing.T) {
	e := newTestEnv(t)
	l := e.log("t", 0, DefaultLogConfig())
	mustAppend(t, l, buildBatch(t, plainBatch(1, nowMs())))
	// Pull the file out from under the log, as a failing disk would.
	l.activeSegment().log.Close()
	if _, err := l.Append(buildBatch(t, plainBatch(1, nowMs())), AppendOptions{AssignOffsets: true}); !errors.Is(err, kerr.KafkaStorageError) {
		t.Fatalf("append on a failed file: %v", err)
	}
	if _, err := l.Read(0, 1000, 1, true); !errors.Is(err, kerr.KafkaStorageError) {
		t.Fatalf("read from an offline dir: %v", err)
	}
	if info := e.m.DirInfos(); info[0].Err == nil {
		t.Fatalf("dir not reported offline")
	}
	if _, err := e.m.GetOrCreateLog("u", 0, [16]byte{}, DefaultLogConfig()); !errors.Is(err, kerr.KafkaStorageError) {
		t.Fatalf("create with every dir offline: %v", err)
	}
	if err := e.m.Close(); err == nil {
		t.Fatalf("Close reported a clean shutdown of an offline dir")
	}
	e.m = nil
	if _, err := os.Stat(filepath.Join(e.dir, cleanShutdownFile)); !os.IsNotExist(err) {
		t.Fatalf("offline dir marked clean")
	}
}

func TestMetadataLogDirLeftAlone(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, MetadataTopic+"-0")
	os.MkdirAll(md, 0o755)
	garbage := []byte("not ours to recover")
	os.WriteFile(filepath.Join(md, "00000000000000000000.log"), garbage, 0o644)
	m := openDir(t, dir)
	if m.Log(MetadataTopic, 0) != nil {
		t.Fatalf("metadata log loaded as a partition")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(md)
	got, _ := os.ReadFile(filepath.Join(md, "00000000000000000000.log"))
	if len(ents) != 1 || string(got) != string(garbage) {
		t.Fatalf("metadata log dir touched: %d entries", len(ents))
	}
}
