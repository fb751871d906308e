package stack

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// BinaryPackage is the dizhtime command, which carries the router and every subgraph.
const BinaryPackage = "./platform/cmd/dizhtime"

// BuildBinary builds the dizhtime binary (BinaryPackage) from the checkout at root into out:
// one link for every process. While it builds it writes to progress what it compiles and how
// far it is (packages compiled of those in the binary), at most every few seconds, then the
// link; a failed build returns go's output.
func BuildBinary(ctx context.Context, root, out string, progress io.Writer) error {
	if progress == nil {
		progress = io.Discard
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	start := time.Now()
	total := countPackages(ctx, root)
	of := ""
	if total > 0 {
		of = fmt.Sprintf(" of %d", total)
	}
	fmt.Fprintf(progress, "[build] dizhtime (router and every subgraph in one binary): compiling what the build cache lacks\n")
	cmd := exec.CommandContext(ctx, "go", "build", "-v", "-o", out, BinaryPackage)
	cmd.Dir = root
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	var output bytes.Buffer
	cmd.Stdout = &output
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("go build %s: %w", BinaryPackage, err)
	}
	compiled, last := 0, time.Now()
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		output.WriteString(line + "\n")
		if !isImportPath(line) {
			continue
		}
		compiled++
		if strings.HasSuffix(line, "/platform/cmd/dizhtime") {
			fmt.Fprintf(progress, "[build] %d packages compiled%s, %s; linking dizhtime\n", compiled, of, time.Since(start).Round(time.Second))
			continue
		}
		if time.Since(last) >= 5*time.Second {
			last = time.Now()
			fmt.Fprintf(progress, "[build] %d packages compiled%s, %s (%s)\n", compiled, of, time.Since(start).Round(time.Second), line)
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", BinaryPackage, err, output.String())
	}
	fmt.Fprintf(progress, "[build] dizhtime built in %s (%d packages compiled, the rest from the build cache)\n", time.Since(start).Round(time.Second), compiled)
	return nil
}

// countPackages is how many packages the binary is made of (0 when go list fails: the
// build then says what is wrong).
func countPackages(ctx context.Context, root string) int {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", BinaryPackage)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return 0
	}
	return bytes.Count(out, []byte("\n"))
}

// isImportPath tells go build -v's lines (one import path per compiled package) from its
// error output.
func isImportPath(line string) bool {
	return line != "" && !strings.ContainsAny(line, " \t:#")
}

// CachedBinary builds the dizhtime binary of the checkout at root into a folder of the
// user's cache kept per checkout, and returns its path. Rebuilding an unchanged checkout
// only checks it (go build relinks nothing when the binary there is current). Tests call
// it from TestMain, before any test's deadline starts, and pass the path as Options.Binary.
func CachedBinary(ctx context.Context, root string, progress io.Writer) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	sum := sha256.Sum256([]byte(abs))
	out := filepath.Join(cache, "dizhtime", "bin-"+hex.EncodeToString(sum[:6]), "dizhtime")
	return out, BuildBinary(ctx, abs, out, progress)
}

// BinaryForTestMain is CachedBinary for the checkout the calling test runs in, for a
// package's TestMain (so a cold build happens before any test's deadline starts). It ends
// the test process, naming suite, when the binary cannot be built.
func BinaryForTestMain(suite string) string {
	root, err := routertest.RepoRoot()
	if err == nil {
		var bin string
		if bin, err = CachedBinary(context.Background(), root, os.Stderr); err == nil {
			return bin
		}
	}
	fmt.Fprintf(os.Stderr, "%s: build the dizhtime binary: %v\n", suite, err)
	os.Exit(1)
	return ""
}
