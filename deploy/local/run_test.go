package local

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// make run skips `go build` when run.sh's sources_stamp is unchanged: it must change with
// anything the binary is made of (a Go file, an embedded SQL file, go.work, the build
// flags) and must not change for what it is not (a test, a touched but unchanged file).
func TestSourcesStamp_changesWithWhatTheBinaryIsMadeOfAndNothingElse(t *testing.T) {
	root := t.TempDir()
	write := func(path, body string) {
		t.Helper()
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.work", "go 1.26.0\n\nuse (\n\t./platform\n\t./subgraphs/orders\n)\n")
	write("go.work.sum", "")
	write("platform/a.go", "package a\n")
	write("platform/a_test.go", "package a\n")
	write("subgraphs/orders/adapters/migrations/0001.sql", "create table t (id int);\n")
	write("subgraphs/orders/adapters/testdata/x.json", "{}\n")
	write("web/app.ts", "1\n")
	stamp := func(flags string) string {
		t.Helper()
		script := `set -euo pipefail; build_flags=(` + flags + `); source <(sed -n '/^sources_stamp()/,/^}/p' "$RUN_SH"); sources_stamp`
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "RUN_SH="+mustAbs(t, "run.sh"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sources_stamp: %v\n%s", err, out)
		}
		s := strings.TrimSpace(string(out))
		if len(s) != 64 {
			t.Fatalf("sources_stamp printed %q, want a sha256", s)
		}
		return s
	}
	base := stamp("")
	same := func(what string) {
		t.Helper()
		if got := stamp(""); got != base {
			t.Errorf("after %s the stamp changed: a warm start would build for nothing", what)
		}
	}
	changed := func(what string) {
		t.Helper()
		got := stamp("")
		if got == base {
			t.Errorf("after %s the stamp is the same: make run would start a stale binary", what)
		}
		base = got
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(root, "platform/a.go"), later, later); err != nil {
		t.Fatal(err)
	}
	same("touching a Go file")
	write("platform/a_test.go", "package a\n\n// changed\n")
	same("editing a test")
	write("subgraphs/orders/adapters/testdata/x.json", "{\"changed\": true}\n")
	same("editing testdata")
	write("web/app.ts", "2\n")
	same("editing the web apps")
	write("platform/a.go", "package a\n\nconst X = 1\n")
	changed("editing a Go file")
	write("subgraphs/orders/adapters/migrations/0002.sql", "alter table t add column x int;\n")
	changed("adding an embedded migration")
	write("go.work.sum", "example.com/m v1.0.0 h1:x\n")
	changed("editing go.work.sum")
	if stamp(`-ldflags="-s -w"`) == base {
		t.Error("other build flags, same stamp")
	}
	if stamp(`-gcflags="all=-N -l"`) == base {
		t.Error("other compiler flags (DIZHTIME_GCFLAGS), same stamp")
	}
}

// DIZHTIME_GCFLAGS reaches go build as -gcflags (and so the stamp): unset, the laptop's
// default 'all=-N -l' (a cold first run in ~2.2 minutes instead of ~3.1); set empty, none (an
// optimised binary).
func TestBuildFlags_laptopDefaultIsUnoptimised_DizhtimeGcflagsChangesIt(t *testing.T) {
	flags := func(env ...string) string {
		t.Helper()
		script := `set -euo pipefail; source <(sed -n '/^build_flags=/,/build_flags+=(-gcflags="$gcflags"); fi$/p' "$RUN_SH"); printf '%s\n' "${build_flags[@]}"`
		cmd := exec.Command("bash", "-c", script)
		base := []string{"RUN_SH=" + mustAbs(t, "run.sh")}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "DIZHTIME_GCFLAGS=") && !strings.HasPrefix(kv, "DIZHTIME_BUILD_TAGS=") {
				base = append(base, kv)
			}
		}
		cmd.Env = append(base, env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("build_flags: %v\n%s", err, out)
		}
		return string(out)
	}
	if got := flags(); !strings.Contains(got, "-gcflags=all=-N -l\n") || !strings.Contains(got, "-tags=dizhtime_laptop,ferretdb_no_sqlite") {
		t.Errorf("by default: build flags %q, want the laptop tags and -gcflags=all=-N -l", got)
	}
	if got := flags("DIZHTIME_GCFLAGS="); strings.Contains(got, "-gcflags") {
		t.Errorf("with DIZHTIME_GCFLAGS= (empty): build flags %q, want no -gcflags (optimised)", got)
	}
	if got := flags("DIZHTIME_GCFLAGS=all=-l"); !strings.Contains(got, "-gcflags=all=-l\n") {
		t.Errorf("with DIZHTIME_GCFLAGS='all=-l': build flags %q, want -gcflags=all=-l", got)
	}
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// On a machine's first run Mailpit is built in the background (run.sh): whether it is built
// is mailpit_installed, true once the versioned binary services.sh installs is there.
func TestMailpitInstalled_onlyOnceTheVersionedBinaryIsThere(t *testing.T) {
	state := t.TempDir()
	installed := func() bool {
		t.Helper()
		cmd := exec.Command("bash", "-c", `source "$LIB"; source "$MAILPIT"; mailpit_installed`)
		cmd.Env = append(os.Environ(), "DIZHTIME_STATE="+state, "LIB="+mustAbs(t, "lib.sh"), "MAILPIT="+mustAbs(t, "mailpit.sh"))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("mailpit_installed: %v\n%s", err, out)
		}
		return err == nil
	}
	if installed() {
		t.Fatal("mailpit_installed on an empty state directory")
	}
	version := ""
	if b, err := os.ReadFile("mailpit.sh"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MAILPIT_VERSION="); ok {
				version = v
			}
		}
	}
	if version == "" {
		t.Fatal("no MAILPIT_VERSION= in mailpit.sh")
	}
	if err := os.MkdirAll(filepath.Join(state, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(state, "bin", "mailpit-"+version)
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if installed() {
		t.Fatal("mailpit_installed for a binary that is not executable")
	}
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if !installed() {
		t.Fatal("mailpit_installed is false with the versioned binary in place")
	}
}
