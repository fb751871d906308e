package city

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// dizhtimeBinary is the one binary every test stack runs its processes from, built by
// TestMain before any test's deadline starts: a cold machine spends its build time here,
// not inside a journey's five minutes.
var dizhtimeBinary string

func TestMain(m *testing.M) {
	root, err := routertest.RepoRoot()
	if err == nil {
		dizhtimeBinary, err = stack.CachedBinary(context.Background(), root, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "city tests: build the dizhtime binary:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
