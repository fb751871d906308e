package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// Every transport a client can use. POST and GET carry queries; SSE and multipart carry
// subscriptions; both WebSocket protocols carry both.
var everyTransport = []string{"post", "get", "graphql-transport-ws", "graphql-ws", "sse", "multipart"}

// outcome is what a client saw first for an operation, whatever the transport.
type outcome struct {
	codes []string
	data  json.RawMessage
	raw   string
}

func (o outcome) hasData() bool { return len(o.data) > 0 && string(o.data) != "null" }

// runOver sends one operation over a transport and returns the first result.
func runOver(t *testing.T, transport, endpoint string, body map[string]any, header http.Header) outcome {
	t.Helper()
	switch transport {
	case "graphql-transport-ws", "graphql-ws":
		return runOverWS(t, transport, endpoint, body, header)
	}
	var req *http.Request
	if transport == "get" {
		q := url.Values{}
		for k, v := range body {
			if s, ok := v.(string); ok {
				q.Set(k, s)
			} else {
				b, _ := json.Marshal(v)
				q.Set(k, string(b))
			}
		}
		req, _ = http.NewRequest(http.MethodGet, endpoint+"?"+q.Encode(), nil)
	} else {
		b, _ := json.Marshal(body)
		req, _ = http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
	}
	switch transport {
	case "sse":
		req.Header.Set("Accept", "text/event-stream")
	case "multipart":
		req.Header.Set("Accept", `multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json`)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("%s: %v", transport, err)
	}
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	var payload []byte
	switch {
	case strings.HasPrefix(ct, "text/event-stream"):
		for _, ev := range readSSE(t, resp.Body) {
			if ev.event == "next" {
				payload = []byte(ev.data)
				break
			}
		}
	case strings.HasPrefix(ct, "multipart/mixed"):
		raw, _ := io.ReadAll(resp.Body)
		for _, part := range strings.Split(string(raw), "\r\n--graphql")[1:] {
			_, content, ok := strings.Cut(part, "\r\n\r\n")
			if !ok || content == "{}" {
				continue
			}
			var p struct {
				Payload json.RawMessage `json:"payload"`
				Errors  json.RawMessage `json:"errors"`
			}
			_ = json.Unmarshal([]byte(content), &p)
			if len(p.Errors) > 0 {
				payload = []byte(`{"errors":` + string(p.Errors) + `}`)
			} else {
				payload = p.Payload
			}
			break
		}
	default:
		payload, _ = io.ReadAll(resp.Body)
	}
	return parseOutcome(t, payload)
}

func parseOutcome(t *testing.T, payload []byte) outcome {
	t.Helper()
	var res struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(payload, &res); err != nil {
		t.Fatalf("result is not JSON: %q", payload)
	}
	o := outcome{data: res.Data, raw: string(payload)}
	for _, e := range res.Errors {
		c, _ := e.Extensions["code"].(string)
		o.codes = append(o.codes, c)
	}
	return o
}

func runOverWS(t *testing.T, protocol, endpoint string, body map[string]any, header http.Header) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(endpoint, "http"), &websocket.DialOptions{Subprotocols: []string{protocol}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.CloseNow()
	c := &wsClient{t: t, conn: conn}
	initPayload := map[string]any{}
	if a := header.Get("Authorization"); a != "" {
		initPayload["Authorization"] = a
	}
	c.send(map[string]any{"type": "connection_init", "payload": initPayload})
	if m := c.readSkippingKeepAlive(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", m)
	}
	start := "subscribe"
	if protocol == "graphql-ws" {
		start = "start"
	}
	c.send(map[string]any{"id": "1", "type": start, "payload": body})
	m := c.readSkippingKeepAlive()
	switch m.Type {
	case "next", "data":
		// Read to complete: a subscription still running could be shared with the next
		// client asking the same (the engine deduplicates upstream subscriptions).
		for {
			if end := c.readSkippingKeepAlive(); end.Type == "complete" || end.Type == "error" {
				break
			}
		}
		return parseOutcome(t, m.Payload)
	case "error":
		// graphql-transport-ws: an array of errors; graphql-ws: one error object or an array.
		p := bytes.TrimSpace(m.Payload)
		if len(p) > 0 && p[0] == '{' {
			p = append(append([]byte("["), p...), ']')
		}
		return parseOutcome(t, []byte(`{"errors":`+string(p)+`}`))
	}
	t.Fatalf("%s: unexpected message %+v (%s)", protocol, m, m.Payload)
	return outcome{}
}

// protectedCase is one rule, as a query (for POST, GET, WebSocket) and as a subscription
// (for SSE, multipart, WebSocket).
type protectedCase struct {
	name, code   string
	query        string
	subscription string
	extensions   map[string]any
}

func (pc protectedCase) bodies(transport string) []map[string]any {
	var out []map[string]any
	add := func(q string) {
		b := map[string]any{}
		if q != "" {
			b["query"] = q
		}
		if pc.extensions != nil {
			b["extensions"] = pc.extensions
		}
		out = append(out, b)
	}
	switch transport {
	case "post", "get":
		add(pc.query)
	case "sse", "multipart":
		add(pc.subscription)
	default:
		add(pc.query)
		if pc.subscription != pc.query {
			add(pc.subscription)
		}
	}
	return out
}

const sub1 = `reviewAdded(upc: "top-1", count: 1, intervalMs: 5)`

func TestProtections_everyRuleRefusesTheOperationOnEveryTransport(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) {
		c.Introspection = false
		c.Limits.MaxDepth = 4
		c.Limits.MaxAliases = 2
		c.Limits.MaxRootFields = 2
		c.Limits.MaxFields = 12
		c.Limits.MaxCost = 20
		c.Limits.DefaultListSize = 10
	})
	cases := []protectedCase{
		{name: "introspection off", code: "INTROSPECTION_DISABLED",
			query:        `{ __schema { queryType { name } } }`,
			subscription: `subscription { ` + sub1 + ` { body } __schema { queryType { name } } }`},
		{name: "depth", code: "MAX_DEPTH_EXCEEDED",
			query:        `{ topProducts(first: 1) { reviews { product { reviews { body } } } } }`,
			subscription: `subscription { ` + sub1 + ` { product { reviews { product { name } } } } }`},
		{name: "aliases", code: "MAX_ALIASES_EXCEEDED",
			query:        `{ product(upc: "top-1") { a: name b: name c: name } }`,
			subscription: `subscription { ` + sub1 + ` { a: body b: body c: body } }`},
		{name: "root fields", code: "MAX_ROOT_FIELDS_EXCEEDED",
			query:        `{ me { name } topProducts(first: 1) { name } latestReviews { body } }`,
			subscription: `subscription { ` + sub1 + ` { body } ` + sub1 + ` { id } __typename }`},
		{name: "total fields", code: "MAX_FIELDS_EXCEEDED",
			query:        `{ product(upc: "top-1") { upc sku name price weight shippingEstimate reviews { id body author { id name username } } } }`,
			subscription: `subscription { ` + sub1 + ` { id body author { id name username } product { upc sku name price weight } } }`},
		{name: "cost", code: "MAX_COST_EXCEEDED",
			query:        `{ topProducts(first: 100) { name } }`,
			subscription: `subscription { ` + sub1 + ` { author { reviews { id } } product { reviews { id } } } }`},
		{name: "@inaccessible field", code: "GRAPHQL_VALIDATION_FAILED",
			query:        `{ product(upc: "top-1") { internalCode } }`,
			subscription: `subscription { ` + sub1 + ` { product { internalCode } } }`},
		{name: "APQ hash unknown", code: "PERSISTED_QUERY_NOT_FOUND",
			extensions: persisted(sha("{ never registered }"))},
		{name: "APQ hash mismatch", code: "PERSISTED_QUERY_HASH_MISMATCH",
			query:        `{ me { name } }`,
			subscription: `subscription { ` + sub1 + ` { body } }`,
			extensions:   persisted(sha("something else"))},
	}
	for i, transport := range everyTransport {
		for _, pc := range cases {
			t.Run(transport+"/"+pc.name, func(t *testing.T) {
				for _, body := range pc.bodies(transport) {
					got := runOver(t, transport, r.URL, body, nil)
					if len(got.codes) == 0 || got.codes[0] != pc.code || got.hasData() {
						t.Fatalf("want %s and no data for %v, got %s", pc.code, body["query"], got.raw)
					}
				}
			})
		}
		t.Run(transport+"/within every limit runs", func(t *testing.T) {
			// Arguments of its own: the engine shares an upstream subscription between
			// clients asking for the same thing, and an earlier one may be finishing.
			ok := protectedCase{query: `query Top { topProducts(first: 1) { name } }`,
				subscription: fmt.Sprintf(`subscription { reviewAdded(upc: "top-1", count: 1, intervalMs: %d) { body } }`, 30+i)}
			for _, body := range ok.bodies(transport) {
				got := runOver(t, transport, r.URL, body, nil)
				if len(got.codes) != 0 || !got.hasData() {
					t.Fatalf("an operation within the limits was refused: %s", got.raw)
				}
			}
		})
	}
}

func TestProtections_requestTimeoutCutsAQueryOnEveryTransportThatCarriesQueries(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Limits.RequestTimeout = 300 * time.Millisecond })
	r.Subgraphs.ReviewsSubgraph.SetDelay(2 * time.Second)
	for _, transport := range []string{"post", "get", "graphql-transport-ws", "graphql-ws"} {
		t.Run(transport, func(t *testing.T) {
			got := runOver(t, transport, r.URL, map[string]any{"query": `{ latestReviews { body } }`}, nil)
			if len(got.codes) == 0 || got.codes[0] != "REQUEST_TIMEOUT" {
				t.Fatalf("want REQUEST_TIMEOUT, got %s", got.raw)
			}
		})
	}
}

func TestProtections_theSafelistHoldsOnEveryTransport(t *testing.T) {
	allowedQuery := `query Me { me { name } }`
	allowedSub := `subscription Reviews { ` + sub1 + ` { body } }`
	manifest, _ := json.Marshal(map[string]any{
		"format": "apollo-persisted-query-manifest", "version": 1,
		"operations": []map[string]any{
			{"id": sha(allowedQuery), "name": "Me", "type": "query", "body": allowedQuery},
			{"id": sha(allowedSub), "name": "Reviews", "type": "subscription", "body": allowedSub},
		},
	})
	path := filepath.Join(t.TempDir(), "persisted-operations.json")
	if err := os.WriteFile(path, manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.PersistedQueries.SafelistFile = path })
	refused := protectedCase{code: "OPERATION_NOT_IN_SAFELIST",
		query: `{ me { name username } }`, subscription: `subscription { ` + sub1 + ` { id body } }`}
	allowed := protectedCase{query: allowedQuery, subscription: allowedSub}
	for _, transport := range everyTransport {
		t.Run(transport, func(t *testing.T) {
			for _, body := range refused.bodies(transport) {
				if got := runOver(t, transport, r.URL, body, nil); len(got.codes) == 0 || got.codes[0] != refused.code || got.hasData() {
					t.Fatalf("want %s for %v, got %s", refused.code, body["query"], got.raw)
				}
			}
			for _, body := range allowed.bodies(transport) {
				if got := runOver(t, transport, r.URL, body, nil); len(got.codes) != 0 || !got.hasData() {
					t.Fatalf("a safelisted operation was refused: %s", got.raw)
				}
			}
		})
	}
}

// The vault subgraph has no subscriptions: over SSE and multipart the query goes with
// their Accept headers (the same endpoint and pipeline a streaming client reaches).
func TestProtections_authorizationHoldsOnEveryTransport(t *testing.T) {
	issuer := newTokenIssuer(t)
	endpoint := startVaultRouter(t, withAuth(issuer, false))
	customer := bearer(issuer.token(t, "u-1", time.Hour, "CUSTOMER"))
	for _, transport := range everyTransport {
		t.Run(transport, func(t *testing.T) {
			anon := runOver(t, transport, endpoint, map[string]any{"query": `{ myNote }`}, nil)
			if len(anon.codes) == 0 || anon.codes[0] != "UNAUTHENTICATED" || anon.hasData() {
				t.Fatalf("anonymous @authenticated: want UNAUTHENTICATED, got %s", anon.raw)
			}
			forbidden := runOver(t, transport, endpoint, map[string]any{"query": `{ auditLog }`}, customer)
			if len(forbidden.codes) == 0 || forbidden.codes[0] != "FORBIDDEN" || forbidden.hasData() {
				t.Fatalf("@requiresScopes without the role: want FORBIDDEN, got %s", forbidden.raw)
			}
			mine := runOver(t, transport, endpoint, map[string]any{"query": `{ myNote }`}, customer)
			if len(mine.codes) != 0 || !mine.hasData() {
				t.Fatalf("an authenticated caller was refused: %s", mine.raw)
			}
		})
	}
}

func TestCost_listFieldsAreWeightedByTheirSizeArgumentFromVariablesOrTheDefault(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) {
		c.Limits.MaxCost = 20
		c.Limits.DefaultListSize = 10
	})
	q := `query Top($n: Int) { topProducts(first: $n) { name reviews { body } } }`
	// first: 2 -> 2 × (1 product + 10 reviews by default) = 22 > 20.
	over := r.post(t, q, map[string]any{"n": 2})
	if len(over.Errors) != 1 || over.Errors[0].Extensions["code"] != "MAX_COST_EXCEEDED" || over.Errors[0].Extensions["cost"] != float64(22) {
		t.Fatalf("want MAX_COST_EXCEEDED with cost 22: %s", over.Body)
	}
	// first: 1 -> 11.
	if within := r.post(t, q, map[string]any{"n": 1}); len(within.Errors) != 0 {
		t.Fatalf("cost 11 was refused: %s", within.Body)
	}
	// No argument: the schema's default (first: Int = 5) -> 5 × 11 = 55.
	if def := r.post(t, `{ topProducts { name reviews { body } } }`, nil); len(def.Errors) != 1 || def.Errors[0].Extensions["cost"] != float64(55) {
		t.Fatalf("want cost 55 from the schema default: %s", def.Body)
	}
}

func TestMetrics_operationNamesOutsideTheKnownSetShareOneLabel(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	for i := range 205 {
		if res := r.post(t, fmt.Sprintf(`query Op%d { __typename }`, i), nil); len(res.Errors) != 0 {
			t.Fatalf("query %d: %s", i, res.Body)
		}
	}
	// A refused operation's name is the client's to choose: never a label of its own.
	r.post(t, `query Refused { noSuchField }`, nil)
	resp, err := http.Get(r.Base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	names := map[string]bool{}
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "router_operations_total{") {
			continue
		}
		_, rest, _ := strings.Cut(line, `operation_name="`)
		name, _, _ := strings.Cut(rest, `"`)
		names[name] = true
	}
	if len(names) > 202 || !names["other"] || !names["Op0"] || names["Op204"] || names["Refused"] {
		t.Fatalf("operation_name has %d values (want at most 200 names, \"other\" and \"\"), Op0=%v Op204=%v Refused=%v",
			len(names), names["Op0"], names["Op204"], names["Refused"])
	}
}

func TestLimits_aZeroBodyLimitIsOff(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Limits.MaxRequestBodyBytes = 0 })
	body := `{"query":"{ me { name } }","variables":{"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
	resp, err := http.Post(r.URL, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res := readResponse(t, resp)
	if res.Status != http.StatusOK || len(res.Errors) != 0 {
		t.Fatalf("a 2 MiB body with the limit off: %d %s", res.Status, res.Body)
	}
	assertJSON(t, `{"me":{"name":"Ada Lovelace"}}`, res.Data)
}
