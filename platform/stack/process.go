package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// subgraphEntry is the part of supergraph.yaml the dev host needs: which subgraph binaries to
// run and where. The router reads the whole file itself.
type subgraphEntry struct {
	Name       string `yaml:"name"`
	RoutingURL string `yaml:"routing_url"`
}

func readSubgraphs(path string) ([]subgraphEntry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Subgraphs []subgraphEntry `yaml:"subgraphs"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc.Subgraphs, nil
}

// listenAddr is the host:port a subgraph serves, taken from its routing URL.
func listenAddr(routingURL string) (string, error) {
	u, err := url.Parse(routingURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("routing_url %q is not an absolute URL", routingURL)
	}
	return u.Host, nil
}

// buildBinaries compiles the router and each subgraph's cmd/<name> into binDir in one go build.
func buildBinaries(ctx context.Context, root, binDir string, subgraphs []subgraphEntry) error {
	pkgs := []string{"./router/cmd/router"}
	for _, s := range subgraphs {
		pkgs = append(pkgs, "./subgraphs/"+s.Name+"/cmd/"+s.Name)
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", binDir + string(filepath.Separator)}, pkgs...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(pkgs, " "), err, out)
	}
	return nil
}

// child is one DizhTime process the dev host runs: it implements lifecycle.Component.
type child struct {
	name    string
	path    string
	args    []string
	env     []string
	logPath string
	// readyURL answers 200 once the process serves; empty means "started is ready".
	readyURL string
	cmd      *exec.Cmd
	exited   chan error
}

func (c *child) Name() string { return c.name }

// start launches the process with its output appended to its log file.
func (c *child) start() error {
	logFile, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	c.cmd = exec.Command(c.path, c.args...)
	c.cmd.Env = append(os.Environ(), c.env...)
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	// Own process group: a terminal's Ctrl-C reaches the dev host, which stops children in order.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("start %s: %w", c.name, err)
	}
	c.exited = make(chan error, 1)
	go func() {
		err := c.cmd.Wait()
		_ = logFile.Close()
		c.exited <- err
	}()
	return nil
}

// waitReady polls readyURL until it answers 200, the process exits, or timeout passes.
func (c *child) waitReady(ctx context.Context, timeout time.Duration) error {
	if c.readyURL == "" {
		return nil
	}
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.readyURL, nil)
		if res, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-c.exited:
			c.exited <- err
			return fmt.Errorf("%s exited while starting (%v); last log lines:\n%s", c.name, err, tail(c.logPath, 20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready at %s after %s; last log lines:\n%s", c.name, c.readyURL, timeout, tail(c.logPath, 20))
		}
	}
}

// Run waits for the process; when ctx ends it sends SIGTERM and, after a grace period, SIGKILL.
func (c *child) Run(ctx context.Context) error {
	select {
	case err := <-c.exited:
		return fmt.Errorf("%s exited unexpectedly (%v); see %s", c.name, err, c.logPath)
	case <-ctx.Done():
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	return nil
}

func (c *child) kill() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Kill()
	}
}

func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// freeAddr reports whether addr can be listened on now.
func freeAddr(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}
