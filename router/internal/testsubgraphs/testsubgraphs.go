package testsubgraphs

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/accounts"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/gqlserver"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/products"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews"
)

// Set is the three test subgraphs, each listening on its own loopback port.
type Set struct {
	Accounts *httptest.Server
	Products *httptest.Server
	Reviews  *httptest.Server

	ReviewsSubgraph *reviews.Subgraph
	// ReviewsUpgrades records the subprotocols the router offered the reviews subgraph.
	ReviewsUpgrades *gqlserver.UpgradeRecorder
	// AccountsHeaders records the headers of requests to the accounts subgraph.
	AccountsHeaders *gqlserver.HeaderRecorder
}

// Start starts the subgraphs; they stop when the test ends.
func Start(t testing.TB) *Set {
	t.Helper()
	rv := reviews.New()
	rec := &gqlserver.UpgradeRecorder{Next: rv}
	hdr := &gqlserver.HeaderRecorder{Next: accounts.NewHandler()}
	s := &Set{
		Accounts:        httptest.NewServer(hdr),
		AccountsHeaders: hdr,
		Products:        httptest.NewServer(products.NewHandler()),
		Reviews:         httptest.NewServer(rec),
		ReviewsSubgraph: rv,
		ReviewsUpgrades: rec,
	}
	t.Cleanup(func() {
		s.Reviews.CloseClientConnections()
		s.Accounts.Close()
		s.Products.Close()
		s.Reviews.Close()
	})
	return s
}

// SupergraphYAML writes a supergraph.yaml into dir that introspects every subgraph
// and subscribes to reviews over wsProtocol; it returns the file's path.
func (s *Set) SupergraphYAML(t testing.TB, dir, wsProtocol string) string {
	t.Helper()
	ws := "ws" + strings.TrimPrefix(s.Reviews.URL, "http")
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
`, s.Accounts.URL, s.Products.URL, s.Reviews.URL, ws, wsProtocol)
	path := filepath.Join(dir, "supergraph.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
