// Command odradek is the single Odradek binary: server, controller and tools.
package main

import (
	"os"

	"github.com/odradek/odradek/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args))
}
