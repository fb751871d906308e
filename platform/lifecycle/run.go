package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// Component is a long-running part of a process. Run blocks until ctx is cancelled (then
// drains and returns nil) or until it fails.
type Component interface {
	Name() string
	Run(ctx context.Context) error
}

// Func adapts a run function, such as a Kafka consumer's loop, into a Component.
func Func(name string, run func(ctx context.Context) error) Component {
	return funcComponent{name: name, run: run}
}

type funcComponent struct {
	name string
	run  func(ctx context.Context) error
}

func (c funcComponent) Name() string                  { return c.name }
func (c funcComponent) Run(ctx context.Context) error { return c.run(ctx) }

// Run runs the components until ctx is cancelled, the process gets SIGINT or SIGTERM, or
// a component stops; any of these cancels the rest. It then waits up to shutdownTimeout
// for every component to return.
//
// It returns the first component failure, including a component that returned before
// shutdown began (a long-running component that quietly stops leaves the process
// half-dead), or an error naming the components still running after shutdownTimeout.
// A shutdown by signal or ctx with every component draining cleanly returns nil.
func Run(ctx context.Context, logger *slog.Logger, shutdownTimeout time.Duration, components ...Component) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	g, gctx := errgroup.WithContext(ctx)
	running := newRunningSet()
	for _, c := range components {
		running.add(c.Name())
		g.Go(func() error {
			defer running.remove(c.Name())
			logger.Info("component started", "component", c.Name())
			err := c.Run(gctx)
			switch {
			case gctx.Err() == nil && err == nil:
				err = errors.New("stopped before shutdown")
			case gctx.Err() != nil && (errors.Is(err, context.Canceled) || err == gctx.Err()):
				err = nil // it returned ctx.Err(): stopped because we asked it to
			}
			if err != nil {
				logger.Error("component failed", "component", c.Name(), "error", err)
				return fmt.Errorf("%s: %w", c.Name(), err)
			}
			logger.Info("component stopped", "component", c.Name())
			return nil
		})
	}

	done := make(chan error, 1)
	go func() { done <- g.Wait() }()

	select {
	case err := <-done:
		return err
	case <-gctx.Done():
	}
	logger.Info("shutting down", "cause", context.Cause(gctx).Error(), "timeout", shutdownTimeout)

	timer := time.NewTimer(shutdownTimeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("shutdown: still running after %s: %s", shutdownTimeout, strings.Join(running.names(), ", "))
	}
}

type runningSet struct {
	mu  sync.Mutex
	set map[string]int
}

func newRunningSet() *runningSet { return &runningSet{set: map[string]int{}} }

func (s *runningSet) add(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set[name]++
}

func (s *runningSet) remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set[name]--; s.set[name] <= 0 {
		delete(s.set, name)
	}
}

func (s *runningSet) names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.set))
	for n := range s.set {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
