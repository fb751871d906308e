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
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// observabilityDir is deploy/observability in the checkout.
func observabilityDir(t *testing.T) string {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "deploy", "observability")
}

// ruleFiles are the Prometheus rule files deploy/observability ships.
func ruleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(observabilityDir(t), "prometheus", "rules", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files under deploy/observability/prometheus/rules (%v)", err)
	}
	return files
}

func promtool(t *testing.T) string {
	return binary(t, "DIZHTIME_PROMTOOL_BIN", "promtool", "deploy/local/services.sh up prometheus (apt-get install prometheus)")
}

// TestRules_parseWithPromtoolAndEveryAlertFiresOnSyntheticSeries runs promtool on the
// shipped rules: `check rules` parses every expression, `test rules` fires every alert.
func TestRules_parseWithPromtoolAndEveryAlertFiresOnSyntheticSeries(t *testing.T) {
	tool := promtool(t)
	if out, err := exec.Command(tool, append([]string{"check", "rules"}, ruleFiles(t)...)...).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	dir := filepath.Join(observabilityDir(t), "prometheus")
	cmd := exec.Command(tool, "test", "rules", "tests/alerts.test.yml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
	// Every alert the rules define has a unit test that expects it to fire.
	tests, err := os.ReadFile(filepath.Join(dir, "tests", "alerts.test.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules(t) {
		if r.Alert != "" && !strings.Contains(string(tests), "alertname: "+r.Alert) {
			t.Errorf("alert %s has no promtool unit test in tests/alerts.test.yml", r.Alert)
		}
	}
}

// TestScrapeAndAlertmanagerConfigs_passPromtoolAndAmtool checks the static scrape
// configuration (make run's Prometheus, with its rule files) with `promtool check config`
// and the Alertmanager routes with `amtool check-config`. prometheus-k8s.yml is not
// checked here: Debian's Prometheus 2.42 is built without Kubernetes service discovery
// (its promtool refuses kubernetes_sd_configs as an unknown field).
func TestScrapeAndAlertmanagerConfigs_passPromtoolAndAmtool(t *testing.T) {
	dir := filepath.Join(observabilityDir(t), "prometheus")
	cmd := exec.Command(promtool(t), "check", "config", "prometheus.yml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check config prometheus.yml: %v\n%s", err, out)
	}
	amtool := binary(t, "DIZHTIME_AMTOOL_BIN", "amtool", "deploy/local/services.sh up alertmanager (apt-get install prometheus-alertmanager)")
	cmd = exec.Command(amtool, "check-config", "alertmanager.yml")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("amtool check-config alertmanager.yml: %v\n%s", err, out)
	}
}

type rule struct {
	Record, Alert, Expr string
}

func rules(t *testing.T) []rule {
	t.Helper()
	var out []rule
	for _, f := range ruleFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Groups []struct{ Rules []rule }
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range doc.Groups {
			out = append(out, g.Rules...)
		}
	}
	return out
}

// threshold is an alert's trailing comparison with a number ("> 0.05", "!= 0", "== 0").
var threshold = regexp.MustCompile(`\s*(>|<|>=|<=|==|!=)\s*[0-9.e+-]+\s*$`)

// signal is what an expression watches: an alert's expression without its threshold (a
// healthy platform has no firing alert, but it must have the series the alert reads).
func signal(r rule) string {
	if r.Alert == "" {
		return r.Expr
	}
	return threshold.ReplaceAllString(strings.TrimSpace(r.Expr), "")
}

// prometheus is a running Prometheus scraping the platform with the shipped rules.
type prometheus struct{ URL string }

func startPrometheus(t *testing.T, ctx context.Context, dir string, targets map[string]string) prometheus {
	t.Helper()
	path := binary(t, "DIZHTIME_PROMETHEUS_BIN", "prometheus", "deploy/local/services.sh up prometheus (apt-get install prometheus)")
	addrs, err := stack.FreeAddrs(1)
	if err != nil {
		t.Fatal(err)
	}
	jobs := make([]string, 0, len(targets))
	for job := range targets {
		jobs = append(jobs, job)
	}
	sort.Strings(jobs)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global: {scrape_interval: 2s, evaluation_interval: 2s}\nrule_files:\n")
	for _, f := range ruleFiles(t) {
		fmt.Fprintf(&cfg, "  - %q\n", f)
	}
	cfg.WriteString("scrape_configs:\n")
	for _, job := range jobs {
		fmt.Fprintf(&cfg, "  - job_name: %s\n    static_configs: [{targets: [%q]}]\n", job, targets[job])
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	startBackend(t, ctx, dir, "prometheus", "http://"+addrs[0]+"/-/ready", nil, path,
		"--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+addrs[0], "--log.level=warn", "--enable-feature=exemplar-storage")
	return prometheus{URL: "http://" + addrs[0]}
}

// query runs an instant PromQL query and returns how many series it gave.
func (p prometheus) query(ctx context.Context, expr string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/api/v1/query?query="+url.QueryEscape(expr), nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var body struct {
		Status string
		Error  string
		Data   struct{ Result []json.RawMessage }
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return 0, err
	}
	if body.Status != "success" {
		return 0, fmt.Errorf("query %q: %s", expr, body.Error)
	}
	return len(body.Data.Result), nil
}

// targets returns each scrape target's job and health.
func (p prometheus) targets(ctx context.Context) (map[string]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/api/v1/targets?state=active", nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		Data struct {
			ActiveTargets []struct {
				Labels    map[string]string
				Health    string
				LastError string
			}
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, tg := range body.Data.ActiveTargets {
		out[tg.Labels["job"]] = tg.Health + tg.LastError
	}
	return out, nil
}

// exemplarTraceIDs returns the trace ids of the exemplars Prometheus stored for the
// series expr selects over the last hour (/api/v1/query_exemplars), by metric name.
func (p prometheus) exemplarTraceIDs(ctx context.Context, expr string) (map[string][]string, error) {
	q := url.Values{"query": {expr}, "start": {strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)},
		"end": {strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/api/v1/query_exemplars?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		Status, Error string
		Data          []struct {
			SeriesLabels map[string]string `json:"seriesLabels"`
			Exemplars    []struct {
				Labels map[string]string `json:"labels"`
			} `json:"exemplars"`
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query_exemplars %q: %s", expr, body.Error)
	}
	out := map[string][]string{}
	for _, s := range body.Data {
		for _, e := range s.Exemplars {
			out[s.SeriesLabels["__name__"]] = append(out[s.SeriesLabels["__name__"]], e.Labels["trace_id"])
		}
	}
	return out, nil
}
