package local

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Run as root from a folder the service user cannot enter (a clone under a 0700 home),
// PostgreSQL used to fail at initdb with Permission denied. Its data now goes where that
// user can reach it, and the cluster starts, answers and stops.
func TestServicesUp_asRootFromAFolderTheServiceUserCannotEnter_startsPostgreSQL(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the service user only comes into play when root runs the scripts")
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(m) == 0 {
		t.Skip("PostgreSQL's Debian binaries are not installed (services.sh up postgres installs them)")
	}
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	// Where the service user's data goes: a folder it can enter (t.TempDir's are 0700).
	serviceState, err := os.MkdirTemp("", "dizhtime-service-state-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(serviceState) })
	if err := os.Chmod(serviceState, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	env := append(os.Environ(), "DIZHTIME_STATE="+filepath.Join(home, ".dizhtime"), "DIZHTIME_POSTGRES_PORT="+port,
		"DIZHTIME_SERVICE_STATE="+serviceState)
	// A service folder the user cannot enter either is refused before initdb, saying what to do.
	closed := filepath.Join(home, "closed")
	cmd := exec.Command("./services.sh", "up", "postgres")
	cmd.Env = append(append([]string{}, env...), "DIZHTIME_SERVICE_STATE="+closed)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "set DIZHTIME_SERVICE_STATE to a folder it can enter") {
		t.Fatalf("up with DIZHTIME_SERVICE_STATE under a 0700 folder = %v, want an early error saying what to do:\n%s", err, out)
	}
	services := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("./services.sh", args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("services.sh %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() {
		cmd := exec.Command("./services.sh", "down", "postgres")
		cmd.Env = env
		_ = cmd.Run()
	})
	out := services("up", "postgres")
	if !strings.Contains(out, "cannot enter") || !strings.Contains(out, serviceState) {
		t.Errorf("up does not say where the data went and why:\n%s", out)
	}
	psql, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
	got, err := exec.Command(psql[0], "-h", "127.0.0.1", "-p", port, "-U", "dizhtime", "-d", "dizhtime", "-tAc", "show data_directory").CombinedOutput()
	if err != nil || !strings.HasPrefix(strings.TrimSpace(string(got)), serviceState+"/") {
		t.Fatalf("data_directory = %q (%v), want under %s", got, err, serviceState)
	}
	if status := services("status"); !strings.Contains(status, "postgres: running") {
		t.Errorf("status does not see the relocated cluster:\n%s", status)
	}
	services("down", "postgres")
	if status := services("status"); !strings.Contains(status, "postgres: stopped") {
		t.Errorf("down did not stop it:\n%s", status)
	}
}
