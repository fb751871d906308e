package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// EmbeddedOptions chooses FerretDB's storage: SQLite files in a directory (the laptop
// default) or a PostgreSQL database (what deploy/local/services.sh runs for tests).
type EmbeddedOptions struct {
	// Addr is the TCP address to listen on; "127.0.0.1:0" picks a free port.
	Addr string
	// SQLiteDir stores data as SQLite files; used when PostgresURL is empty.
	SQLiteDir string
	// PostgresURL stores data in PostgreSQL.
	PostgresURL string
	Logger      *slog.Logger
}

// Embedded is a FerretDB server running in this process.
type Embedded struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// StartEmbedded starts FerretDB and returns once it accepts connections.
func StartEmbedded(ctx context.Context, o EmbeddedOptions) (*Embedded, error) {
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	// FerretDB needs a concrete port up front to report its URI; reserve one.
	if _, port, err := net.SplitHostPort(addr); err == nil && port == "0" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("reserve a port for FerretDB: %w", err)
		}
		addr = l.Addr().String()
		_ = l.Close()
	}
	cfg := &ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: addr}, Logger: o.Logger}
	switch {
	case o.PostgresURL != "":
		cfg.Handler, cfg.PostgreSQLURL = "postgresql", o.PostgresURL
	case o.SQLiteDir != "":
		if err := os.MkdirAll(o.SQLiteDir, 0o755); err != nil {
			return nil, fmt.Errorf("FerretDB data dir: %w", err)
		}
		cfg.Handler, cfg.SQLiteURL = "sqlite", "file:"+o.SQLiteDir+"/"
	default:
		return nil, errors.New("embedded FerretDB: set SQLiteDir or PostgresURL")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	f, err := ferretdb.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("embedded FerretDB: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &Embedded{uri: "mongodb://" + addr + "/", cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = f.Run(runCtx)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return e, nil
		}
		if time.Now().After(deadline) {
			e.Close()
			return nil, fmt.Errorf("embedded FerretDB did not listen on %s: %w", addr, err)
		}
		select {
		case <-e.done:
			return nil, fmt.Errorf("embedded FerretDB stopped while starting on %s", addr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// URI is the connection string clients use.
func (e *Embedded) URI() string { return e.uri }

// Close stops the server and waits for it.
func (e *Embedded) Close() {
	e.cancel()
	<-e.done
}
