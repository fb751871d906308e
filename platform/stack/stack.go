// Package stack builds and supervises DizhTime's processes — every subgraph a supergraph.yaml
// lists, then the router composing them — for `dizhtime dev` and for end-to-end tests that
// run the real binaries against real stores. It knows nothing about which stores: callers
// hand it the environment each process gets.
package stack

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/postgres"
)

// Options say what to run and with which environment.
type Options struct {
	// RepoRoot is the checkout the binaries are built from (go.work lives there).
	RepoRoot string
	// SupergraphFile lists the subgraphs to run; the router composes it as it is.
	SupergraphFile string
	// RouterConfig is the router's router.yaml; RouterAddr where it listens.
	RouterConfig string
	RouterAddr   string
	// WorkDir holds logs/ (one file per process, rotated per run) and keys/.
	WorkDir string
	// PostgresURL is the server each subgraph gets a database of its own on, named
	// DatabasePrefix + subgraph name (default prefix "dizhtime_").
	PostgresURL    string
	DatabasePrefix string
	// Env is given to every subgraph, SubgraphEnv[name] to one (it wins over Env), RouterEnv
	// to the router.
	Env         []string
	SubgraphEnv map[string][]string
	RouterEnv   []string
	// ReadyTimeout bounds each process's start (default 90 s).
	ReadyTimeout time.Duration
	// Binary is the dizhtime binary (platform/cmd/dizhtime), which carries every process:
	// Start runs `Binary <subgraph> serve` and `Binary router serve ...`, each a process of
	// its own. Empty: Start builds it first (CachedBinary: an unchanged checkout relinks
	// nothing), within ctx; tests build it in TestMain, before their deadlines, and pass it.
	Binary string
	// MoveRouter and MoveSubgraphs say how a user moves the router's and the subgraphs'
	// ports (an environment variable), named when a port is taken.
	MoveRouter, MoveSubgraphs string
	// Progress receives what is being built and started (nil: nothing is printed).
	Progress io.Writer
	// KafkaTopicPrefix, when set, is every process's DIZHTIME_KAFKA_TOPIC_PREFIX: the stack
	// publishes and reads only its own topics on a broker other stacks share (tests give
	// each run its own). Empty (`dizhtime dev`, production) leaves topic names as they are.
	KafkaTopicPrefix string
}

// Stack is the running set of processes.
type Stack struct {
	// Processes in start order: the subgraphs, then the router (when there are subgraphs).
	Processes []*Process
	Subgraphs []Subgraph
	// RouterURL is the GraphQL endpoint (http://host:port/graphql), RouterWSURL the same as ws://.
	RouterURL   string
	RouterWSURL string
	LogDir      string
	databases   map[string]string
}

// Start builds the dizhtime binary (unless Options.Binary names one), starts every subgraph
// with its environment and a database of its own and the router beside them, waits for each
// subgraph's /readyz, then for the router's /healthz. On error everything started is killed.
func Start(ctx context.Context, o Options) (_ *Stack, err error) {
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 90 * time.Second
	}
	if o.DatabasePrefix == "" {
		o.DatabasePrefix = "dizhtime_"
	}
	supergraphFile, err := under(o.RepoRoot, o.SupergraphFile)
	if err != nil {
		return nil, err
	}
	subgraphs, err := ReadSupergraph(supergraphFile)
	if err != nil {
		return nil, err
	}
	s := &Stack{Subgraphs: subgraphs, LogDir: filepath.Join(o.WorkDir, "logs"), databases: map[string]string{}}
	if len(subgraphs) == 0 {
		return s, nil
	}
	defer func() {
		if err != nil {
			s.Kill()
		}
	}()
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	if err := os.MkdirAll(s.LogDir, 0o755); err != nil {
		return nil, err
	}
	bin := o.Binary
	if bin == "" {
		if bin, err = CachedBinary(ctx, o.RepoRoot, progress); err != nil {
			return nil, err
		}
	}
	links, err := links(subgraphs)
	if err != nil {
		return nil, err
	}
	// A service key per process for this run: subgraphs believe a user only from the
	// router's signed token, and internal APIs answer only services (platform/authz).
	names := []string{authz.RouterService}
	for _, sg := range subgraphs {
		names = append(names, sg.Name)
	}
	keys, err := authz.WriteServiceKeys(filepath.Join(o.WorkDir, "keys"), names)
	if err != nil {
		return nil, fmt.Errorf("service keys: %w", err)
	}
	for _, sg := range subgraphs {
		addr, err := sg.Addr()
		if err != nil {
			return s, fmt.Errorf("subgraph %s: %w", sg.Name, err)
		}
		if err := CheckAddr("subgraph "+sg.Name, addr, o.MoveSubgraphs); err != nil {
			return s, err
		}
		// Each subgraph owns its datastore: here, a database of its own on one server.
		pgURL, err := postgres.EnsureDatabase(ctx, o.PostgresURL, o.DatabasePrefix+sg.Name)
		if err != nil {
			return s, fmt.Errorf("subgraph %s: %w", sg.Name, err)
		}
		s.databases[sg.Name] = pgURL
		env := []string{"DIZHTIME_SERVICE=" + sg.Name, "DIZHTIME_HTTP_ADDR=" + addr, "DIZHTIME_POSTGRES_URL=" + pgURL}
		env = append(env, links...)
		env = append(env, keys.Env(sg.Name)...)
		if o.KafkaTopicPrefix != "" {
			env = append(env, kafka.TopicPrefixEnv+"="+o.KafkaTopicPrefix)
		}
		env = append(env, o.Env...)
		env = append(env, o.SubgraphEnv[sg.Name]...)
		p := &Process{
			name: sg.Name, path: bin, args: []string{sg.Name, "serve"}, env: env,
			logPath:  filepath.Join(s.LogDir, sg.Name+".log"),
			readyURL: "http://" + addr + "/readyz",
		}
		if err := p.start(); err != nil {
			return s, err
		}
		fmt.Fprintf(progress, "[start] %s on %s (log %s)\n", sg.Name, addr, p.logPath)
		s.Processes = append(s.Processes, p)
	}
	routerConfig, err := under(o.RepoRoot, o.RouterConfig)
	if err != nil {
		return s, err
	}
	if err := CheckAddr("router", o.RouterAddr, o.MoveRouter); err != nil {
		return s, err
	}
	router := &Process{
		name: "router", path: bin,
		args: []string{"router", "serve", "-config", routerConfig, "-supergraph", supergraphFile},
		env: append([]string{"DIZHTIME_ROUTER_LISTEN_ADDR=" + o.RouterAddr,
			"DIZHTIME_ROUTER_AUTH_SERVICE_KEY_FILE=" + keys.Keys[authz.RouterService]}, o.RouterEnv...),
		logPath:  filepath.Join(s.LogDir, "router.log"),
		readyURL: "http://" + o.RouterAddr + "/healthz",
	}
	if err := router.start(); err != nil {
		return s, err
	}
	subgraphProcs := s.Processes
	s.Processes = append(s.Processes, router)
	fmt.Fprintf(progress, "[start] router on %s (log %s)\n", o.RouterAddr, router.logPath)
	// The router starts beside the subgraphs: it composes the supergraph from the SDL files
	// (and fetches identity's JWKS only when a token comes), so it needs none of them up to
	// start, and its composition overlaps their migrations and seeds.
	for i, p := range subgraphProcs {
		if err := p.waitReady(ctx, o.ReadyTimeout); err != nil {
			return s, err
		}
		fmt.Fprintf(progress, "[ready] %s (%d/%d subgraphs)\n", p.name, i+1, len(subgraphProcs))
	}
	if err := router.waitReady(ctx, o.ReadyTimeout); err != nil {
		return s, err
	}
	fmt.Fprintf(progress, "[ready] router: http://%s/graphql\n", o.RouterAddr)
	s.RouterURL = "http://" + o.RouterAddr + "/graphql"
	s.RouterWSURL = "ws://" + o.RouterAddr + "/graphql"
	return s, nil
}

// links tell subgraphs that call each other directly where the others listen: restaurants
// and orders ask identity's relation API, orders asks restaurants for quotes.
func links(subgraphs []Subgraph) ([]string, error) {
	var env []string
	for _, sg := range subgraphs {
		addr, err := sg.Addr()
		if err != nil {
			return nil, fmt.Errorf("subgraph %s: %w", sg.Name, err)
		}
		switch sg.Name {
		case "identity":
			env = append(env, "DIZHTIME_IDENTITY_URL=http://"+addr)
		case "restaurants":
			env = append(env, "DIZHTIME_RESTAURANTS_URL="+sg.RoutingURL)
		}
	}
	return env, nil
}

// under makes path absolute, relative to root unless it is absolute already.
func under(root, path string) (string, error) {
	if filepath.IsAbs(path) {
		return path, nil
	}
	return filepath.Abs(filepath.Join(root, path))
}

// DatabaseURL is the PostgreSQL database the subgraph was given ("" if none).
func (s *Stack) DatabaseURL(subgraph string) string { return s.databases[subgraph] }

// Components are the processes as lifecycle components: lifecycle.Run stops them on a
// signal, and fails when one exits on its own.
func (s *Stack) Components() []lifecycle.Component {
	out := make([]lifecycle.Component, 0, len(s.Processes))
	for _, p := range s.Processes {
		out = append(out, p)
	}
	return out
}

// Names lists the processes in start order.
func (s *Stack) Names() []string {
	out := make([]string, 0, len(s.Processes))
	for _, p := range s.Processes {
		out = append(out, p.name)
	}
	return out
}

// Stop ends every process, the router first, each with SIGTERM and a grace period.
func (s *Stack) Stop() {
	for i := len(s.Processes) - 1; i >= 0; i-- {
		s.Processes[i].stop(10 * time.Second)
	}
}

// Kill ends every process at once.
func (s *Stack) Kill() {
	for _, p := range s.Processes {
		p.kill()
	}
}

// Command runs a subgraph's binary with args in the environment it serves with (for operator
// commands such as `identity grant-role EMAIL ADMIN`) and returns its combined output.
func (s *Stack) Command(ctx context.Context, subgraph string, args ...string) ([]byte, error) {
	for _, p := range s.Processes {
		if p.name == subgraph {
			cmd := exec.CommandContext(ctx, p.path, append([]string{p.name}, args...)...)
			cmd.Env = append(os.Environ(), p.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				return out, fmt.Errorf("%s %s: %w\n%s", subgraph, strings.Join(args, " "), err, out)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("no subgraph %q in this stack", subgraph)
}
