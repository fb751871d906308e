package stack

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is one DizhTime process the stack runs; it implements lifecycle.Component.
type Process struct {
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

// Name is the subgraph's name, or "router".
func (p *Process) Name() string { return p.name }

// LogPath is the file the process writes its output to.
func (p *Process) LogPath() string { return p.logPath }

// start launches the process with its output in a fresh log file: the previous run's log
// is kept once, as <log>.1, so what this run prints (and Tail shows) is this run's alone.
func (p *Process) start() error {
	if err := os.Rename(p.logPath, p.logPath+".1"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("rotate %s: %w", p.logPath, err)
	}
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	p.cmd = exec.Command(p.path, p.args...)
	p.cmd.Env = append(os.Environ(), p.env...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	// Own process group: a terminal's Ctrl-C reaches the host, which stops children in order.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		_ = logFile.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	p.exited = make(chan error, 1)
	go func() {
		err := p.cmd.Wait()
		_ = logFile.Close()
		p.exited <- err
	}()
	return nil
}

// waitReady polls readyURL until it answers 200, the process exits, or timeout passes.
func (p *Process) waitReady(ctx context.Context, timeout time.Duration) error {
	if p.readyURL == "" {
		return nil
	}
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.readyURL, nil)
		if res, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-p.exited:
			p.exited <- err
			return fmt.Errorf("%s exited while starting (%v); last log lines:\n%s", p.name, err, Tail(p.logPath, 20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready at %s after %s; last log lines:\n%s", p.name, p.readyURL, timeout, Tail(p.logPath, 20))
		}
	}
}

// Run waits for the process; when ctx ends it sends SIGTERM and, after a grace period, SIGKILL.
func (p *Process) Run(ctx context.Context) error {
	select {
	case err := <-p.exited:
		p.exited <- err
		return fmt.Errorf("%s exited unexpectedly (%v); see %s", p.name, err, p.logPath)
	case <-ctx.Done():
	}
	p.stop(10 * time.Second)
	return nil
}

// stop sends SIGTERM and waits up to grace before SIGKILL. Safe to call on a stopped process.
func (p *Process) stop(grace time.Duration) {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		p.exited <- err
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		err := <-p.exited
		p.exited <- err
	}
}

func (p *Process) kill() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
}

// Tail returns the last n lines of the file at path ("" when it cannot be read).
func Tail(path string, n int) string {
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
