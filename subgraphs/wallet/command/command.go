package command

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/service"
)

// Main is the wallet process: what cmd/wallet runs, and what `dizhtime wallet` runs in the laptop launcher.
// It reads os.Args (os.Args[0] is the program, the rest its command line) and exits.
func Main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wallet serve|verify-audit [-config FILE]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	configPath := fs.String("config", "", "YAML configuration file")
	var heads headFiles
	fs.Var(&heads, "heads", "an exported audit heads file to check against (repeatable; verify-audit)")
	_ = fs.Parse(os.Args[2:])
	cfg, err := service.Load(*configPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	switch os.Args[1] {
	case "serve":
		err = service.Serve(ctx, cfg)
	case "verify-audit":
		err = verifyAudit(ctx, cfg, heads)
	default:
		err = fmt.Errorf("unknown command %q (serve, verify-audit)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wallet:", err)
		os.Exit(1)
	}
}

// verifyAudit exits non-zero naming every broken chain's first bad row.
func verifyAudit(ctx context.Context, cfg service.Config, heads []string) error {
	pool, err := postgres.Open(ctx, cfg.PostgresURL, postgres.WithMaxConns(2))
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := adapters.VerifyAudit(ctx, pool, []byte(cfg.AuditKey))
	if err != nil {
		return err
	}
	for _, f := range heads {
		problems, err := adapters.CheckAuditHeads(ctx, pool, []byte(cfg.AuditKey), f)
		if err != nil {
			return err
		}
		rep.Problems = append(rep.Problems, problems...)
	}
	for _, p := range rep.Problems {
		fmt.Println("TAMPERED:", p)
	}
	if !rep.OK() {
		return fmt.Errorf("audit log verification failed: %d broken chain(s) over %d accounts", len(rep.Problems), rep.Accounts)
	}
	fmt.Printf("audit log intact: %d rows over %d accounts\n", rep.Rows, rep.Accounts)
	return nil
}

// headFiles collects repeated -heads flags.
type headFiles []string

func (h *headFiles) String() string     { return fmt.Sprint(*h) }
func (h *headFiles) Set(v string) error { *h = append(*h, v); return nil }
