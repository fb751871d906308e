// Command webserve serves a built web app (web/apps/<app>/dist) as static files: the
// production image of the customer app runs it as its non-root entrypoint (`make images`).
//
//	webserve serve
//
// Configuration (environment):
//
//	DIZHTIME_WEB_DIR         the built app (default /srv/www)
//	DIZHTIME_WEB_ADDR        where to listen (default :8080)
//	DIZHTIME_WEB_ROUTER_URL  the router's public URL, written into index.html for the app
//	                         to call (default: none, the app calls its own origin)
//
// index.html is never cached (a deploy shows at once); Vite's hashed files under assets/
// are cached for a year. Responses are gzip-compressed (klauspost/compress's gzhttp).
// /healthz answers 200 for probes. The app routes by URL fragment, so there is no SPA
// fallback: an unknown path is a 404.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzhttp"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprintln(os.Stderr, "usage: webserve serve   (DIZHTIME_WEB_DIR, DIZHTIME_WEB_ADDR, DIZHTIME_WEB_ROUTER_URL)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, env("DIZHTIME_WEB_DIR", "/srv/www"), env("DIZHTIME_WEB_ADDR", ":8080"), os.Getenv("DIZHTIME_WEB_ROUTER_URL")); err != nil {
		slog.Error("webserve", "err", err)
		os.Exit(1)
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func serve(ctx context.Context, dir, addr, routerURL string) error {
	h, err := Handler(dir, routerURL)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	slog.Info("webserve: serving", "dir", dir, "addr", addr, "router", routerURL)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Handler serves dir; index.html carries routerURL (when set) in a
// <meta name="dizhtime-router"> the app reads.
func Handler(dir, routerURL string) (http.Handler, error) {
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		return nil, fmt.Errorf("the built app: %w", err)
	}
	if routerURL != "" {
		meta := fmt.Sprintf(`<meta name="dizhtime-router" content="%s" />`, html.EscapeString(routerURL))
		index = bytes.Replace(index, []byte("<head>"), []byte("<head>\n    "+meta), 1)
	}
	files := http.FileServer(http.Dir(dir))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	serveIndex := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	}
	mux.HandleFunc("GET /{$}", serveIndex)
	mux.HandleFunc("GET /index.html", serveIndex)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
	secured := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("X-Frame-Options", "DENY")
		mux.ServeHTTP(w, r)
	})
	return gzhttp.GzipHandler(secured), nil
}
