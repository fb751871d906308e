// Command dizhtime is the laptop entry point. `dizhtime dev` (what `make run` calls) starts
// the embedded stores and every DizhTime process that exists so far, prints their URLs and
// stops everything cleanly on Ctrl-C. The binary carries every process (`dizhtime identity
// serve`, `dizhtime router serve`, ...): `dizhtime dev` starts each from itself, so a first
// `make run` links one binary instead of one per process.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	// `dizhtime identity serve`, `dizhtime router serve ...`: one of the processes `dizhtime
	// dev` starts, each a process of its own running this same binary.
	if len(os.Args) > 1 {
		if _, ok := processes[os.Args[1]]; ok {
			runProcess(os.Args[1], os.Args[2:])
		}
	}
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dizhtime:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage: dizhtime dev [-config FILE] [-sim]  |  dizhtime sim [flags]  (dizhtime sim -h lists them)" +
	"  |  dizhtime PROCESS [its command line]  (PROCESS: " + strings.Join(processNames(), ", ") + ")")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "dev":
		fs := flag.NewFlagSet("dev", flag.ContinueOnError)
		fs.SetOutput(stderr)
		cfgPath := fs.String("config", "", "YAML config file (env DIZHTIME_* overrides it)")
		sim := fs.Bool("sim", false, "also run a gentle simulated city (same as DIZHTIME_DEV_SIM=true)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return dev(ctx, *cfgPath, *sim, stdout, stderr)
	case "sim":
		return simCommand(ctx, args[1:], stderr)
	default:
		return fmt.Errorf("unknown command %q; %w", args[0], errUsage)
	}
}
