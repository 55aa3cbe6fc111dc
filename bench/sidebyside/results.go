package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Run is one side-by-side run, written as bench/results/<timestamp>.json.
// The markdown table and the latency plot are generated from it alone, so a
// committed JSON file is enough to regenerate the docs.
type Run struct {
	Started     time.Time `json:"started"`
	DurationSec float64   `json:"duration_sec"`
	Profile     string    `json:"profile"`
	Machine     Machine   `json:"machine"`
	Settings    Settings  `json:"settings"`
	Physical    Physical  `json:"physical"`
	// Systems holds one entry per system, in the order they ran.
	Systems  []*SystemResult `json:"systems"`
	Commands []string        `json:"commands"`
	Notes    []string        `json:"notes,omitempty"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs        int     `json:"cpus"`
	CPUModel    string  `json:"cpu_model"`
	MemGiB      float64 `json:"mem_gib"`
	Kernel      string  `json:"kernel"`
	GoVersion   string  `json:"go_version"`
	JavaVersion string  `json:"java_version"`
	DataDir     string  `json:"data_dir"`
	Filesystem  string  `json:"filesystem"`
}

// Settings are the knobs both systems ran with.
type Settings struct {
	Nodes             int      `json:"nodes"`
	ReplicationFactor int      `json:"replication_factor"`
	Partitions        int      `json:"partitions"`
	RecordSize        int      `json:"record_size"`
	Producers         int      `json:"producers"`
	ManyProducers     int      `json:"many_producers"`
	KafkaHeap         string   `json:"kafka_heap"`
	KafkaJVMOpts      string   `json:"kafka_jvm_opts"`
	KafkaVersion      string   `json:"kafka_version"`
	OdradekVersion    string   `json:"odradek_version"`
	ServerProperties  []string `json:"server_properties"`
	FixedRate         float64  `json:"fixed_rate_records_per_sec"`
	FixedRateSeconds  float64  `json:"fixed_rate_seconds"`
	RecoveryTarget    int64    `json:"recovery_target_bytes"`
	ManyPartitions    int      `json:"many_partitions"`
	OpenFilesLimit    uint64   `json:"open_files_limit"`
}

// Physical is what the machine can do without any broker in the way.
type Physical struct {
	DiskWriteDirectMiBs   float64 `json:"disk_write_direct_mib_s"`
	DiskWriteBufferedMiBs float64 `json:"disk_write_buffered_fdatasync_mib_s"`
	DiskReadDirectMiBs    float64 `json:"disk_read_direct_mib_s"`
	DiskReadCachedMiBs    float64 `json:"disk_read_cached_mib_s"`
	LoopbackMiBs          float64 `json:"loopback_tcp_mib_s"`
	LoopbackConns         int     `json:"loopback_connections"`
	DiskTestBytes         int64   `json:"disk_test_bytes"`
	Error                 string  `json:"error,omitempty"`
}

// SystemResult is every measurement of one system.
type SystemResult struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// StartToReadyMs is from exec to the first Metadata answer listing every
	// node, on an empty, formatted data dir.
	StartToReadyMs float64            `json:"start_to_ready_ms"`
	Produce        []ProduceResult    `json:"produce"`
	Latency        []LatencyResult    `json:"latency"`
	Consume        []ConsumeResult    `json:"consume"`
	ManyPartitions *PartitionsResult  `json:"many_partitions,omitempty"`
	Recovery       *RecoveryResult    `json:"recovery,omitempty"`
	Resources      []ResourceResult   `json:"resources"`
	PeakRSSMiB     float64            `json:"peak_rss_mib"`
	Errors         map[string]string  `json:"errors,omitempty"`
	Extra          map[string]float64 `json:"extra,omitempty"`
}

// ProduceResult is one maximum-throughput produce run (workload a).
type ProduceResult struct {
	Workload     string  `json:"workload"`
	Tool         string  `json:"tool"`
	Producers    int     `json:"producers"`
	Keyed        bool    `json:"keyed"`
	Records      int64   `json:"records"`
	RecordsPerS  float64 `json:"records_per_sec"`
	MiBPerS      float64 `json:"mib_per_sec"`
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	P999Ms       float64 `json:"p999_ms"`
	ServerCPUSec float64 `json:"server_cpu_sec"`
}

// LatencyResult is one fixed-rate latency run (workload b). Percentiles maps
// a percentile ("50", "99.9", "100") to milliseconds.
type LatencyResult struct {
	Workload    string             `json:"workload"`
	Tool        string             `json:"tool"`
	Measures    string             `json:"measures"`
	RatePerS    float64            `json:"rate_per_sec"`
	Achieved    float64            `json:"achieved_per_sec"`
	Samples     int64              `json:"samples"`
	Percentiles map[string]float64 `json:"percentiles_ms"`
}

// ConsumeResult is one consume run (workload c).
type ConsumeResult struct {
	Workload     string  `json:"workload"`
	Tool         string  `json:"tool"`
	Group        bool    `json:"group"`
	Records      int64   `json:"records"`
	RecordsPerS  float64 `json:"records_per_sec"`
	MiBPerS      float64 `json:"mib_per_sec"`
	ServerCPUSec float64 `json:"server_cpu_sec"`
}

// PartitionsResult is workload d.
type PartitionsResult struct {
	Partitions      int     `json:"partitions"`
	CreateSec       float64 `json:"create_sec"`
	IdleCPUPercent  float64 `json:"idle_cpu_percent"`
	IdleRSSMiB      float64 `json:"idle_rss_mib"`
	ActiveRate      float64 `json:"active_rate_per_sec"`
	ActiveCPUPerc   float64 `json:"active_cpu_percent"`
	ActiveP50Ms     float64 `json:"active_p50_ms"`
	ActiveP99Ms     float64 `json:"active_p99_ms"`
	ActiveAchieved  float64 `json:"active_achieved_per_sec"`
	RestartReadyMs  float64 `json:"restart_to_ready_ms"`
	ActiveRSSMiB    float64 `json:"active_rss_mib"`
	ActiveDuration  float64 `json:"active_sec"`
	IdleDurationSec float64 `json:"idle_sec"`
}

// RecoveryResult is workload e after kill -9.
type RecoveryResult struct {
	LogBytes       int64   `json:"log_bytes"`
	TopicBytes     int64   `json:"filled_topic_bytes,omitempty"`
	FillMiBPerS    float64 `json:"fill_mib_per_sec"`
	ReadyMs        float64 `json:"restart_to_ready_ms"`
	ServeMs        float64 `json:"restart_to_serving_ms"`
	CleanStartMs   float64 `json:"clean_restart_to_ready_ms"`
	RecoveredBytes int64   `json:"log_bytes_after_recovery"`
}

// ResourceResult is the server's resource use over one workload (f).
type ResourceResult struct {
	Workload     string  `json:"workload"`
	BytesMoved   int64   `json:"bytes_moved"`
	CPUSec       float64 `json:"cpu_sec"`
	CPUSecPerGiB float64 `json:"cpu_sec_per_gib"`
	MaxRSSMiB    float64 `json:"max_rss_mib"`
	WallSec      float64 `json:"wall_sec"`
}

func (r *Run) system(name string) *SystemResult {
	for _, s := range r.Systems {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func readRun(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}
	return &r, nil
}
