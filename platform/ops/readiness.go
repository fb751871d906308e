package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Check reports whether one dependency can serve, returning an error saying why not. It
// must honour ctx: Readiness cancels it after its timeout.
type Check func(ctx context.Context) error

// Readiness is the /readyz handler: it runs every named check concurrently, each under
// its own timeout, and answers 503 when any fails. Checks may be added while it serves.
type Readiness struct {
	timeout time.Duration

	mu     sync.Mutex
	names  []string
	checks map[string]Check
}

// NewReadiness returns a Readiness giving each check timeout to answer.
func NewReadiness(timeout time.Duration) *Readiness {
	return &Readiness{timeout: timeout, checks: map[string]Check{}}
}

// Add registers check under name. Names are unique; adding one twice panics, like
// registering a route twice on an http.ServeMux.
func (r *Readiness) Add(name string, check Check) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.checks[name]; dup {
		panic(fmt.Sprintf("ops: readiness check %q added twice", name))
	}
	r.names = append(r.names, name)
	r.checks[name] = check
}

// Report is the JSON body of /readyz.
type Report struct {
	Status string                 `json:"status"` // "ok" or "fail"
	Checks map[string]CheckResult `json:"checks"`
}

// CheckResult is one check's outcome.
type CheckResult struct {
	Status     string `json:"status"` // "ok" or "fail"
	Error      string `json:"error,omitempty"`
	DurationMS int64  `json:"duration_ms"`
}

// Run runs every check and reports their outcomes.
func (r *Readiness) Run(ctx context.Context) Report {
	r.mu.Lock()
	names := append([]string(nil), r.names...)
	checks := make([]Check, len(names))
	for i, n := range names {
		checks[i] = r.checks[n]
	}
	r.mu.Unlock()

	results := make([]CheckResult, len(names))
	var wg sync.WaitGroup
	for i, check := range checks {
		wg.Go(func() { results[i] = r.runOne(ctx, check) })
	}
	wg.Wait()

	report := Report{Status: "ok", Checks: make(map[string]CheckResult, len(names))}
	for i, n := range names {
		report.Checks[n] = results[i]
		if results[i].Status != "ok" {
			report.Status = "fail"
		}
	}
	return report
}

// runOne gives up waiting at the timeout even when the check ignores ctx, so a stuck
// dependency can make /readyz fail but never hang.
func (r *Readiness) runOne(ctx context.Context, check Check) CheckResult {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- check(ctx) }()

	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = fmt.Errorf("no answer within %s: %w", r.timeout, ctx.Err())
	}
	res := CheckResult{Status: "ok", DurationMS: time.Since(start).Milliseconds()}
	if err != nil {
		res.Status, res.Error = "fail", err.Error()
	}
	return res
}

// ServeHTTP answers 200 when every check passes and 503 otherwise, with the Report as JSON.
func (r *Readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	report := r.Run(req.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if report.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(report)
}
