package images

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildFlags are what every binary is built with: no local paths in the binary
// (-trimpath), the Go DNS resolver and user lookup (netgo, osusergo: no libc NSS, which a
// static binary cannot load), the IANA time zone database embedded (timetzdata: the image
// has no /usr/share/zoneinfo; restaurants' opening hours need zones), symbols stripped.
var BuildFlags = []string{"-trimpath", "-tags", "netgo,osusergo,timetzdata"}

const stripLdflags = "-s -w -buildid="

// Binary is a built program.
type Binary struct {
	Process Process
	Path    string
	// Cgo says it links C code (dispatch: Uber's H3 through h3-go), linked statically
	// against glibc's libc.a with the external linker.
	Cgo bool
}

// BuildBinaries compiles every process once into dir: the pure-Go ones in one `go build`
// with CGO_ENABLED=0 (the go command compiles their packages in parallel and shares every
// common dependency), then the cgo ones in a second, static, invocation. Each result is
// checked to be a static ELF (no program interpreter): the images have no libc.
func BuildBinaries(ctx context.Context, repo, dir string, procs []Process, logf func(string, ...any)) ([]Binary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var pure, cgo []Process
	for _, p := range procs {
		uses, err := usesCgo(ctx, repo, p.Package)
		if err != nil {
			return nil, err
		}
		if uses != "" {
			logf("%s links C code (%s): static cgo build", p.Name, uses)
			cgo = append(cgo, p)
		} else {
			pure = append(pure, p)
		}
	}
	run := func(cgoEnabled bool, ps []Process, ldflags string) error {
		if len(ps) == 0 {
			return nil
		}
		args := append([]string{"build"}, BuildFlags...)
		args = append(args, "-ldflags", ldflags, "-o", dir+string(filepath.Separator))
		for _, p := range ps {
			args = append(args, p.Package)
		}
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = repo
		cgoEnv := "CGO_ENABLED=" + map[bool]string{true: "1", false: "0"}[cgoEnabled]
		cmd.Env = goEnv(repo, cgoEnv)
		logf("%s go %s", cgoEnv, strings.Join(args, " "))
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %w\n%s", err, out)
		}
		return nil
	}
	if err := run(false, pure, stripLdflags); err != nil {
		return nil, err
	}
	if err := run(true, cgo, stripLdflags+` -linkmode external -extldflags "-static"`); err != nil {
		return nil, err
	}
	var out []Binary
	for _, p := range procs {
		path := filepath.Join(dir, p.Name)
		if err := checkStatic(path); err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		out = append(out, Binary{Process: p, Path: path, Cgo: contains(cgo, p.Name)})
	}
	return out, nil
}

func contains(ps []Process, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

// usesCgo names the first non-standard package with cgo files among pkg's dependencies,
// or returns "".
func usesCgo(ctx context.Context, repo, pkg string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-tags", "netgo,osusergo,timetzdata",
		"-f", "{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}{{end}}", pkg)
	cmd.Dir = repo
	cmd.Env = goEnv(repo, "CGO_ENABLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %w\n%s", pkg, err, stderr.String())
	}
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l, nil
		}
	}
	return "", nil
}

// goEnv is the environment for go commands run in the repository: its go.work, whatever
// GOWORK this program itself runs with (the deploy module is built with GOWORK=off).
func goEnv(repo string, extra ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GOWORK=") {
			env = append(env, e)
		}
	}
	return append(append(env, "GOWORK="+filepath.Join(repo, "go.work")), extra...)
}

// checkStatic fails when path is not an ELF executable without a program interpreter
// (a dynamically linked binary would not start in an image without libc).
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return staticELF(f)
}

func staticELF(f *elf.File) error {
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("dynamically linked (has a program interpreter): the image has no libc")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("needs shared libraries %v", libs)
	}
	return nil
}
