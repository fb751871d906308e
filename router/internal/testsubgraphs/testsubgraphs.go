package testsubgraphs

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/accounts"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/gqlserver"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/inventory"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/products"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews"
)

// Set is the four test subgraphs, each listening on its own loopback port.
type Set struct {
	Accounts  *httptest.Server
	Products  *httptest.Server
	Reviews   *httptest.Server
	Inventory *httptest.Server

	// Requests records the queries each subgraph (by name) was sent, so tests can see
	// which subgraphs answered.
	Requests map[string]*gqlserver.RequestLog

	ReviewsSubgraph *reviews.Subgraph
	// ReviewsUpgrades records the subprotocols the router offered the reviews subgraph.
	ReviewsUpgrades *gqlserver.UpgradeRecorder
	// ReviewsStreams records the SSE subscription requests to reviews.
	ReviewsStreams *gqlserver.StreamRecorder
	// AccountsHeaders records the headers of requests to the accounts subgraph.
	AccountsHeaders *gqlserver.HeaderRecorder
	// ReviewsHeaders records the headers of requests (upgrades too) to reviews.
	ReviewsHeaders *gqlserver.HeaderRecorder

	mu           sync.Mutex
	reviewsConns map[net.Conn]bool
}

// Start starts the subgraphs; they stop when the test ends.
func Start(t testing.TB) *Set {
	t.Helper()
	logs := map[string]*gqlserver.RequestLog{
		"accounts":  {Next: accounts.NewHandler()},
		"products":  {Next: products.NewHandler()},
		"inventory": {Next: inventory.NewHandler()},
	}
	rv := reviews.New()
	logs["reviews"] = &gqlserver.RequestLog{Next: rv}
	streams := &gqlserver.StreamRecorder{Next: logs["reviews"]}
	rec := &gqlserver.UpgradeRecorder{Next: streams}
	hdr := &gqlserver.HeaderRecorder{Next: logs["accounts"]}
	reviewsHdr := &gqlserver.HeaderRecorder{Next: rec}
	s := &Set{
		Accounts:        httptest.NewServer(hdr),
		AccountsHeaders: hdr,
		Products:        httptest.NewServer(logs["products"]),
		Inventory:       httptest.NewServer(logs["inventory"]),
		Requests:        logs,
		Reviews:         httptest.NewUnstartedServer(reviewsHdr),
		ReviewsHeaders:  reviewsHdr,
		ReviewsSubgraph: rv,
		ReviewsUpgrades: rec,
		ReviewsStreams:  streams,
	}
	s.Reviews.Config.ConnState = s.trackReviewsConn
	serveHTTP2Cleartext(s.Reviews.Config)
	s.Reviews.Start()
	t.Cleanup(func() {
		s.closeReviewsConns()
		s.Reviews.CloseClientConnections()
		s.Accounts.Close()
		s.Products.Close()
		s.Inventory.Close()
		s.Reviews.Close()
	})
	return s
}

// trackReviewsConn remembers every connection to reviews, WebSocket ones (hijacked,
// which httptest forgets) included, so a test can cut them all as a crash would.
func (s *Set) trackReviewsConn(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reviewsConns == nil {
		s.reviewsConns = map[net.Conn]bool{}
	}
	if state == http.StateClosed {
		delete(s.reviewsConns, c)
		return
	}
	s.reviewsConns[c] = true
}

func (s *Set) closeReviewsConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.reviewsConns {
		_ = c.Close()
	}
	s.reviewsConns = nil
}

// serveHTTP2Cleartext makes srv answer HTTP/1.1 and cleartext HTTP/2 (prior knowledge),
// as platform/graphqlserver.ServeHTTP2 does for the real subgraphs: the router's upstream
// SSE subscriptions are HTTP/2 streams.
func serveHTTP2Cleartext(srv *http.Server) {
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	srv.Protocols = &p
	srv.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: 1000}
}

// ReviewsConnections counts the connections to reviews open now (WebSocket ones too).
func (s *Set) ReviewsConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reviewsConns)
}

// KillReviews kills the reviews subgraph (every connection cut, as in a crash) and
// leaves it down.
func (s *Set) KillReviews() {
	s.closeReviewsConns()
	s.Reviews.Close()
}

// RestartReviews kills the reviews subgraph (every connection cut, as in a crash) and
// starts it again on the same address, as a redeploy would.
func (s *Set) RestartReviews(t testing.TB) {
	t.Helper()
	addr := s.Reviews.Listener.Addr().String()
	handler := s.Reviews.Config.Handler
	s.closeReviewsConns()
	s.Reviews.Close()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(handler)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Config.ConnState = s.trackReviewsConn
	serveHTTP2Cleartext(srv.Config)
	srv.Start()
	s.Reviews = srv
}

// SupergraphYAML writes a supergraph.yaml into dir that introspects every subgraph
// and subscribes to reviews over wsProtocol (or "sse"); it returns the file's path.
func (s *Set) SupergraphYAML(t testing.TB, dir, wsProtocol string) string {
	t.Helper()
	ws := "ws" + strings.TrimPrefix(s.Reviews.URL, "http")
	if wsProtocol == "sse" {
		ws = s.Reviews.URL // SSE subscribes over HTTP (HTTP/2)
	}
	yaml := fmt.Sprintf(`subgraphs:
  - name: accounts
    routing_url: %s/query
  - name: products
    routing_url: %s/query
  - name: reviews
    routing_url: %s/query
    subscription:
      url: %s/query
      protocol: %s
  - name: inventory
    routing_url: %s/query
`, s.Accounts.URL, s.Products.URL, s.Reviews.URL, ws, wsProtocol, s.Inventory.URL)
	path := filepath.Join(dir, "supergraph.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
