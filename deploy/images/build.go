package images

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
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
	// against glibc's libc.a with the external linker when that links.
	Cgo bool
	// Libs are the interpreter and shared libraries a dynamically linked binary needs
	// (image path -> host file); nil for a static binary.
	Libs map[string]string
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
		// One output directory for many packages; a process named apart from its package
		// (a web app's static server) is built on its own, under its process name.
		o := dir + string(filepath.Separator)
		if len(ps) == 1 && path.Base(ps[0].Package) != ps[0].Name {
			o = filepath.Join(dir, ps[0].Name)
		}
		args := append([]string{"build"}, BuildFlags...)
		args = append(args, "-ldflags", ldflags, "-o", o)
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
	var renamed []Process
	pure = slices.DeleteFunc(pure, func(p Process) bool {
		if path.Base(p.Package) != p.Name {
			renamed = append(renamed, p)
			return true
		}
		return false
	})
	if err := run(false, pure, stripLdflags); err != nil {
		return nil, err
	}
	for _, p := range renamed {
		if err := run(false, []Process{p}, stripLdflags); err != nil {
			return nil, err
		}
	}
	// cgo processes one by one: static first; a C dependency that cannot be linked
	// statically (glibc's static link refuses some, e.g. C++ libraries using dlopen) falls
	// back to a dynamic build whose shared libraries go into the image from this Debian
	// host's packages (libc6, libstdc++6, libgcc-s1): a distroless-cc style base.
	dynamic := map[string]map[string]string{}
	for _, p := range cgo {
		err := run(true, []Process{p}, stripLdflags+` -linkmode external -extldflags "-static"`)
		if err == nil {
			continue
		}
		logf("%s: static link failed, building it dynamically on Debian's shared libraries: %s", p.Name, firstLines(err.Error(), 6))
		if err := run(true, []Process{p}, stripLdflags); err != nil {
			return nil, err
		}
		libs, err := SharedLibraries(filepath.Join(dir, p.Name))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		dynamic[p.Name] = libs
	}
	var out []Binary
	for _, p := range procs {
		path := filepath.Join(dir, p.Name)
		libs := dynamic[p.Name]
		if libs == nil {
			if err := checkStatic(path); err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
		}
		out = append(out, Binary{Process: p, Path: path, Cgo: contains(cgo, p.Name), Libs: libs})
	}
	return out, nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " | ")
}

// libDirs are where the Debian loader looks without an ld.so.cache (its built-in
// multiarch system directories), and where the image puts shared libraries.
var libDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}

// SharedLibraries resolves a dynamically linked binary's program interpreter and every
// shared library it needs, transitively, on this host: image path -> host file.
func SharedLibraries(path string) (map[string]string, error) {
	out := map[string]string{}
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	interp, err := interpreter(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	if interp != "" {
		out[interp] = interp
	}
	queue := []string{path}
	seen := map[string]bool{}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		ef, err := elf.Open(cur)
		if err != nil {
			return nil, err
		}
		needed, err := ef.ImportedLibraries()
		ef.Close()
		if err != nil {
			return nil, err
		}
		for _, soname := range needed {
			if seen[soname] {
				continue
			}
			seen[soname] = true
			found := ""
			for _, d := range libDirs {
				if _, err := os.Stat(filepath.Join(d, soname)); err == nil {
					found = filepath.Join(d, soname)
					break
				}
			}
			if found == "" {
				return nil, fmt.Errorf("shared library %s (needed by %s) not found in %v", soname, cur, libDirs)
			}
			out[filepath.Join(libDirs[0], soname)] = found
			queue = append(queue, found)
		}
	}
	return out, nil
}

// interpreter is the binary's PT_INTERP path, or "" for a static binary.
func interpreter(f *elf.File) (string, error) {
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, err := io.ReadAll(p.Open())
			if err != nil {
				return "", err
			}
			return strings.TrimRight(string(b), "\x00"), nil
		}
	}
	return "", nil
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
