package metaprops

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/odradek/odradek/internal/config"
)

// BootstrapFileName is written to metadata.log.dir by `storage format
// --standalone` or `--initial-controllers`; the quorum reads its voters
// from it when controller.quorum.voters is empty.
const BootstrapFileName = "bootstrap.json"

// BootstrapVoter is one initial voter of a dynamic quorum.
type BootstrapVoter struct {
	NodeID    int32    `json:"node_id"`
	Endpoints []string `json:"endpoints"` // "CONTROLLER://host:port"
	// DirectoryID is the voter's metadata directory id when known
	// (from --initial-controllers id@host:port:dirid).
	DirectoryID string `json:"directory_id,omitempty"`
}

// Bootstrap is the content of bootstrap.json.
type Bootstrap struct {
	ClusterID string           `json:"cluster_id"`
	Voters    []BootstrapVoter `json:"voters"`
}

// WriteBootstrap writes <metadataLogDir>/bootstrap.json atomically.
func WriteBootstrap(metadataLogDir string, b Bootstrap) error {
	data, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encoding bootstrap.json: %w", err)
	}
	return writeAtomic(filepath.Join(metadataLogDir, BootstrapFileName), append(data, '\n'))
}

// ReadBootstrap reads <metadataLogDir>/bootstrap.json.
func ReadBootstrap(metadataLogDir string) (Bootstrap, error) {
	var b Bootstrap
	path := filepath.Join(metadataLogDir, BootstrapFileName)
	data, err := os.ReadFile(path)
	if err != nil {
		return b, fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return b, fmt.Errorf("parsing %s: %w", path, err)
	}
	return b, nil
}

// ParseInitialControllers parses kafka-storage's --initial-controllers
// value "id@host:port:directoryId,..." into voters whose endpoints use
// listenerName. The directory id part is required, as in Kafka.
func ParseInitialControllers(s, listenerName string) ([]BootstrapVoter, error) {
	var out []BootstrapVoter
	seen := map[int32]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		idStr, rest, ok := strings.Cut(item, "@")
		if !ok {
			return nil, fmt.Errorf("--initial-controllers entry %q is not of the form id@host:port:directoryId", item)
		}
		id, err := strconv.ParseInt(idStr, 10, 32)
		if err != nil || id < 0 {
			return nil, fmt.Errorf("--initial-controllers entry %q has a bad node id", item)
		}
		i := strings.LastIndex(rest, ":")
		if i < 0 {
			return nil, fmt.Errorf("--initial-controllers entry %q lacks a directory id (id@host:port:directoryId)", item)
		}
		hostPort, dirID := rest[:i], rest[i+1:]
		if _, err := ParseUUID(dirID); err != nil {
			return nil, fmt.Errorf("--initial-controllers entry %q: bad directory id: %w", item, err)
		}
		host, port, err := net.SplitHostPort(hostPort)
		if err != nil {
			return nil, fmt.Errorf("--initial-controllers entry %q: bad address: %w", item, err)
		}
		if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("--initial-controllers entry %q: bad port %q", item, port)
		}
		if seen[int32(id)] {
			return nil, fmt.Errorf("--initial-controllers lists node %d more than once", id)
		}
		seen[int32(id)] = true
		out = append(out, BootstrapVoter{
			NodeID:      int32(id),
			Endpoints:   []string{listenerName + "://" + net.JoinHostPort(host, port)},
			DirectoryID: dirID,
		})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--initial-controllers lists no controllers")
	}
	return out, nil
}

// StandaloneVoter is this node as the only voter: its controller
// listeners, preferring the advertised address of each. An empty host is
// replaced by the machine's host name, as Kafka does for unset hosts.
func StandaloneVoter(cfg *config.Config, dirID UUID) (BootstrapVoter, error) {
	if !cfg.IsController() {
		return BootstrapVoter{}, fmt.Errorf("--standalone needs a controller, but process.roles=%s", strings.Join(cfg.ProcessRoles, ","))
	}
	v := BootstrapVoter{NodeID: cfg.NodeID, DirectoryID: dirID.String()}
	for _, l := range cfg.ControllerListeners() {
		for _, a := range cfg.AdvertisedListeners {
			if a.Name == l.Name {
				l = a
			}
		}
		if l.Host == "" {
			h, err := os.Hostname()
			if err != nil || h == "" {
				h = "localhost"
			}
			l.Host = h
		}
		v.Endpoints = append(v.Endpoints, l.String())
	}
	if len(v.Endpoints) == 0 {
		return v, fmt.Errorf("--standalone: none of controller.listener.names (%s) is in listeners", strings.Join(cfg.ControllerListenerNames, ","))
	}
	return v, nil
}
