package city

import (
	"os"
	"testing"

	"github.com/dizhtime/dizhtime/platform/stack"
)

// dizhtimeBinary is the one binary every test stack runs its processes from, built by
// TestMain before any test's deadline starts: a cold machine spends its build time here,
// not inside a journey's five minutes.
var dizhtimeBinary string

func TestMain(m *testing.M) {
	dizhtimeBinary = stack.BinaryForTestMain("city tests")
	os.Exit(m.Run())
}
