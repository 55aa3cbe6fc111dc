// Package cli holds the odradek subcommands. Each subcommand lives in its own
// file and registers itself from init, so files can be added without touching
// a central list.
package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

var (
	subcommands []func() *cobra.Command
	// toolAliases maps an executable name (kafka-topics, kafka-topics.sh ...)
	// to the subcommand path it stands for, so a symlink named after a Kafka
	// tool behaves as that tool.
	toolAliases = map[string][]string{}
)

// register adds a subcommand constructor; called from init in each file.
func register(f func() *cobra.Command) { subcommands = append(subcommands, f) }

// registerAlias makes the binary behave as `odradek args...` when invoked
// under the name tool (with or without a .sh suffix).
func registerAlias(tool string, args ...string) { toolAliases[tool] = args }

// NewRoot builds the full command tree.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "odradek",
		Short:         "Odradek: a Kafka-compatible event streaming platform in one binary",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmds := make([]*cobra.Command, 0, len(subcommands))
	for _, f := range subcommands {
		cmds = append(cmds, f())
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name() < cmds[j].Name() })
	root.AddCommand(cmds...)
	return root
}

// Main runs the CLI with argv and returns the process exit code.
func Main(argv []string) int {
	args := argv[1:]
	name := strings.TrimSuffix(filepath.Base(argv[0]), ".sh")
	if alias, ok := toolAliases[name]; ok {
		args = append(append([]string{}, alias...), args...)
	}
	root := NewRoot()
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		var ec interface{ ExitCode() int }
		if asExit(err, &ec) {
			return ec.ExitCode()
		}
		return 1
	}
	return 0
}
