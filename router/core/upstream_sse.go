package core

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"time"
	"unsafe"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/graphql_datasource"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// Upstream subscriptions over SSE on HTTP/2 (supergraph.yaml subscription.protocol: sse).
//
// Why: over WebSocket the engine opens one socket per distinct upstream subscription
// (two file descriptors and several goroutines each), so a router with one stream per
// customer runs out of file descriptors at ~10k subscribers, and then even queries fail.
// Over HTTP/2 every subscription is a stream (POST, Accept: text/event-stream) on a few
// connections per subgraph — cleartext HTTP/2 with prior knowledge for http://, ALPN for
// https:// — and each stream carries its own headers: the caller's router-signed service
// token, traceparent and forwarded headers, exactly as a query does. The subgraph checks
// that identity per stream with the middleware it uses for every request
// (platform/authz), so identities are never mixed and nothing on the subgraph changes
// except serving HTTP/2.
//
// The engine's own SSE client (graphql-go-tools rc.231) is not used: it never tells the
// resolver that a stream ended (no Complete on "event: complete" nor on EOF, so the
// client's subscription hangs), it cannot tell a subgraph that went away from one that
// completed, and it can send on a closed channel when the client leaves. This client
// does those three things and leaves WebSocket subgraphs to the engine's client.

// upstreamStreamPerConn is how many subscription streams one HTTP/2 connection to a
// subgraph carries: the subgraph's SETTINGS_MAX_CONCURRENT_STREAMS decides (Go's server
// defaults to 250; platform/graphqlserver.ServeHTTP2 raises it to this), and the client
// opens another connection when a connection is full.
const upstreamStreamPerConn = 1000

// newUpstreamStreamTransport is the HTTP/2-only transport for upstream SSE subscriptions.
// It pings idle connections so a subgraph host that vanished without closing them (power
// loss, network partition) ends its streams within seconds instead of never.
func newUpstreamStreamTransport(dialer *net.Dialer) *http.Transport {
	var protocols http.Protocols
	protocols.SetUnencryptedHTTP2(true) // http:// : h2c with prior knowledge
	protocols.SetHTTP2(true)            // https:// : h2 by ALPN
	return &http.Transport{
		Proxy:       nil,
		DialContext: dialer.DialContext,
		Protocols:   &protocols,
		HTTP2: &http.HTTP2Config{
			MaxConcurrentStreams: upstreamStreamPerConn,
			SendPingTimeout:      15 * time.Second,
			PingTimeout:          5 * time.Second,
		},
		IdleConnTimeout: 90 * time.Second,
	}
}

// routerSubscriptionClient is the upstream subscription client the engine gets: SSE
// subscriptions are served here (see above), WebSocket ones by the engine's client.
type routerSubscriptionClient struct {
	graphql_datasource.GraphQLSubscriptionClient
	streaming *http.Client
	engineCtx context.Context
	// drops hears of streams a subgraph ended without completing them.
	drops *upstreamDrops
	// shared holds the streams identical subscriptions of one caller share (see
	// sharedStreams); nil: none are shared.
	shared *sharedStreams
}

func (c *routerSubscriptionClient) Subscribe(ctx *resolve.Context, options graphql_datasource.GraphQLSubscriptionOptions, updater resolve.SubscriptionUpdater) error {
	if options.UseSSE {
		return c.subscribeSSE(ctx.Context(), options, updater)
	}
	return c.GraphQLSubscriptionClient.Subscribe(ctx, options, updater)
}

func (c *routerSubscriptionClient) SubscribeAsync(ctx *resolve.Context, id uint64, options graphql_datasource.GraphQLSubscriptionOptions, updater resolve.SubscriptionUpdater) error {
	if options.UseSSE {
		return c.subscribeSSE(ctx.Context(), options, updater)
	}
	return c.GraphQLSubscriptionClient.SubscribeAsync(ctx, id, options, updater)
}

// subscribeSSE opens the stream and reads it on a goroutine of its own until the
// subgraph completes it, the subscription's context ends (the client left: the resolver
// cancels it, which resets the HTTP/2 stream), or the connection breaks. A subscription
// whose field shares its latest state (sharedStreams) joins the stream an identical
// subscription of the same caller already has open, if any.
func (c *routerSubscriptionClient) subscribeSSE(ctx context.Context, options graphql_datasource.GraphQLSubscriptionOptions, updater resolve.SubscriptionUpdater) error {
	body, err := json.Marshal(options.Body)
	if err != nil {
		return err
	}
	if key, ok := c.shared.keyFor(ctx, options, body); ok {
		return c.shared.join(ctx, key, updater, func(streamCtx context.Context) (*http.Request, error) {
			return newStreamRequest(streamCtx, options, body)
		}, c.run)
	}
	req, err := newStreamRequest(ctx, options, body)
	if err != nil {
		return err
	}
	go func() {
		defer updater.Complete()
		if last := c.run(ctx, req, updater.Update); last != nil {
			updater.Update(last)
		}
	}()
	return nil
}

func newStreamRequest(ctx context.Context, options graphql_datasource.GraphQLSubscriptionOptions, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, options.URL, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range options.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	return req, nil
}

// run streams req's events to next until the stream ends, and returns what the
// subscribers get last (the subgraph's refusal, or the drop result; nil after a
// completion or when the subscription was ended on this side).
func (c *routerSubscriptionClient) run(ctx context.Context, req *http.Request, next func([]byte)) (last []byte) {
	resp, err := c.streaming.Do(req)
	if err != nil {
		c.ended(ctx, req, err)
		return upstreamDropResult(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if ctx.Err() != nil {
			return nil
		}
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode < 500 && looksLikeGraphQLErrors(raw) {
			// The subgraph refused the operation (a GraphQL result): pass it on as it is.
			return raw
		}
		err := fmt.Errorf("subscription stream answered %s", resp.Status)
		c.ended(ctx, req, err)
		return upstreamDropResult(err)
	}
	completed, err := readEventStream(resp.Body, func(data []byte) {
		if ctx.Err() == nil {
			next(data)
		}
	})
	if completed || ctx.Err() != nil || c.engineCtx.Err() != nil {
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF // the stream ended without "event: complete"
	}
	c.ended(ctx, req, err)
	return upstreamDropResult(err)
}

// ended records that the subgraph ended a stream it had not completed, unless the
// subscription was ended on this side.
func (c *routerSubscriptionClient) ended(ctx context.Context, req *http.Request, _ error) {
	if ctx.Err() != nil || c.drops == nil {
		return
	}
	c.drops.record(req.URL.Host)
}

// upstreamDropResult is the result of a broken upstream stream in the shape the engine
// gives a broken upstream WebSocket: errors only, no extensions (isUpstreamDrop), so the
// resubscriber treats both the same way.
func upstreamDropResult(err error) []byte {
	msg := "upstream subscription stream ended"
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		msg += ": " + err.Error()
	}
	b, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"message": msg}}})
	return b
}

func looksLikeGraphQLErrors(raw []byte) bool {
	var res struct {
		Errors []json.RawMessage `json:"errors"`
	}
	return json.Unmarshal(raw, &res) == nil && len(res.Errors) > 0
}

// readEventStream reads text/event-stream events (the GraphQL over SSE "distinct
// connections" format gqlgen serves: "event: next" with the result in data, "event:
// complete" at the end) and hands each next event's data to next. It reports whether the
// stream was completed; err is nil when the stream ended cleanly without completing.
func readEventStream(r io.Reader, next func([]byte)) (completed bool, err error) {
	br := bufio.NewReaderSize(r, 4096)
	var (
		event string
		data  []byte
	)
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			if err == io.EOF {
				return false, nil
			}
			return false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 { // dispatch
			switch event {
			case "complete":
				return true, nil
			case "", "next":
				if len(data) > 0 {
					next(data)
				}
			}
			event, data = "", nil
			continue
		}
		if line[0] == ':' {
			continue // comment (keep-alive)
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			event = string(value)
		case "data":
			if data != nil {
				data = append(data, '\n')
			}
			data = append(data, value...)
		}
	}
}

// serveSSESubscriptions puts routerSubscriptionClient in front of the engine's upstream
// subscription client in every GraphQL data source's factory. The engine's federation
// factory accepts only its own client type (IsDefaultGraphQLSubscriptionClient) and keeps
// the factory and its client unexported, so they are reached by reflection here, as
// keySubscriptionsByCaller does; a build of the engine that moves them fails this
// function, and with it every test.
func serveSSESubscriptions(sources []plan.DataSource, streaming *http.Client, engineCtx context.Context, drops *upstreamDrops, shareLatest []string) error {
	shared := newSharedStreams(shareLatest)
	wrapped := map[graphql_datasource.GraphQLSubscriptionClient]*routerSubscriptionClient{}
	factoryType := reflect.TypeFor[*graphql_datasource.Factory[graphql_datasource.Configuration]]()
	for _, ds := range sources {
		v := reflect.ValueOf(ds)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return fmt.Errorf("data source %s: unexpected type %T", ds.Id(), ds)
		}
		factory := v.Elem().FieldByName("factory")
		if !factory.IsValid() || factory.Kind() != reflect.Interface || factory.IsNil() || factory.Elem().Type() != factoryType {
			return fmt.Errorf("data source %s: the engine's data source factory moved; upstream SSE subscriptions cannot be served", ds.Id())
		}
		field := factory.Elem().Elem().FieldByName("subscriptionClient")
		if !field.IsValid() || field.Type() != reflect.TypeFor[graphql_datasource.GraphQLSubscriptionClient]() {
			return fmt.Errorf("data source %s: the engine's subscription client moved; upstream SSE subscriptions cannot be served", ds.Id())
		}
		client := (*graphql_datasource.GraphQLSubscriptionClient)(unsafe.Pointer(field.UnsafeAddr()))
		if *client == nil {
			continue
		}
		if _, done := (*client).(*routerSubscriptionClient); done {
			continue
		}
		w, ok := wrapped[*client]
		if !ok {
			w = &routerSubscriptionClient{GraphQLSubscriptionClient: *client, streaming: streaming, engineCtx: engineCtx, drops: drops, shared: shared}
			wrapped[*client] = w
		}
		*client = w
	}
	return nil
}
