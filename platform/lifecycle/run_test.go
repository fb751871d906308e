package lifecycle_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/lifecycle"
)

// These tests share the process's signal handling, so none runs in parallel.

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestRun_letsAnInFlightRequestFinishAfterSIGTERM(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond) // still working when the signal arrives
		_, _ = io.WriteString(w, "delivered")
	})}

	runErr := make(chan error, 1)
	go func() {
		runErr <- lifecycle.Run(context.Background(), quietLogger(), 5*time.Second,
			lifecycle.HTTPServerOn("api", srv, ln, 5*time.Second))
	}()

	type result struct {
		body string
		err  error
	}
	resp := make(chan result, 1)
	go func() {
		r, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			resp <- result{err: err}
			return
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		resp <- result{body: string(b), err: err}
	}()

	<-started
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	got := <-resp
	if got.err != nil || got.body != "delivered" {
		t.Fatalf("in-flight request = %q, %v; want it to complete", got.body, got.err)
	}
	select {
	case err := <-runErr:
		if err != nil {
			t.Fatalf("Run after SIGTERM = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after SIGTERM")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

func TestRun_stopsTheOtherComponentsWhenOneFails(t *testing.T) {
	boom := errors.New("kafka: broker unreachable")
	stoppedCleanly := make(chan struct{})
	err := lifecycle.Run(context.Background(), quietLogger(), 5*time.Second,
		lifecycle.Func("consumer", func(ctx context.Context) error {
			time.Sleep(50 * time.Millisecond)
			return boom
		}),
		lifecycle.Func("relay", func(ctx context.Context) error {
			<-ctx.Done()
			close(stoppedCleanly)
			return ctx.Err()
		}),
	)
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "consumer: ") {
		t.Fatalf("Run = %v, want the consumer's error naming it", err)
	}
	select {
	case <-stoppedCleanly:
	default:
		t.Fatal("relay was not stopped")
	}
}

func TestRun_treatsAComponentThatStopsOnItsOwnAsAFailure(t *testing.T) {
	err := lifecycle.Run(context.Background(), quietLogger(), time.Second,
		lifecycle.Func("relay", func(ctx context.Context) error { return nil }),
		lifecycle.Func("api", func(ctx context.Context) error { <-ctx.Done(); return nil }),
	)
	if err == nil || err.Error() != "relay: stopped before shutdown" {
		t.Fatalf("Run = %v, want relay named as stopped before shutdown", err)
	}
}

func TestRun_returnsNilWhenItsContextIsCancelledAndEverythingDrains(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := lifecycle.Run(ctx, quietLogger(), time.Second,
		lifecycle.Func("consumer", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }),
	)
	if err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

func TestRun_namesTheComponentsThatOutliveTheShutdownTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	release := make(chan struct{})
	defer close(release)
	err := lifecycle.Run(ctx, quietLogger(), 100*time.Millisecond,
		lifecycle.Func("stubborn", func(context.Context) error { <-release; return nil }),
		lifecycle.Func("polite", func(ctx context.Context) error { <-ctx.Done(); return nil }),
	)
	if err == nil || err.Error() != "shutdown: still running after 100ms: stubborn" {
		t.Fatalf("Run = %v, want the stubborn component named", err)
	}
}

func TestHTTPServer_failsWhenItsAddressIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = lifecycle.Run(context.Background(), quietLogger(), time.Second,
		lifecycle.HTTPServer("api", &http.Server{Addr: ln.Addr().String()}, time.Second))
	if err == nil || !strings.HasPrefix(err.Error(), "api: listen: ") {
		t.Fatalf("Run = %v, want api's listen error", err)
	}
}
