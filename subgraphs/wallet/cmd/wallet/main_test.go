package main_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/service"
)

func buildWallet(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wallet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build wallet: %v\n%s", err, out)
	}
	return bin
}

func TestVerifyAuditCommand_exitsZeroOnAnIntactLogAndOneNamingTheRowSomeoneEdited(t *testing.T) {
	bin := buildWallet(t)
	schema, pool := testdb.Schema(t, 4)
	ctx := context.Background()
	svc, err := service.New(ctx, service.Config{PublicURL: "http://127.0.0.1:1", SandboxSecret: "0123456789abcdef",
		PlatformFeeBps: 1500, DriverBps: 1000, PointsPerMinor: 100, PointValueMinor: 1, MaxRedeemBps: 5000,
		PointsExpireAfter: domain.DefaultLoyalty.ExpireAfter}, pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, pi := range []string{"pi-1", "pi-2"} {
		if _, err := svc.App.TopUpCredited(ctx, "u1", "sandbox", pi, domain.MustMoney(10_000, "UZS")); err != nil {
			t.Fatal(err)
		}
	}
	run := func() (string, int) {
		cmd := exec.Command(bin, "verify-audit")
		cmd.Env = append(os.Environ(), endpoints.PostgresEnv+"="+testdb.URL(schema))
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	if out, code := run(); code != 0 || !strings.Contains(out, "audit log intact: 4 rows") {
		t.Fatalf("intact log: exit %d\n%s", code, out)
	}

	// Someone with DDL rights bypasses the append-only triggers and rewrites history.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `SET session_replication_role = replica`)
	if err == nil {
		_, err = conn.Exec(ctx, `UPDATE audit_log SET amount = 99999 WHERE account_id = 'customer_wallet:u1:UZS' AND seq = 2`)
	}
	conn.Release()
	if err != nil {
		t.Fatal(err)
	}
	out, code := run()
	if code != 1 || !strings.Contains(out, "TAMPERED") || !strings.Contains(out, "account_id=customer_wallet:u1:UZS, seq=2") {
		t.Fatalf("tampered log: exit %d\n%s", code, out)
	}
}
