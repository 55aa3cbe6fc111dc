package cli

// odradek storage (kafka-storage): random-uuid, format and info, with
// kafka-storage's flag names.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/metaprops"
)

func init() {
	register(newStorageCmd)
	registerAlias("kafka-storage", "storage")
}

func newStorageCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "storage",
		Short: "Format and inspect storage directories (kafka-storage)",
	}
	cmd.AddCommand(newStorageRandomUUIDCmd(), newStorageFormatCmd(), newStorageInfoCmd())
	return cmd
}

func newStorageRandomUUIDCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "random-uuid",
		Short: "Print a random UUID to use as a cluster id",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := metaprops.NewClusterID()
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
}

// loadStorageConfig reads the server config the way `odradek server`
// does (file plus KAFKA_* environment), so format and the server agree
// on directories and node id.
func loadStorageConfig(cmd *cobra.Command, path string) (*config.Config, error) {
	if path == "" {
		return nil, errors.New("--config is required")
	}
	cfg, warnings, err := config.Load(config.LoadOptions{ConfigFile: path, Environ: os.Environ()})
	for _, w := range warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "WARN", w)
	}
	return cfg, err
}

type storageFormatOpts struct {
	configFile, clusterID, initialControllers, releaseVersion string
	features, scram                                           []string
	ignoreFormatted, standalone, noInitialControllers         bool
}

func newStorageFormatCmd() *cobra.Command {
	o := &storageFormatOpts{}
	cmd := &cobra.Command{
		Use:   "format",
		Short: "Format the log directories and metadata directory of a node",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runStorageFormat(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.configFile, "config", "c", "", "The server configuration file to use (required).")
	f.StringVarP(&o.clusterID, "cluster-id", "t", "", "The cluster ID to use (required); see `odradek storage random-uuid`.")
	f.BoolVarP(&o.ignoreFormatted, "ignore-formatted", "g", false, "Skip directories that are already formatted instead of failing.")
	f.BoolVarP(&o.standalone, "standalone", "s", false, "Bootstrap a dynamic quorum with this controller as the only voter.")
	f.StringVarP(&o.initialControllers, "initial-controllers", "I", "", "Bootstrap a dynamic quorum with these voters: id@host:port:directoryId,...")
	f.BoolVarP(&o.noInitialControllers, "no-initial-controllers", "N", false, "Do not bootstrap a quorum (a controller that joins an existing dynamic quorum).")
	f.StringVarP(&o.releaseVersion, "release-version", "r", "", "Accepted for compatibility; feature levels are not recorded at format time.")
	f.StringArrayVarP(&o.features, "feature", "f", nil, "Accepted for compatibility; feature levels are not recorded at format time.")
	f.StringArrayVarP(&o.scram, "add-scram", "S", nil, "Not supported: SCRAM credentials cannot be created at format time yet.")
	return cmd
}

func runStorageFormat(cmd *cobra.Command, o *storageFormatOpts) error {
	if o.clusterID == "" {
		return errors.New("--cluster-id is required (generate one with `odradek storage random-uuid`)")
	}
	if len(o.scram) > 0 {
		return errors.New("--add-scram is not supported yet; create SCRAM credentials with kafka-configs after start")
	}
	if o.releaseVersion != "" || len(o.features) > 0 {
		fmt.Fprintln(cmd.ErrOrStderr(), "WARN --release-version and --feature are ignored: this server records no feature levels at format time")
	}
	cfg, err := loadStorageConfig(cmd, o.configFile)
	if err != nil {
		return err
	}
	return metaprops.Format(metaprops.FormatOptions{
		Config:               cfg,
		ClusterID:            o.clusterID,
		IgnoreFormatted:      o.ignoreFormatted,
		Standalone:           o.standalone,
		InitialControllers:   o.initialControllers,
		NoInitialControllers: o.noInitialControllers,
		Out:                  cmd.OutOrStdout(),
	})
}

func newStorageInfoCmd() *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show the identity stored in each directory of a node",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadStorageConfig(cmd, configFile)
			if err != nil {
				return err
			}
			return storageInfo(cmd.OutOrStdout(), cfg)
		},
	}
	cmd.Flags().StringVarP(&configFile, "config", "c", "", "The server configuration file to use (required).")
	return cmd
}

// storageInfo prints the directories found, the meta.properties they hold
// and any problem, and fails (exit code 1) when there is a problem.
func storageInfo(w io.Writer, cfg *config.Config) error {
	dirs := append([]string{cfg.MetadataLogDir}, cfg.LogDirs...)
	seen := map[string]bool{}
	var found, problems []string
	metas := map[string][]string{} // rendered meta.properties -> dirs
	for _, d := range dirs {
		if seen[d] {
			continue
		}
		seen[d] = true
		if _, err := os.Stat(d); err != nil {
			problems = append(problems, d+" does not exist")
			continue
		}
		found = append(found, d)
		mp, err := metaprops.Read(d)
		switch {
		case errors.Is(err, metaprops.ErrNotFormatted):
			problems = append(problems, d+" is not formatted.")
		case err != nil:
			problems = append(problems, err.Error())
		default:
			if mp.NodeID != cfg.NodeID {
				problems = append(problems, fmt.Sprintf("%s has node.id %d, but the configuration says %d", d, mp.NodeID, cfg.NodeID))
			}
			// directory.id differs per dir by design, so it is left out
			// when grouping dirs that describe the same node.
			key := fmt.Sprintf("{cluster.id=%s, node.id=%d, version=%d}", mp.ClusterID, mp.NodeID, mp.Version)
			metas[key] = append(metas[key], d)
		}
	}
	if len(found) > 0 {
		fmt.Fprintf(w, "Found log %s:\n", plural(len(found), "directory", "directories"))
		for _, d := range found {
			fmt.Fprintf(w, "  %s\n", d)
		}
		fmt.Fprintln(w)
	}
	keys := make([]string, 0, len(metas))
	for k := range metas {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "Found metadata: %s\n\n", k)
	}
	if len(keys) > 1 {
		problems = append(problems, "the directories hold meta.properties of different clusters or nodes")
	}
	if len(problems) > 0 {
		fmt.Fprintf(w, "Found %s:\n", plural(len(problems), "problem", "problems"))
		for _, p := range problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
		fmt.Fprintln(w)
		return &exitError{code: 1, err: errors.New(strings.TrimSuffix(problems[0], "."))}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
