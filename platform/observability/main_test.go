package observability

import (
	"os"
	"testing"

	"github.com/dizhtime/dizhtime/platform/stack"
)

// dizhtimeBinary is the binary the observed stack runs its processes from, built by
// TestMain before any test's deadline starts (as platform/city does).
var dizhtimeBinary string

func TestMain(m *testing.M) {
	dizhtimeBinary = stack.BinaryForTestMain("observability tests")
	os.Exit(m.Run())
}
