package observability

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/observability/logship"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// loki is a running Grafana Loki (deploy/observability/loki-local.yml): URL is its HTTP API.
type loki struct {
	URL string
}

// lokiBinary is the Loki `make loki` built (.dizhtime/bin/loki), or DIZHTIME_LOKI_BIN when
// that names a program. Never PATH: Debian's `loki` package is unrelated software.
func lokiBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("DIZHTIME_LOKI_BIN"); p != "" && isExecutable(p) {
		return p
	}
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if p := filepath.Join(root, ".dizhtime", "bin", "loki"); isExecutable(p) {
		return p
	}
	t.Fatalf("Loki is not built: run `make loki` (it builds Grafana Loki from the pinned deploy/observability/tools/loki into .dizhtime/bin/loki), or set DIZHTIME_LOKI_BIN")
	return ""
}

// startLoki runs Loki as a process of its own, with its data in dir, on free ports.
func startLoki(t *testing.T, ctx context.Context, dir string) loki {
	t.Helper()
	path := lokiBinary(t)
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := stack.FreeAddrs(2)
	if err != nil {
		t.Fatal(err)
	}
	port := func(i int) string { return addrs[i][strings.LastIndex(addrs[i], ":")+1:] }
	data := filepath.Join(dir, "loki-data")
	env := []string{"LOKI_HTTP_PORT=" + port(0), "LOKI_GRPC_PORT=" + port(1), "LOKI_DATA=" + data}
	startBackend(t, ctx, dir, "loki", "http://"+addrs[0]+"/ready", env,
		path, "-config.file="+filepath.Join(root, "deploy", "observability", "loki-local.yml"), "-config.expand-env=true")
	return loki{URL: "http://" + addrs[0]}
}

// shipLogs runs the log shipper (platform/observability/logship, what `make observe` runs
// as a process) over the stack's log files into l until the test ends.
func shipLogs(t *testing.T, l loki, logDir string) {
	t.Helper()
	s, err := logship.New(logship.Config{PushURL: l.URL + "/loki/api/v1/push",
		Globs: []string{filepath.Join(logDir, "*.log")}, Interval: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Logf("logship: last push: %v", err)
		}
	})
}

// lokiLine is one log line as Loki returns it.
type lokiLine struct {
	Labels   map[string]string // the stream's index labels
	Metadata map[string]string // the line's structured metadata
	Line     string
}

// queryRange runs a LogQL log query over the last hour, asking Loki to keep structured
// metadata apart from the stream's labels (categorize-labels).
func (l loki) queryRange(ctx context.Context, logql string) ([]lokiLine, error) {
	q := url.Values{"query": {logql}, "limit": {"5000"}, "direction": {"forward"},
		"start": {strconv.FormatInt(time.Now().Add(-time.Hour).UnixNano(), 10)},
		"end":   {strconv.FormatInt(time.Now().Add(time.Minute).UnixNano(), 10)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.URL+"/loki/api/v1/query_range?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Loki-Response-Encoding-Flags", "categorize-labels")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		Status string
		Error  string
		Data   struct {
			ResultType string
			Result     []struct {
				Stream map[string]string
				Values [][]json.RawMessage
			}
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("loki: query %s: %s: %w", logql, res.Status, err)
	}
	if res.StatusCode != http.StatusOK || body.Status != "success" {
		return nil, fmt.Errorf("loki: query %s: %s %s", logql, res.Status, body.Error)
	}
	if body.Data.ResultType != "streams" {
		return nil, fmt.Errorf("loki: query %s: result type %q, want streams", logql, body.Data.ResultType)
	}
	var out []lokiLine
	for _, st := range body.Data.Result {
		for _, v := range st.Values {
			if len(v) < 2 {
				return nil, fmt.Errorf("loki: a value with %d parts", len(v))
			}
			ll := lokiLine{Labels: st.Stream}
			if err := json.Unmarshal(v[1], &ll.Line); err != nil {
				return nil, err
			}
			if len(v) > 2 {
				var cat struct {
					StructuredMetadata map[string]string `json:"structuredMetadata"`
				}
				if err := json.Unmarshal(v[2], &cat); err != nil {
					return nil, err
				}
				ll.Metadata = cat.StructuredMetadata
			}
			out = append(out, ll)
		}
	}
	return out, nil
}

// labelNames lists the index labels Loki knows over the last hour.
func (l loki) labelNames(ctx context.Context) ([]string, error) {
	q := url.Values{"start": {strconv.FormatInt(time.Now().Add(-time.Hour).UnixNano(), 10)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.URL+"/loki/api/v1/labels?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		Status string
		Data   []string
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("loki: labels: %s", res.Status)
	}
	return body.Data, nil
}

// journeyLogsInLoki checks that the journey's log lines are found in Loki by its trace id
// alone (structured metadata, not an index label): the router's line for placeOrder, the
// wallet's Kafka consumer handling order.created and the orders subgraph's consumer
// handling payment.success, each stream labelled with its service and level.
func journeyLogsInLoki(t *testing.T, ctx context.Context, l loki, traceID string) {
	logql := `{service=~".+"} | trace_id="` + traceID + `"`
	var lines []lokiLine
	have := func(service string, match func(lokiLine) bool) bool {
		for _, ll := range lines {
			if ll.Labels["service"] == service && match(ll) {
				return true
			}
		}
		return false
	}
	msg := func(want string) func(lokiLine) bool {
		return func(ll lokiLine) bool {
			var rec struct{ Msg string }
			return json.Unmarshal([]byte(ll.Line), &rec) == nil && rec.Msg == want
		}
	}
	// handled: a consumer's line for an event of topic (a run's topics carry its prefix).
	handled := func(topic string) func(lokiLine) bool {
		return func(ll lokiLine) bool {
			var rec struct{ Msg, Topic string }
			return json.Unmarshal([]byte(ll.Line), &rec) == nil && rec.Msg == "event handled" && strings.HasSuffix(rec.Topic, topic)
		}
	}
	// The router logs each operation at debug; the subgraphs log no line for a request
	// served, so theirs come from their Kafka consumers (each handled event at debug).
	eventually(t, ctx, "Loki answers "+logql+" with the router's, the orders subgraph's and the wallet consumer's lines", 60*time.Second, func() (bool, error) {
		got, err := l.queryRange(ctx, logql)
		lines = got
		if err != nil {
			return false, err
		}
		if have("router", msg("operation executed")) && have("orders", handled("payment.success")) && have("wallet", handled("order.created")) {
			return true, nil
		}
		seen := map[string]int{}
		for _, ll := range lines {
			seen[ll.Labels["service"]]++
		}
		return false, fmt.Errorf("lines per service so far: %v", seen)
	})
	perService := map[string]int{}
	for _, ll := range lines {
		perService[ll.Labels["service"]]++
		if ll.Metadata["trace_id"] != traceID {
			t.Errorf("a line found by trace id %s has structured metadata %v (labels %v): %s", traceID, ll.Metadata, ll.Labels, ll.Line)
		}
		if ll.Labels["level"] == "" || ll.Labels["level"] == "unknown" {
			t.Errorf("a line of the journey has no level label (labels %v): %s", ll.Labels, ll.Line)
		}
		if _, ok := ll.Labels["trace_id"]; ok {
			t.Errorf("trace_id is a stream label (%v); it must be structured metadata", ll.Labels)
		}
	}
	t.Logf("Loki lines of trace %s per service: %v", traceID, perService)
	names, err := l.labelNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Loki index labels: %v", names)
	for _, n := range names {
		if n == "trace_id" || n == "span_id" {
			t.Errorf("Loki indexes %s as a label (labels %v): it must stay structured metadata", n, names)
		}
	}
}

// TestLokiConfigs_passTheBuiltLokisVerification runs `loki -verify-config` on the shipped
// Loki configurations: production's loki.yml and loki-local.yml (make observe, this
// package's journey), the latter with its environment expanded.
func TestLokiConfigs_passTheBuiltLokisVerification(t *testing.T) {
	path := lokiBinary(t)
	dir := observabilityDir(t)
	for _, c := range []struct {
		file string
		env  []string
	}{
		{"loki.yml", nil},
		{"loki-local.yml", []string{"LOKI_HTTP_PORT=3100", "LOKI_GRPC_PORT=9096", "LOKI_DATA=" + t.TempDir()}},
	} {
		// -log.level=info: loki-local.yml logs at warn, which hides the verdict line.
		cmd := exec.Command(path, "-verify-config", "-config.file="+filepath.Join(dir, c.file), "-config.expand-env=true", "-log.level=info")
		cmd.Env = append(os.Environ(), c.env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("loki -verify-config %s: %v\n%s", c.file, err, out)
		} else if !strings.Contains(string(out), "config is valid") {
			t.Errorf("loki -verify-config %s did not say the config is valid:\n%s", c.file, out)
		}
	}
}
