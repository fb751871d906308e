package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadPrevious_readsTheMarkedTableAndComparesEachLevel(t *testing.T) {
	readme := `# Router
Other tables are not read:
| off | 50 | 1 | 1 ms | 1 ms | 0/0 | 9.000 | 1 MiB |

<!-- bench:last -->
main abc1234, 2026-12-07, load 5
| dedup | clients | req/s | p50 | p99 | failed/differing | CPU-ms/req | max RSS |
|---|---|---|---|---|---|---|---|
| off | 50 | 575 | 83.9 ms | 166 ms | 0/0 | 1.066 | 189 MiB |
| on | 500 | 13,899 | 31.6 ms | 105 ms | 0/0 | 0.048 | 102 MiB |
<!-- /bench:last -->
`
	path := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(path, []byte(readme), 0o600); err != nil {
		t.Fatal(err)
	}
	prev, err := readPrevious(path)
	if err != nil {
		t.Fatal(err)
	}
	if prev.Caption != "main abc1234, 2026-12-07, load 5" || len(prev.Rows) != 2 {
		t.Fatalf("caption %q, rows %v", prev.Caption, prev.Rows)
	}
	got := prev.compare("off", 50, 500, 1.5)
	for _, want := range []string{"req/s 575 -> 500 (-13%)", "CPU-ms/req 1.066 -> 1.500 (+41%)", "max RSS then 189 MiB"} {
		if !strings.Contains(got, want) {
			t.Errorf("compare = %q, want it to contain %q", got, want)
		}
	}
	if got := prev.compare("on", 500, 13899, 0.048); !strings.Contains(got, "(+0%)") {
		t.Errorf("thousands separator: %q", got)
	}
	if got := prev.compare("off", 500, 1, 1); got != "" {
		t.Errorf("a level the README lacks compares to nothing, got %q", got)
	}
}

func TestReadPrevious_aREADMEWithoutTheTableIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(path, []byte("# nothing here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readPrevious(path); err == nil || !strings.Contains(err.Error(), "bench:last") {
		t.Fatalf("err = %v, want one naming the missing table", err)
	}
}
