package metaprops

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/odradek/odradek/internal/config"
)

// FormatOptions are the inputs of Format, mirroring kafka-storage format.
type FormatOptions struct {
	Config          *config.Config // node id, roles, log dirs, metadata dir, listeners
	ClusterID       string         // -t/--cluster-id
	IgnoreFormatted bool           // -g/--ignore-formatted
	// At most one of these (kafka-storage's quorum flags).
	Standalone           bool   // -s/--standalone
	InitialControllers   string // -I/--initial-controllers "id@host:port:dirid,..."
	NoInitialControllers bool   // -N/--no-initial-controllers

	Rand io.Reader // directory ids; nil means crypto/rand
	Now  time.Time // header timestamp; zero means time.Now()
	Out  io.Writer // progress lines like kafka-storage prints; nil discards
}

// dirsOf lists the metadata dir first, then the other log dirs, without
// duplicates.
func dirsOf(cfg *config.Config) []string {
	out := []string{}
	seen := map[string]bool{}
	add := func(d string) {
		c := filepath.Clean(d)
		if d != "" && !seen[c] {
			seen[c] = true
			out = append(out, d)
		}
	}
	add(cfg.MetadataLogDir)
	rest := append([]string(nil), cfg.LogDirs...)
	sort.Strings(rest)
	for _, d := range rest {
		add(d)
	}
	return out
}

// bootstrapVoters applies kafka-storage's rules for the quorum flags and
// returns the voters for bootstrap.json (nil when none is written).
func bootstrapVoters(o FormatOptions, metaDirID *UUID) ([]BootstrapVoter, error) {
	cfg := o.Config
	n := 0
	for _, b := range []bool{o.Standalone, o.InitialControllers != "", o.NoInitialControllers} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("only one of --standalone, --initial-controllers and --no-initial-controllers may be given")
	}
	if (o.Standalone || o.InitialControllers != "") && len(cfg.QuorumVoters) > 0 {
		return nil, errors.New("--standalone and --initial-controllers bootstrap a dynamic quorum and cannot be used while controller.quorum.voters is set; remove controller.quorum.voters (and set controller.quorum.bootstrap.servers) or drop the flag")
	}
	if cfg.IsController() && len(cfg.QuorumVoters) == 0 && n == 0 {
		return nil, errors.New("controller.quorum.voters is not set on this controller, so one of --standalone, --initial-controllers or --no-initial-controllers is required")
	}
	switch {
	case o.Standalone:
		v, err := StandaloneVoter(cfg, *metaDirID)
		if err != nil {
			return nil, err
		}
		return []BootstrapVoter{v}, nil
	case o.InitialControllers != "":
		if len(cfg.ControllerListenerNames) == 0 {
			return nil, errors.New("--initial-controllers needs controller.listener.names")
		}
		voters, err := ParseInitialControllers(o.InitialControllers, cfg.ControllerListenerNames[0])
		if err != nil {
			return nil, err
		}
		// This node's metadata directory takes the id the operator
		// announced for it, so the voter set and the disk agree.
		for _, v := range voters {
			if v.NodeID == cfg.NodeID {
				*metaDirID, _ = ParseUUID(v.DirectoryID)
			}
		}
		return voters, nil
	}
	return nil, nil
}

// Format writes meta.properties (version 1, node.id, cluster.id, a fresh
// directory.id) into every log dir and the metadata dir, creating them,
// plus bootstrap.json in the metadata dir for --standalone or
// --initial-controllers. Already formatted dirs are an error unless
// IgnoreFormatted, in which case they are left untouched.
func Format(o FormatOptions) error {
	cfg := o.Config
	if cfg == nil {
		return errors.New("format: no configuration")
	}
	if _, err := ParseUUID(o.ClusterID); err != nil {
		return fmt.Errorf("cluster id: %w; generate one with `odradek storage random-uuid`", err)
	}
	if cfg.NodeID < 0 {
		return errors.New("format: node.id must be set to a non-negative id")
	}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	dirs := dirsOf(cfg)
	var todo []string
	for _, d := range dirs {
		_, err := Read(d)
		switch {
		case err == nil:
			if !o.IgnoreFormatted {
				return fmt.Errorf("log directory %s is already formatted; use --ignore-formatted to skip it and format the others", d)
			}
		case errors.Is(err, ErrNotFormatted):
			todo = append(todo, d)
		default:
			return err
		}
	}
	metaDirID, err := RandomUUID(o.Rand)
	if err != nil {
		return err
	}
	voters, err := bootstrapVoters(o, &metaDirID)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		fmt.Fprintln(out, "All of the log directories are already formatted.")
		return nil
	}
	for _, d := range todo {
		isMeta := filepath.Clean(d) == filepath.Clean(cfg.MetadataLogDir)
		dirID := metaDirID
		if !isMeta {
			if dirID, err = RandomUUID(o.Rand); err != nil {
				return err
			}
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("creating log directory %s: %w", d, err)
		}
		if isMeta {
			fmt.Fprintf(out, "Formatting metadata directory %s with cluster id %s.\n", d, o.ClusterID)
			// bootstrap.json goes first: a meta.properties on disk means
			// the directory is completely formatted.
			if len(voters) > 0 {
				if err := WriteBootstrap(d, Bootstrap{ClusterID: o.ClusterID, Voters: voters}); err != nil {
					return err
				}
			}
		} else {
			fmt.Fprintf(out, "Formatting data directory %s with cluster id %s.\n", d, o.ClusterID)
		}
		mp := MetaProperties{Version: Version, ClusterID: o.ClusterID, NodeID: cfg.NodeID, DirectoryID: dirID}
		if err := Write(d, mp, now); err != nil {
			return err
		}
	}
	return nil
}

// notFormattedHelp is appended to errors about unformatted directories.
const notFormattedHelp = "run `odradek storage format -t <cluster-id> -c <config>` first " +
	"(`odradek storage random-uuid` prints a new cluster id), or start `odradek server` " +
	"without --config to use an automatically formatted ./data"

// Check verifies every dir has a readable meta.properties and that all
// agree on cluster.id and node.id. The error for an unformatted dir says
// how to format it.
func Check(dirs []string) error {
	_, err := check(dirs)
	return err
}

func check(dirs []string) (map[string]MetaProperties, error) {
	found := map[string]MetaProperties{}
	var first string
	for _, d := range dirs {
		mp, err := Read(d)
		if errors.Is(err, ErrNotFormatted) {
			return nil, fmt.Errorf("log directory %s is not formatted (no %s): %s", d, FileName, notFormattedHelp)
		}
		if err != nil {
			return nil, err
		}
		if first != "" {
			p := found[first]
			if p.ClusterID != mp.ClusterID {
				return nil, fmt.Errorf("%s has cluster.id %s but %s has %s: the directories belong to different clusters",
					filepath.Join(d, FileName), mp.ClusterID, filepath.Join(first, FileName), p.ClusterID)
			}
			if p.NodeID != mp.NodeID {
				return nil, fmt.Errorf("%s has node.id %d but %s has %d",
					filepath.Join(d, FileName), mp.NodeID, filepath.Join(first, FileName), p.NodeID)
			}
		} else {
			first = d
		}
		found[d] = mp
	}
	return found, nil
}

// Ensemble is the verified identity of a node's directories.
type Ensemble struct {
	ClusterID    string
	NodeID       int32
	DirectoryIDs map[string]UUID // by directory as configured
}

// Verify checks the directories of cfg at startup: all formatted, one
// cluster, node.id equal to the configured one, and CLUSTER_ID (if given)
// equal to the stored cluster id. Directories formatted before directory
// ids existed get one written, as Kafka does.
func Verify(cfg *config.Config) (*Ensemble, error) {
	dirs := dirsOf(cfg)
	found, err := check(dirs)
	if err != nil {
		return nil, err
	}
	e := &Ensemble{NodeID: cfg.NodeID, DirectoryIDs: map[string]UUID{}}
	for _, d := range dirs {
		mp := found[d]
		e.ClusterID = mp.ClusterID
		if mp.NodeID != cfg.NodeID {
			return nil, fmt.Errorf("%s has node.id %d but the configuration says node.id=%d; if the data moved, configure the node id it was formatted with, or remove the data to start a new node",
				filepath.Join(d, FileName), mp.NodeID, cfg.NodeID)
		}
		if cfg.ClusterID != "" && cfg.ClusterID != mp.ClusterID {
			return nil, fmt.Errorf("%s has cluster.id %s but %s=%s", filepath.Join(d, FileName), mp.ClusterID, config.ClusterIDEnv, cfg.ClusterID)
		}
		if mp.DirectoryID.IsZero() {
			if mp.DirectoryID, err = RandomUUID(nil); err != nil {
				return nil, err
			}
			if err := Write(d, mp, time.Now()); err != nil {
				return nil, fmt.Errorf("adding directory.id: %w", err)
			}
		}
		e.DirectoryIDs[d] = mp.DirectoryID
	}
	return e, nil
}

// EnsureFormattedDev formats the directories of cfg on first start of a
// server run without --config: a new random cluster id (or CLUSTER_ID when
// set), and bootstrap.json when the config has no static voters.
// Directories that are already formatted are kept; formatted reports
// whether anything was written, so the caller can log it.
func EnsureFormattedDev(cfg *config.Config) (formatted bool, clusterID string, err error) {
	dirs := dirsOf(cfg)
	var missing bool
	for _, d := range dirs {
		mp, err := Read(d)
		switch {
		case err == nil:
			if clusterID == "" {
				clusterID = mp.ClusterID
			}
		case errors.Is(err, ErrNotFormatted):
			missing = true
		default:
			return false, "", err
		}
	}
	if !missing {
		_, err := Verify(cfg)
		return false, clusterID, err
	}
	if clusterID == "" {
		clusterID = cfg.ClusterID
	}
	if clusterID == "" {
		if clusterID, err = NewClusterID(); err != nil {
			return false, "", err
		}
	}
	opts := FormatOptions{Config: cfg, ClusterID: clusterID, IgnoreFormatted: true}
	if cfg.IsController() && len(cfg.QuorumVoters) == 0 {
		opts.Standalone = true
	}
	if err := Format(opts); err != nil {
		return false, "", fmt.Errorf("formatting dev storage: %w", err)
	}
	if _, err := Verify(cfg); err != nil {
		return true, clusterID, err
	}
	return true, clusterID, nil
}
