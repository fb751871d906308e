package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/telemetry"

	"github.com/dizhtime/dizhtime/router/core"
	"github.com/dizhtime/dizhtime/router/pkg/compose"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Main is the router process: what cmd/router runs, and what `dizhtime router` runs in the
// laptop launcher. It reads os.Args (os.Args[0] is the program) and exits.
func Main() {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(Run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  router serve   [-config router.yaml] [-supergraph supergraph.yaml]
  router compose [-supergraph supergraph.yaml] [-out schema/supergraph.graphql]
`

// Run runs one command (serve or compose) with args and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "compose":
		err = composeCmd(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "router: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "router %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "router config file (defaults apply when empty)")
	sgPath := fs.String("supergraph", "", "supergraph.yaml, or a pre-composed supergraph SDL with join__ directives (overrides supergraph_file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if *sgPath != "" {
		cfg.SupergraphFile = *sgPath
	}
	sg, err := config.LoadSupergraph(cfg.SupergraphFile)
	if err != nil {
		return err
	}
	logger := logging.New("router", cfg.Level(), stderr)
	tel, err := telemetry.Setup(ctx, "router", cfg.Telemetry)
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tel.Shutdown(flushCtx); err != nil {
			logger.Warn("flush telemetry", "error", err)
		}
	}()
	r, err := core.NewRouter(cfg, sg, core.Options{Logger: logger, Registry: tel.Registry})
	if err != nil {
		return err
	}
	composeCtx, cancel := context.WithTimeout(ctx, time.Minute)
	_, err = r.Compose(composeCtx)
	cancel()
	if err != nil {
		return err
	}
	return r.Serve(ctx, func(addr string) {
		// Tests and scripts read this line to learn the bound address.
		fmt.Fprintf(stdout, "router listening on http://%s%s\n", addr, cfg.GraphQLPath)
	})
}

func composeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sgPath := fs.String("supergraph", "supergraph.yaml", "supergraph.yaml")
	out := fs.String("out", filepath.Join("schema", "supergraph.graphql"), "where to write the composed schema")
	timeout := fs.Duration("timeout", 30*time.Second, "bound for fetching SDLs and composing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sg, err := config.LoadSupergraph(*sgPath)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	subgraphs, err := compose.Load(ctx, &http.Client{Timeout: *timeout}, sg)
	if err != nil {
		return err
	}
	res, err := compose.NewComposer(1).Compose(ctx, subgraphs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(*out, []byte(res.SupergraphSDL()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "composed %d subgraphs into %s in %s\n", len(subgraphs), *out, res.Took.Round(time.Millisecond))
	return nil
}
