package observability

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// panelExpressions reads every PromQL expression of every checked-in dashboard JSON file,
// Grafana's interval variables replaced by a window Prometheus understands.
func panelExpressions(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(observabilityDir(t), "grafana", "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards under deploy/observability/grafana/dashboards (%v): run make generate", err)
	}
	out := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []struct {
				Title   string
				Targets []struct{ Expr string }
			}
		}
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range d.Panels {
			for i, tg := range p.Targets {
				if tg.Expr == "" {
					t.Errorf("%s: panel %q target %d has no expression", filepath.Base(f), p.Title, i)
				}
				out[fmt.Sprintf("%s / %s #%d", filepath.Base(f), p.Title, i)] = strings.ReplaceAll(tg.Expr, "$__rate_interval", "1m")
			}
		}
	}
	return out
}

// TestDashboards_checkedInJSONIsCurrentAndEveryPanelQueryParses regenerates the
// dashboards, compares them with the checked-in files, and has promtool parse every panel
// expression (as recording rules).
func TestDashboards_checkedInJSONIsCurrentAndEveryPanelQueryParses(t *testing.T) {
	fresh := t.TempDir()
	if err := WriteDashboards(fresh); err != nil {
		t.Fatal(err)
	}
	for _, b := range Boards {
		want, _ := os.ReadFile(filepath.Join(fresh, b.UID+".json"))
		got, err := os.ReadFile(filepath.Join(observabilityDir(t), "grafana", "dashboards", b.UID+".json"))
		if err != nil || string(got) != string(want) {
			t.Errorf("dashboard %s is stale or missing (%v): run make generate", b.UID, err)
		}
	}
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard-panels\n    rules:\n")
	i := 0
	for name, expr := range panelExpressions(t) {
		i++
		q, _ := json.Marshal(expr)
		fmt.Fprintf(&rules, "      - record: panel:expr_%d # %s\n        expr: %s\n", i, strings.ReplaceAll(name, "#", "n"), q)
	}
	path := filepath.Join(t.TempDir(), "panels.yml")
	if err := os.WriteFile(path, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool(t), "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules on the dashboards' expressions: %v\n%s", err, out)
	}
}
