package ops_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dizhtime/dizhtime/platform/ops"
)

func serve(t *testing.T, reg *prometheus.Registry, ready *ops.Readiness) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	ops.Mount(mux, reg, ready)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func getReport(t *testing.T, url string) (int, ops.Report) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var report ops.Report
	if err := json.NewDecoder(resp.Body).Decode(&report); err != nil {
		t.Fatalf("readyz body is not a report: %v", err)
	}
	return resp.StatusCode, report
}

func TestReadyz_answers200WhenEveryCheckPasses(t *testing.T) {
	ready := ops.NewReadiness(time.Second)
	ready.Add("postgres", func(context.Context) error { return nil })
	ready.Add("kafka", func(context.Context) error { return nil })
	srv := serve(t, prometheus.NewRegistry(), ready)

	code, report := getReport(t, srv.URL+"/readyz")
	if code != http.StatusOK || report.Status != "ok" || len(report.Checks) != 2 {
		t.Fatalf("got %d %+v, want 200 with two passing checks", code, report)
	}
}

func TestReadyz_answers503NamingTheFailingCheckAndItsError(t *testing.T) {
	ready := ops.NewReadiness(time.Second)
	ready.Add("postgres", func(context.Context) error { return nil })
	ready.Add("kafka", func(context.Context) error { return errors.New("dial broker-0:9092: connection refused") })
	srv := serve(t, prometheus.NewRegistry(), ready)

	code, report := getReport(t, srv.URL+"/readyz")
	if code != http.StatusServiceUnavailable || report.Status != "fail" {
		t.Fatalf("got %d %q, want 503 fail", code, report.Status)
	}
	if got := report.Checks["kafka"]; got.Status != "fail" || got.Error != "dial broker-0:9092: connection refused" {
		t.Errorf("kafka = %+v, want it failing with its error", got)
	}
	if got := report.Checks["postgres"]; got.Status != "ok" {
		t.Errorf("postgres = %+v, want ok", got)
	}
}

func TestReadyz_failsACheckThatOutlivesItsTimeout(t *testing.T) {
	ready := ops.NewReadiness(50 * time.Millisecond)
	release := make(chan struct{})
	defer close(release)
	ready.Add("stuck", func(context.Context) error { <-release; return nil }) // ignores ctx
	srv := serve(t, prometheus.NewRegistry(), ready)

	start := time.Now()
	code, report := getReport(t, srv.URL+"/readyz")
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("readyz took %s; a stuck check must not hang it", elapsed)
	}
	if code != http.StatusServiceUnavailable || !strings.Contains(report.Checks["stuck"].Error, "no answer within 50ms") {
		t.Fatalf("got %d %+v, want 503 with stuck timed out", code, report)
	}
}

func TestReadyz_runsChecksConcurrently(t *testing.T) {
	ready := ops.NewReadiness(time.Second)
	for _, name := range []string{"a", "b", "c", "d"} {
		ready.Add(name, func(ctx context.Context) error {
			time.Sleep(200 * time.Millisecond)
			return nil
		})
	}
	start := time.Now()
	report := ready.Run(context.Background())
	if elapsed := time.Since(start); elapsed > 600*time.Millisecond {
		t.Fatalf("four 200ms checks took %s; they ran one after another", elapsed)
	}
	if report.Status != "ok" {
		t.Fatalf("report = %+v", report)
	}
}

func TestHealthz_answers200WhileTheProcessRuns(t *testing.T) {
	ready := ops.NewReadiness(time.Second)
	ready.Add("postgres", func(context.Context) error { return errors.New("down") })
	srv := serve(t, prometheus.NewRegistry(), ready)

	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz = %d, want 200 even when a dependency is down", resp.StatusCode)
	}
}

func TestHTTPMetrics_recordRequestsErrorsAndDurationByRoute(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := ops.NewHTTPMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ops.Mount(mux, reg, ops.NewReadiness(time.Second))
	mux.Handle("/graphql", m.Wrap("/graphql", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("boom") {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, `{"data":{}}`)
	})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, q := range []string{"", "", "?boom"} {
		resp, err := http.Get(srv.URL + "/graphql" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	got := counters(t, reg)
	for series, want := range map[string]float64{
		`http_server_requests_total{code="200",method="GET",route="/graphql"}`: 2,
		`http_server_requests_total{code="500",method="GET",route="/graphql"}`: 1,
		`http_server_errors_total{route="/graphql"}`:                           1,
	} {
		if got[series] != want {
			t.Errorf("%s = %v, want %v", series, got[series], want)
		}
	}

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `http_server_request_duration_seconds_count{route="/graphql"} 3`) {
		t.Errorf("/metrics does not serve the registry:\n%s", body)
	}
}

func TestNewHTTPMetrics_canBeCalledTwiceWithOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := ops.NewHTTPMetrics(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.NewHTTPMetrics(reg); err != nil {
		t.Fatalf("second NewHTTPMetrics: %v", err)
	}
}

// counters flattens the registry's counters to "name{label="value",...}" -> value.
func counters(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if m.GetCounter() == nil {
				continue
			}
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			out[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetCounter().GetValue()
		}
	}
	return out
}

// An operator follows a slow request from its latency bucket to its trace: the duration
// histogram carries the caller's trace id as an exemplar, served in OpenMetrics (the
// format Prometheus asks for), and an unsampled or untraced request leaves none.
func TestHTTPMetrics_recordTheCallersTraceIDAsTheDurationExemplar(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := ops.NewHTTPMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ops.Mount(mux, reg, ops.NewReadiness(time.Second))
	mux.Handle("/graphql", m.Wrap("/graphql", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	const sampled, unsampled = "4bf92f3577b34da6a3ce929d0e0e4736", "5bf92f3577b34da6a3ce929d0e0e4736"
	for _, tp := range []string{"00-" + unsampled + "-00f067aa0ba902b7-00", "00-" + sampled + "-00f067aa0ba902b7-01", ""} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", nil)
		if tp != "" {
			req.Header.Set("traceparent", tp)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Fatalf("/metrics answered %q to an OpenMetrics scrape", ct)
	}
	var exemplars []string
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "http_server_request_duration_seconds_bucket") && strings.Contains(line, " # {") {
			exemplars = append(exemplars, line)
		}
	}
	if len(exemplars) != 1 || !strings.Contains(exemplars[0], `# {trace_id="`+sampled+`"}`) {
		t.Fatalf("duration exemplars = %q; want one, with trace_id %s (the sampled request's)", exemplars, sampled)
	}
}
