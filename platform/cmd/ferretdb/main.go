// Command ferretdb runs FerretDB (the MongoDB wire protocol) as a standalone server through
// platform/mongodb, the same code the laptop run embeds. deploy/local/services.sh builds it
// from here: the upstream command panics when built from the module proxy (no version file).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/dizhtime/dizhtime/platform/mongodb"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	pg := flag.String("postgresql-url", "", "store data in this PostgreSQL database")
	dir := flag.String("sqlite-dir", "", "store data as SQLite files in this directory (when no PostgreSQL URL)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	e, err := mongodb.StartEmbedded(ctx, mongodb.EmbeddedOptions{Addr: *addr, PostgresURL: *pg, SQLiteDir: *dir, Logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "ferretdb: listening at", e.URI())
	<-ctx.Done()
	e.Close()
}
