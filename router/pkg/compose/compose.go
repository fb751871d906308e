package compose

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	nodev1 "github.com/wundergraph/cosmo/router/gen/proto/wg/cosmo/node/v1"
	"github.com/wundergraph/graphql-go-tools/execution/engine"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Subgraph is one subgraph with its SDL in hand, ready to compose.
type Subgraph struct {
	Name            string
	RoutingURL      string
	SubscriptionURL string
	Protocol        config.SubscriptionProtocol
	SDL             string
	// Timeout bounds one fetch from this subgraph (zero: the router's default).
	Timeout time.Duration
}

// Result is a composed supergraph.
type Result struct {
	// RouterConfig is what the engine is built from. Treat it as read-only: it is shared
	// by every caller that composed the same subgraphs.
	RouterConfig *nodev1.RouterConfig
	// Subgraphs are the inputs, in order.
	Subgraphs []Subgraph
	// Took is how long composition ran (zero when served from a cache).
	Took time.Duration
	// FromDisk is set when the result came from the on-disk cache of an earlier run.
	FromDisk bool
}

// SupergraphSDL is the composed schema the router serves.
func (r *Result) SupergraphSDL() string { return r.RouterConfig.GetEngineConfig().GetGraphqlSchema() }

// Error is a composition failure as the composer reported it: its message names the
// subgraph, type and field at fault.
type Error struct{ Err error }

func (e *Error) Error() string { return "composition failed: " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Composer composes subgraphs and remembers the last results, keyed by every input,
// because composition runs JavaScript and costs hundreds of milliseconds.
type Composer struct {
	mu    sync.Mutex
	cache map[[sha256.Size]byte]*Result
	order [][sha256.Size]byte
	max   int
	// dir, when set, keeps composition results on disk by input hash, so a restart
	// with unchanged inputs does not compose again.
	dir string
}

// WithDiskCache makes the composer keep its results in dir (created when missing),
// one file per input hash; "" keeps them in memory only.
func (c *Composer) WithDiskCache(dir string) *Composer {
	c.dir = dir
	return c
}

// NewComposer returns a composer that keeps up to keep results.
func NewComposer(keep int) *Composer {
	if keep < 1 {
		keep = 1
	}
	return &Composer{cache: map[[sha256.Size]byte]*Result{}, max: keep}
}

// Compose composes the subgraphs, or returns the cached result for identical inputs.
func (c *Composer) Compose(ctx context.Context, subgraphs []Subgraph) (*Result, error) {
	if len(subgraphs) == 0 {
		return nil, errors.New("compose: no subgraphs")
	}
	key := cacheKey(subgraphs)
	c.mu.Lock()
	if r, ok := c.cache[key]; ok {
		c.mu.Unlock()
		return &Result{RouterConfig: r.RouterConfig, Subgraphs: r.Subgraphs}, nil
	}
	c.mu.Unlock()

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var res *Result
	if rc := c.readDisk(key); rc != nil {
		res = &Result{RouterConfig: rc, Subgraphs: append([]Subgraph(nil), subgraphs...), FromDisk: true}
	} else {
		start := time.Now()
		rc, err := engine.NewFederationEngineConfigFactory(ctx, toEngine(subgraphs)).Compose()
		if err != nil {
			return nil, &Error{Err: err}
		}
		nameDataSources(rc)
		withholdUnresolvableEntities(rc)
		res = &Result{RouterConfig: rc, Subgraphs: append([]Subgraph(nil), subgraphs...), Took: time.Since(start)}
		c.writeDisk(key, rc)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cache[key]; !ok {
		c.cache[key] = res
		c.order = append(c.order, key)
		if len(c.order) > c.max {
			delete(c.cache, c.order[0])
			c.order = c.order[1:]
		}
	}
	return res, nil
}

// nameDataSources gives each data source its subgraph's name as id: the engine names
// the failing data source in fetch errors, and a client should read "reviews", not "2".
func nameDataSources(rc *nodev1.RouterConfig) {
	names := make(map[string]string, len(rc.GetSubgraphs()))
	for _, s := range rc.GetSubgraphs() {
		names[s.GetId()] = s.GetName()
	}
	for _, ds := range rc.GetEngineConfig().GetDatasourceConfigurations() {
		if name, ok := names[ds.GetId()]; ok && name != "" {
			ds.Id = name
		}
	}
}

func toEngine(subgraphs []Subgraph) []engine.SubgraphConfiguration {
	out := make([]engine.SubgraphConfiguration, len(subgraphs))
	for i, s := range subgraphs {
		out[i] = engine.SubgraphConfiguration{
			Name:                 s.Name,
			URL:                  s.RoutingURL,
			SDL:                  normaliseSDL(s.SDL),
			SubscriptionUrl:      s.SubscriptionURL,
			SubscriptionProtocol: EngineProtocol(s.Protocol),
		}
	}
	return out
}

// EngineProtocol maps a supergraph.yaml protocol onto the engine's transport: both
// WebSocket subprotocols are "ws" (the subprotocol is pinned per connection by the
// router's HTTP transport); "sse" is SSE over POST (the router's own client serves it,
// on HTTP/2: router/core/upstream_sse.go).
func EngineProtocol(p config.SubscriptionProtocol) engine.SubscriptionProtocol {
	if p == config.ProtocolSSE {
		return engine.SubscriptionProtocolSSEPost
	}
	return engine.SubscriptionProtocolWS
}

// composerVersion is part of every cache key: results of another engine build are not
// reused.
const composerVersion = "graphql-go-tools/execution v1.6.0 + v2 rc.231; router conformance fixes 1"

func cacheKey(subgraphs []Subgraph) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(composerVersion))
	field := func(s string) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	for _, s := range subgraphs {
		field(s.Name)
		field(s.RoutingURL)
		field(s.SubscriptionURL)
		field(string(s.Protocol))
		field(s.SDL)
		field(s.Timeout.String())
	}
	var key [sha256.Size]byte
	copy(key[:], h.Sum(nil))
	return key
}

// SameInputs reports whether two compositions were made from the same subgraphs (names,
// URLs, protocols, SDLs and timeouts, in order): then they serve the same graph.
func SameInputs(a, b []Subgraph) bool { return cacheKey(a) == cacheKey(b) }

// String describes a subgraph for logs.
func (s Subgraph) String() string { return fmt.Sprintf("%s (%s)", s.Name, s.RoutingURL) }

func (c *Composer) diskPath(key [sha256.Size]byte) string {
	return filepath.Join(c.dir, "composition-"+hex.EncodeToString(key[:])+".json")
}

// readDisk returns the cached router config for key, or nil (no cache, no entry, or
// an entry that does not decode: then it is composed again and rewritten).
func (c *Composer) readDisk(key [sha256.Size]byte) *nodev1.RouterConfig {
	if c.dir == "" {
		return nil
	}
	data, err := os.ReadFile(c.diskPath(key))
	if err != nil {
		return nil
	}
	var rc nodev1.RouterConfig
	if protojson.Unmarshal(data, &rc) != nil {
		return nil
	}
	return &rc
}

// writeDisk stores a result atomically (temp file, then rename); a failure only costs
// the next start a composition.
func (c *Composer) writeDisk(key [sha256.Size]byte, rc *nodev1.RouterConfig) {
	if c.dir == "" {
		return
	}
	data, err := protojson.Marshal(rc)
	if err != nil || os.MkdirAll(c.dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, "composition-*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), c.diskPath(key)) != nil {
		_ = os.Remove(tmp.Name())
	}
}
