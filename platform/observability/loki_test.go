package observability

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/observability/logship"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// loki is a running Grafana Loki (deploy/observability/loki-local.yml) at URL.
type loki struct{ URL string }

// startLoki runs the Loki that deploy/local/services.sh builds (`services.sh up loki`) on
// free ports, its data in dir.
func startLoki(t *testing.T, ctx context.Context, dir string) loki {
	t.Helper()
	path := binary(t, "DIZHTIME_LOKI_BIN", "loki", "deploy/local/services.sh up loki")
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := stack.FreeAddrs(2)
	if err != nil {
		t.Fatal(err)
	}
	port := func(i int) string { return addrs[i][strings.LastIndex(addrs[i], ":")+1:] }
	data := filepath.Join(dir, "loki")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"LOKI_HTTP_PORT=" + port(0), "LOKI_GRPC_PORT=" + port(1), "LOKI_DATA=" + data}
	startBackend(t, ctx, dir, "loki", "http://"+addrs[0]+"/ready", env,
		path, "-config.file="+filepath.Join(root, "deploy", "observability", "loki-local.yml"), "-config.expand-env=true")
	return loki{URL: "http://" + addrs[0]}
}

// shipLogs runs the log shipper (platform/observability/logship, what `make observe` runs)
// over every process's log file until the test ends.
func shipLogs(t *testing.T, lk loki, p *platform) {
	t.Helper()
	var files []string
	for _, proc := range p.Processes {
		files = append(files, proc.LogPath())
	}
	s, err := logship.New(logship.Config{PushURL: lk.URL + "/loki/api/v1/push", Globs: files, Interval: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Logf("log shipper's last push: %v", err)
		}
	})
}

// lokiLine is one log line Loki returned, with its stream labels and structured metadata
// kept apart (Loki's categorize-labels encoding).
type lokiLine struct {
	Labels   map[string]string
	Metadata map[string]string
	Line     string
}

// query runs a LogQL log query over the last hour.
func (l loki) query(ctx context.Context, logql string) ([]lokiLine, error) {
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
		return nil, fmt.Errorf("loki query %s: %s: %w", logql, res.Status, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("loki query %s: %s %s", logql, res.Status, body.Error)
	}
	var out []lokiLine
	for _, s := range body.Data.Result {
		for _, v := range s.Values {
			l := lokiLine{Labels: s.Stream}
			if len(v) > 1 {
				_ = json.Unmarshal(v[1], &l.Line)
			}
			if len(v) > 2 {
				var cats struct {
					StructuredMetadata map[string]string `json:"structuredMetadata"`
				}
				_ = json.Unmarshal(v[2], &cats)
				l.Metadata = cats.StructuredMetadata
			}
			out = append(out, l)
		}
	}
	return out, nil
}

// labels lists the label names Loki indexes (stream labels, not structured metadata).
func (l loki) labels(ctx context.Context) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.URL+"/loki/api/v1/labels?start="+
		strconv.FormatInt(time.Now().Add(-time.Hour).UnixNano(), 10), nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct{ Data []string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, err
	}
	return body.Data, nil
}

// journeyLogsInLoki: the journey's log lines are found in Loki by trace id alone, each with
// its service and level as stream labels and the trace id as structured metadata.
func journeyLogsInLoki(t *testing.T, ctx context.Context, lk loki, traceID string) {
	logql := `{service=~".+"} | trace_id="` + traceID + `"`
	perService := map[string]int{}
	var lines []lokiLine
	eventually(t, ctx, "Loki returns the orders' and the wallet's lines of trace "+traceID, 60*time.Second, func() (bool, error) {
		got, err := lk.query(ctx, logql)
		if err != nil {
			return false, err
		}
		lines, perService = got, map[string]int{}
		for _, l := range got {
			perService[l.Labels["service"]]++
		}
		return perService["orders"] > 0 && perService["wallet"] > 0, nil
	})
	t.Logf("Loki: %s -> %d lines %v", logql, len(lines), perService)
	for _, l := range lines {
		if l.Labels["level"] == "" || l.Labels["service"] == "" {
			t.Errorf("line without service/level labels: %+v", l)
		}
		if l.Metadata["trace_id"] != traceID {
			t.Errorf("line's structured metadata %v lacks trace_id %s: %s", l.Metadata, traceID, l.Line)
		}
		if _, isLabel := l.Labels["trace_id"]; isLabel {
			t.Errorf("trace_id is a stream label (one stream per request): %+v", l.Labels)
		}
	}
	names, err := lk.labels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	joined := "," + strings.Join(names, ",") + ","
	if !strings.Contains(joined, ",service,") || !strings.Contains(joined, ",level,") || strings.Contains(joined, ",trace_id,") {
		t.Errorf("Loki's label names = %v; want service and level, and trace_id only as structured metadata", names)
	}
}
