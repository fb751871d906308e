package core_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// fromAddr is an HTTP client whose connections leave from the loopback address ip
// (127.0.0.0/8 is all loopback on Linux), so one test can be several client addresses.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// wsFrom opens a graphql-transport-ws connection from ip and returns it, with the close
// code the router ended it with at once (-1 when it was acknowledged and stays open).
func wsFrom(t *testing.T, httpURL, ip string) (*websocket.Conn, websocket.StatusCode) {
	t.Helper()
	conn, code, _ := wsAs(t, httpURL, ip, "")
	return conn, code
}

// wsAs is wsFrom with the bearer token in connection_init ("" for none).
func wsAs(t *testing.T, httpURL, ip, token string) (*websocket.Conn, websocket.StatusCode, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(httpURL, "http"), &websocket.DialOptions{
		HTTPClient: fromAddr(ip), Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	init := `{"type":"connection_init","payload":{}}`
	if token != "" {
		init = `{"type":"connection_init","payload":{"Authorization":"Bearer ` + token + `"}}`
	}
	if err := conn.Write(ctx, websocket.MessageText, []byte(init)); err != nil {
		return conn, websocket.CloseStatus(err), err.Error()
	}
	_, msg, err := conn.Read(ctx)
	if err != nil {
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return conn, ce.Code, ce.Reason
		}
		t.Fatalf("read from %s: %v", ip, err)
	}
	if !strings.Contains(string(msg), "connection_ack") {
		t.Fatalf("want connection_ack, got %s", msg)
	}
	return conn, -1, ""
}

// sseFrom starts a long SSE subscription from ip; the caller closes the response.
func sseFrom(t *testing.T, url, ip string) *http.Response {
	t.Helper()
	return sseWith(t, url, ip, nil)
}

// sseWith is sseFrom with extra request headers.
func sseWith(t *testing.T, url, ip string, header http.Header) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(subscriptionBody(1000, 200)))
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := fromAddr(ip).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func metricsOf(t *testing.T, r *testRouter) string {
	t.Helper()
	_, body, _ := get(t, r.Base+"/metrics", nil)
	return body
}

func TestConnectionCaps_aWebSocketOverTheTotalCapIsClosedWith1013_anSSEStreamAnswered503_andCounted(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Connections.MaxStreams = 2 })
	first, code := wsFrom(t, r.URL, "127.0.1.1")
	if code != -1 {
		t.Fatalf("first connection closed with %d", code)
	}
	if _, code := wsFrom(t, r.URL, "127.0.1.2"); code != -1 {
		t.Fatalf("second connection closed with %d", code)
	}
	if _, code := wsFrom(t, r.URL, "127.0.1.3"); code != 1013 {
		t.Fatalf("third connection over max_streams 2: close code %d, want 1013 (Try Again Later)", code)
	}
	resp := sseFrom(t, r.URL, "127.0.1.4")
	raw := new(bytes.Buffer)
	_, _ = raw.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(raw.String(), `"code":"TOO_MANY_CONNECTIONS"`) || !strings.Contains(raw.String(), "connections.max_streams = 2") {
		t.Fatalf("SSE over the cap: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), raw)
	}
	metrics := metricsOf(t, r)
	for _, want := range []string{
		`router_connections_refused_total{cap="max_streams",transport="websocket"} 1`,
		`router_connections_refused_total{cap="max_streams",transport="sse"} 1`,
		`router_stream_connections{transport="websocket"} 2`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A closed connection gives its place back.
	_ = first.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "the closed connection's place", 5*time.Second, func() bool {
		return strings.Contains(metricsOf(t, r), `router_stream_connections{transport="websocket"} 1`)
	})
	if _, code := wsFrom(t, r.URL, "127.0.1.3"); code != -1 {
		t.Fatalf("a connection after one closed: close code %d", code)
	}
}

func TestConnectionCaps_perClientAddress_refusesTheAddressOverItsCapAndNotTheOthers(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Connections.MaxStreamsPerIP = 2 })
	if _, code := wsFrom(t, r.URL, "127.0.1.1"); code != -1 {
		t.Fatalf("first from 127.0.1.1 closed with %d", code)
	}
	if resp := sseFrom(t, r.URL, "127.0.1.1"); resp.StatusCode != http.StatusOK {
		t.Fatalf("SSE from 127.0.1.1 within its cap: %d", resp.StatusCode)
	}
	if _, code := wsFrom(t, r.URL, "127.0.1.1"); code != 1013 {
		t.Fatalf("third from 127.0.1.1 over max_streams_per_ip 2: close code %d, want 1013", code)
	}
	if resp := sseFrom(t, r.URL, "127.0.1.1"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("SSE from 127.0.1.1 over its cap: %d, want 503", resp.StatusCode)
	}
	for _, ip := range []string{"127.0.1.2", "127.0.1.2"} {
		if _, code := wsFrom(t, r.URL, ip); code != -1 {
			t.Fatalf("from %s (its own cap): close code %d", ip, code)
		}
	}
	// Queries are not long-lived connections: never capped.
	if got := r.post(t, `{ __typename }`, nil); got.Status != http.StatusOK {
		t.Fatalf("a query while every cap is full: %d %s", got.Status, got.Body)
	}
	metrics := metricsOf(t, r)
	for _, want := range []string{
		`router_connections_refused_total{cap="max_streams_per_ip",transport="websocket"} 1`,
		`router_connections_refused_total{cap="max_streams_per_ip",transport="sse"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// One account cannot hold more than max_streams_per_user long-lived connections, from
// however many addresses, over WebSocket or SSE; other users and anonymous clients are
// unaffected, and a closed connection gives its place back.
func TestConnectionCaps_perUser_refusesTheAccountOverItsCapFromAnyAddress_andNotOtherUsers(t *testing.T) {
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, false), func(c *config.Config) { c.Connections.MaxStreamsPerUser = 2 })
	seven := issuer.token(t, "7", time.Minute, "CUSTOMER")
	first, code, _ := wsAs(t, r.URL, "127.0.2.1", seven)
	if code != -1 {
		t.Fatalf("user 7's first connection closed with %d", code)
	}
	if resp := sseWith(t, r.URL, "127.0.2.2", bearer(seven)); resp.StatusCode != http.StatusOK {
		t.Fatalf("user 7's SSE stream within the cap: %d", resp.StatusCode)
	}
	_, code, reason := wsAs(t, r.URL, "127.0.2.3", seven)
	if code != 1013 || !strings.Contains(reason, "connections.max_streams_per_user = 2") {
		t.Fatalf("user 7's third connection, from a third address: close %d %q, want 1013 naming max_streams_per_user", code, reason)
	}
	resp := sseWith(t, r.URL, "127.0.2.4", bearer(seven))
	raw := new(bytes.Buffer)
	_, _ = raw.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(raw.String(), `"code":"TOO_MANY_CONNECTIONS"`) ||
		!strings.Contains(raw.String(), "max_streams_per_user") {
		t.Fatalf("user 7's SSE over the cap: %d %s", resp.StatusCode, raw)
	}
	// Another user and an anonymous client from the same addresses get in.
	if _, code, _ := wsAs(t, r.URL, "127.0.2.3", issuer.token(t, "8", time.Minute, "CUSTOMER")); code != -1 {
		t.Fatalf("user 8: close code %d", code)
	}
	if _, code, _ := wsAs(t, r.URL, "127.0.2.3", ""); code != -1 {
		t.Fatalf("anonymous: close code %d", code)
	}
	metrics := metricsOf(t, r)
	for _, want := range []string{
		`router_connections_refused_total{cap="max_streams_per_user",transport="websocket"} 1`,
		`router_connections_refused_total{cap="max_streams_per_user",transport="sse"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Closing one of user 7's connections gives the place back.
	_ = first.Close(websocket.StatusNormalClosure, "")
	waitFor(t, "user 7's closed connection's place", 5*time.Second, func() bool {
		_, code, _ := wsAs(t, r.URL, "127.0.2.5", seven)
		return code == -1
	})
}

// With fewer than fd_reserve descriptors left under the soft limit, new long-lived
// connections are refused (1013, counted) while queries still get answered, and they are
// admitted again once descriptors are given back.
func TestConnectionCaps_fdReserve_refusesNewStreamsNearTheOpenFileLimit_andQueriesStillWork(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Connections.FDReserve = 200 })
	if _, code := wsFrom(t, r.URL, "127.0.3.1"); code != -1 {
		t.Fatalf("a connection far from the limit: close code %d", code)
	}
	var was syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &was); err != nil {
		t.Fatal(err)
	}
	low := was
	low.Cur = 1000
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var held []*os.File
	t.Cleanup(func() {
		for _, f := range held {
			_ = f.Close()
		}
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &was)
	})
	ents, _ := os.ReadDir("/proc/self/fd")
	for range 850 - len(ents) { // 850 open: 150 left, under the reserve of 200
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, f)
	}
	time.Sleep(150 * time.Millisecond) // past the count's refresh interval
	if _, code := wsFrom(t, r.URL, "127.0.3.2"); code != 1013 {
		t.Fatalf("a new WebSocket with 150 descriptors left under a reserve of 200: close code %d, want 1013", code)
	}
	if got := r.post(t, `{ __typename }`, nil); got.Status != http.StatusOK {
		t.Fatalf("a query inside the reserve: %d %s", got.Status, got.Body)
	}
	if !strings.Contains(metricsOf(t, r), `router_connections_refused_total{cap="fd_reserve",transport="websocket"} 1`) {
		t.Error("/metrics lacks the fd_reserve refusal")
	}
	for _, f := range held {
		_ = f.Close()
	}
	held = nil
	waitFor(t, "a connection once descriptors are back", 5*time.Second, func() bool {
		_, code := wsFrom(t, r.URL, "127.0.3.3")
		return code == -1
	})
}

// The readiness check fails while the process still has descriptors left (it answers
// /readyz itself), and recovers when they are given back.
func TestReadiness_failsBeforeTheOpenFileLimitIsReached_andRecovers(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Connections.FDHeadroom = 1000 })
	if code, body, _ := get(t, r.Base+"/readyz", nil); code != http.StatusOK || !strings.Contains(body, `"open files"`) {
		t.Fatalf("/readyz: %d %s", code, body)
	}
	var was syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &was); err != nil {
		t.Fatal(err)
	}
	// A soft limit of 1,000: the check wants min(1000, 1000/4) = 250 descriptors left.
	low := was
	low.Cur = 1000
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var held []*os.File
	t.Cleanup(func() {
		for _, f := range held {
			_ = f.Close()
		}
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &was)
	})
	ents, _ := os.ReadDir("/proc/self/fd")
	for range 800 - len(ents) { // 800 open: 200 left, under 250
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, f)
	}
	code, body, _ := get(t, r.Base+"/readyz", nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "fewer than 250 left") {
		t.Fatalf("/readyz with 200 descriptors left: %d %s", code, body)
	}
	for _, f := range held {
		_ = f.Close()
	}
	held = nil
	if code, body, _ := get(t, r.Base+"/readyz", nil); code != http.StatusOK {
		t.Fatalf("/readyz after giving the descriptors back: %d %s", code, body)
	}
}
