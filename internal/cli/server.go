package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/odradek/odradek/internal/config"
	"github.com/odradek/odradek/internal/server"
)

func init() {
	register(newServerCmd)
	registerAlias("kafka-server-start", "server", "--config")
}

func newServerCmd() *cobra.Command {
	var (
		configFile string
		overrides  []string
		logLevel   string
	)
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a broker and controller",
		Long: `Run an Odradek node.

With no --config it starts a single-node broker+controller for development:
PLAINTEXT on 127.0.0.1:9092 (advertised as localhost:9092), the controller
listener on 127.0.0.1:9093 and data in ./data, formatted on first start.
With --config it reads a Kafka server.properties and expects formatted log
dirs (see 'odradek storage format'). KAFKA_* environment variables map to
config keys as in the Apache Kafka container images, and --override key=value
wins over both.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				// kafka-server-start.sh takes the properties file as an argument.
				if configFile != "" && configFile != args[0] {
					return fmt.Errorf("both --config %s and argument %s given", configFile, args[0])
				}
				configFile = args[0]
			}
			level := slog.LevelInfo
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("invalid --log-level %q: use debug, info, warn or error", logLevel)
			}
			logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			slog.SetDefault(logger)

			env := os.Environ()
			dev := configFile == ""
			opts := config.LoadOptions{ConfigFile: configFile, Environ: env, Overrides: overrides}
			if dev {
				opts.Overrides = append(devDefaultsNotInEnv(env), overrides...)
			}
			cfg, warnings, err := config.Load(opts)
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("invalid configuration: %w", err)}
			}
			for _, w := range warnings {
				logger.Warn(w)
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
			defer stop()
			srv, err := server.Start(ctx, server.Options{Config: cfg, DevMode: dev, Logger: logger})
			if err != nil {
				return &exitError{code: 1, err: err}
			}
			<-ctx.Done()
			logger.Info("shutting down")
			if err := srv.Close(); err != nil {
				return &exitError{code: 1, err: fmt.Errorf("shutdown: %w", err)}
			}
			logger.Info("shut down cleanly")
			return nil
		},
	}
	cmd.Flags().StringVarP(&configFile, "config", "c", "", "Kafka server.properties file")
	cmd.Flags().StringArrayVar(&overrides, "override", nil, "key=value that wins over the file and the environment (repeatable)")
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	return cmd
}

// devDefaultsNotInEnv keeps the development defaults that the environment
// does not set, so KAFKA_* variables still configure a dev server.
func devDefaultsNotInEnv(env []string) []string {
	set := map[string]bool{}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if key, ok := config.EnvToKey(name); ok {
			set[key] = true
		}
	}
	var out []string
	for _, d := range config.DevDefaults() {
		key, _, _ := strings.Cut(d, "=")
		if !set[key] {
			out = append(out, d)
		}
	}
	return out
}
