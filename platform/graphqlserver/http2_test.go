package graphqlserver_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/graphqlserver"
)

// sseLike plays gqlgen's SSE transport: a comment, then nothing until the request's
// context ends, then "event: complete".
func sseLike(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	fmt.Fprintf(w, ":%s\n\n", r.Proto)
	w.(http.Flusher).Flush()
	<-r.Context().Done()
	fmt.Fprint(w, "event: complete\n\n")
	w.(http.Flusher).Flush()
}

func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

func TestServeHTTP2_streamsShareOneCleartextConnection_andShutdownEndsThemWithoutCompleting(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(sseLike), ReadHeaderTimeout: 5 * time.Second}
	graphqlserver.ServeHTTP2(srv)
	var conns atomic.Int32
	srv.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/query"

	client := h2cClient()
	const streams = 20
	bodies := make([]io.ReadCloser, streams)
	for i := range bodies {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"query":"subscription { x }"}`))
		req.Header.Set("Accept", "text/event-stream")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		first := make([]byte, len(":HTTP/2.0\n\n"))
		if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != ":HTTP/2.0\n\n" {
			t.Fatalf("stream %d: %q %v", i, first, err)
		}
		bodies[i] = resp.Body
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d streams took %d connections, want 1", streams, n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with live streams: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("shutdown waited %v for the streams", time.Since(start))
	}
	for i, b := range bodies {
		rest, _ := io.ReadAll(b)
		if bytes.Contains(rest, []byte("complete")) {
			t.Fatalf("stream %d was completed by the shutdown (%q): the router would not resubscribe", i, rest)
		}
	}
}

func TestServeHTTP2_plainRequestsStillSpeakHTTP1(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Proto) }), ReadHeaderTimeout: 5 * time.Second}
	graphqlserver.ServeHTTP2(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "HTTP/1.1" {
		t.Fatalf("HTTP/1.1 client answered over %q", b)
	}
}
