package observability

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// dizhtimeBinary is the binary the observed stack runs its processes from, built by
// TestMain before any test's deadline starts (as platform/city does).
var dizhtimeBinary string

func TestMain(m *testing.M) {
	root, err := routertest.RepoRoot()
	if err == nil {
		dizhtimeBinary, err = stack.CachedBinary(context.Background(), root, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "observability tests: build the dizhtime binary:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
