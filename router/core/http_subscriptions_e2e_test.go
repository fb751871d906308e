package core_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/config"
)

func subscriptionBody(n, ms int) []byte {
	b, _ := json.Marshal(map[string]any{"query": reviewAddedQuery, "variables": map[string]any{"n": n, "ms": ms}})
	return b
}

type sseEvent struct{ event, data string }

// readSSE reads server-sent events until the stream ends; comments (heartbeats) are
// returned as events named ":".
func readSSE(t *testing.T, body io.Reader) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur != (sseEvent{}) {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, ":"):
			cur.event = ":"
		case strings.HasPrefix(line, "event: "):
			cur.event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		}
	}
	return out
}

func TestSubscription_overSSEWithPOST_streamsEventsThenComplete(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	req, _ := http.NewRequest(http.MethodPost, r.URL, bytes.NewReader(subscriptionBody(3, 20)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	events := readSSE(t, resp.Body)
	if len(events) != 4 {
		t.Fatalf("want 3 next events and complete, got %+v", events)
	}
	for i := range 3 {
		if events[i].event != "next" {
			t.Fatalf("event %d: %+v", i, events[i])
		}
		assertJSON(t, reviewEvent(i+1), []byte(events[i].data))
	}
	if events[3].event != "complete" {
		t.Fatalf("want complete last, got %+v", events[3])
	}
}

func TestSubscription_overSSEWithGET_sendsHeartbeatsWhileIdle(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Subscriptions.KeepAliveInterval = 50 * time.Millisecond })
	q := url.Values{"query": {reviewAddedQuery}, "variables": {`{"n":2,"ms":300}`}}
	req, _ := http.NewRequest(http.MethodGet, r.URL+"?"+q.Encode(), nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var next, beats int
	events := readSSE(t, resp.Body)
	for _, e := range events {
		switch e.event {
		case "next":
			next++
		case ":":
			beats++
		}
	}
	if next != 2 || beats < 2 || events[len(events)-1].event != "complete" {
		t.Fatalf("want 2 next events, heartbeats between them and complete: %+v", events)
	}
}

func TestSubscription_overMultipartHTTP_speaksApolloClientsProtocol(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Subscriptions.KeepAliveInterval = 50 * time.Millisecond })
	req, _ := http.NewRequest(http.MethodPost, r.URL, bytes.NewReader(subscriptionBody(2, 200)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", `multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/mixed") || !strings.Contains(ct, `boundary="graphql"`) {
		t.Fatalf("content type %q", ct)
	}
	raw, _ := io.ReadAll(resp.Body)
	body := string(raw)
	if !strings.HasSuffix(body, "\r\n--graphql--\r\n") {
		t.Fatalf("stream does not end with the closing boundary: %q", body)
	}
	var payloads, heartbeats int
	for _, part := range strings.Split(strings.TrimSuffix(body, "--\r\n"), "\r\n--graphql")[1:] {
		_, content, ok := strings.Cut(part, "\r\n\r\n")
		if !ok {
			continue
		}
		if content == "{}" {
			heartbeats++
			continue
		}
		var p struct {
			Payload json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal([]byte(content), &p); err != nil {
			t.Fatalf("part is not JSON: %q", content)
		}
		payloads++
		assertJSON(t, reviewEvent(payloads), p.Payload)
	}
	if payloads != 2 || heartbeats < 1 {
		t.Fatalf("want 2 payloads and heartbeats, got %d and %d: %q", payloads, heartbeats, body)
	}
}

func TestSubscription_identicalClientSubscriptionsShareOneUpstreamStreamWhenConfigured(t *testing.T) {
	identicalSubscriptions(t, true, 1)
}

// By default every client subscription has its own upstream, so each gets the whole
// stream its subgraph starts it with (its current state, its replay).
func TestSubscription_identicalClientSubscriptionsEachHaveTheirOwnUpstreamByDefault(t *testing.T) {
	identicalSubscriptions(t, false, 5)
}

func identicalSubscriptions(t *testing.T, share bool, wantUpstreams int64) {
	r := startRouter(t, "graphql-transport-ws", func(c *config.Config) { c.Subscriptions.ShareIdenticalUpstream = share })
	const clients = 5
	done := make(chan []sseEvent, clients)
	for range clients {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, r.URL, bytes.NewReader(subscriptionBody(10, 100)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "text/event-stream")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				done <- nil
				return
			}
			defer resp.Body.Close()
			done <- readSSE(t, resp.Body)
		}()
	}
	for range clients {
		events := <-done
		if len(events) == 0 || events[len(events)-1].event != "complete" {
			t.Fatalf("a client did not get a completed stream: %+v", events)
		}
	}
	if started := r.Subgraphs.ReviewsSubgraph.SubscriptionsStarted(); started != wantUpstreams {
		t.Fatalf("%d identical client subscriptions opened %d upstream streams, want %d", clients, started, wantUpstreams)
	}
}

func TestSubscription_overSSE_clientLeavingTearsUpstreamDown(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	req, _ := http.NewRequest(http.MethodPost, r.URL, bytes.NewReader(subscriptionBody(1000, 50)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	if line, _ := br.ReadString('\n'); !strings.HasPrefix(line, "event: next") {
		t.Fatalf("first line %q", line)
	}
	waitFor(t, "the upstream stream to start", 5*time.Second, func() bool { return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 1 })
	resp.Body.Close()
	waitFor(t, "the upstream stream to stop", 5*time.Second, func() bool { return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() == 0 })
}

func TestSubscription_overPlainPOSTIsRefusedWithAHint(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	res := r.post(t, reviewAddedQuery, map[string]any{"n": 1})
	if res.Status != http.StatusBadRequest || len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "text/event-stream") {
		t.Fatalf("want 400 naming the streaming options: %d %s", res.Status, res.Body)
	}
}

func TestSubscription_overSSE_whenTheSubgraphIsKilledTheLastEventIsSubgraphUnavailableThenComplete(t *testing.T) {
	r := startRouter(t, "graphql-transport-ws")
	req, _ := http.NewRequest(http.MethodPost, r.URL, bytes.NewReader(subscriptionBody(1000, 50)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	waitFor(t, "the upstream subscription", 5*time.Second, func() bool { return r.Subgraphs.ReviewsSubgraph.ActiveSubscriptions() > 0 })
	r.Subgraphs.KillReviews()
	var events []sseEvent
	for _, e := range readSSE(t, resp.Body) {
		if e.event != ":" {
			events = append(events, e)
		}
	}
	if len(events) < 2 || events[len(events)-1].event != "complete" {
		t.Fatalf("want the stream to end with complete: %+v", events)
	}
	if last := events[len(events)-2]; !strings.Contains(last.data, `"code":"SUBGRAPH_UNAVAILABLE"`) || !strings.Contains(last.data, `"subgraph":"reviews"`) {
		t.Fatalf("want SUBGRAPH_UNAVAILABLE naming reviews before complete, got %+v", last)
	}
}
