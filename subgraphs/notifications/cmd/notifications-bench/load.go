package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// loadRole is the first argument that makes this binary the load tool: the process that
// holds the subscribers' client WebSockets. It is its own process so that its sockets do
// not count against the bench's (which serves the subgraph end of every upstream).
const loadRole = "load-tool"

// loadPlan is what the bench hands the load tool (as a JSON file).
type loadPlan struct {
	Routers     []string      `json:"routers"`     // WebSocket URLs; subscriber i uses Routers[i % len]
	SourceAddrs int           `json:"sourceAddrs"` // subscriber i dials from 127.0.1.(i % SourceAddrs + 1)
	Concurrency int           `json:"concurrency"` // handshakes in flight
	Query       string        `json:"query"`
	Subscribers []loadSubject `json:"subscribers"`
}

type loadSubject struct {
	User  string `json:"user"`
	Token string `json:"token"`
}

// The load tool's report, one line each on stdout:
//
//	connected N NANOS    every subscription is sent (N of them, in NANOS)
//	event ORDER UNIXNANO an event for ORDER arrived (wall clock, same host as the bench)
//	retry I REASON       subscriber I's subscription failed before measuring; it is retried
//	measuring N          answer to the bench's "measure": N subscriptions are receiving
//	reconnect I REASON   subscriber I's subscription ended while the bench measured; it
//	                     resubscribes with since = the last sequence it got
//	closed I REASON      subscriber I could not resubscribe (20 attempts): dropped
//	error TEXT           the load tool gives up (exit 1)
//
// It reads "measure" from stdin when the bench starts measuring, and stops when stdin closes.

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func runLoad(args []string) int {
	fs := flag.NewFlagSet(loadRole, flag.ContinueOnError)
	planFile := fs.String("plan", "", "the bench's loadPlan (JSON)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	out := newReporter(os.Stdout)
	fail := func(err error) int { out.line("error " + err.Error()); out.close(); return 1 }
	raw, err := os.ReadFile(*planFile)
	if err != nil {
		return fail(err)
	}
	var plan loadPlan
	if err := json.Unmarshal(raw, &plan); err != nil {
		return fail(fmt.Errorf("plan: %w", err))
	}
	if _, err := raiseOpenFiles(); err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var measuring atomic.Bool
	var active atomic.Int64
	go func() {
		// The bench writes "measure" once every subscriber is up, and closes stdin to stop us.
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if sc.Text() == "measure" {
				measuring.Store(true)
				out.line(fmt.Sprintf("measuring %d", active.Load()))
			}
		}
		cancel()
	}()

	clients := make([]*http.Client, plan.SourceAddrs)
	for s := range clients {
		src := &net.TCPAddr{IP: net.IPv4(127, 0, 1, byte(s+1))}
		d := &net.Dialer{LocalAddr: src, Timeout: 30 * time.Second}
		clients[s] = &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
	}
	start := time.Now()
	var failed atomic.Value
	var up sync.WaitGroup
	sem := make(chan struct{}, max(1, plan.Concurrency))
	for i, s := range plan.Subscribers {
		if e, _ := failed.Load().(error); e != nil {
			return fail(e)
		}
		up.Add(1)
		go func() {
			router := plan.Routers[i%len(plan.Routers)]
			first := true
			var last *int // the last sequence this subscriber got: a resubscription asks for what follows
			// Before the bench measures, a subscription that fails (the router or the
			// subgraph too busy to take it) is retried, as a client would, and reported;
			// once the bench measures, one that ends is a dropped subscriber.
			for attempt := 1; ; attempt++ {
				sem <- struct{}{}
				conn, err := subscribe(ctx, clients[i%len(clients)], router, plan.Query, s.Token, last)
				<-sem
				if err == nil {
					if first {
						first = false
						up.Done()
					}
					active.Add(1)
					err = receive(ctx, conn, out, &last)
					active.Add(-1)
				}
				if ctx.Err() != nil {
					return
				}
				if measuring.Load() && attempt == 20 {
					out.line(fmt.Sprintf("closed %d %v", i, err))
					return
				}
				if attempt == 20 {
					failed.Store(fmt.Errorf("subscriber %d (%s, via %s): %d attempts, last: %w", i, s.User, router, attempt, err))
					if first {
						up.Done()
					}
					return
				}
				if measuring.Load() {
					// As a client does: resubscribe with since = the last sequence it has,
					// so the inbox sends what it missed (and the bench sees any gap).
					out.line(fmt.Sprintf("reconnect %d %v", i, err))
				} else {
					out.line(fmt.Sprintf("retry %d %v", i, err))
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Duration(attempt) * time.Second):
				}
			}
		}()
	}
	up.Wait()
	if e, _ := failed.Load().(error); e != nil {
		return fail(e)
	}
	out.line(fmt.Sprintf("connected %d %d", len(plan.Subscribers), time.Since(start).Nanoseconds()))
	<-ctx.Done()
	out.close()
	return 0
}

// subscribe opens a graphql-transport-ws connection through client (bound to one source
// address), sends connection_init with the bearer token, waits for connection_ack and
// subscribes.
func subscribe(ctx context.Context, client *http.Client, wsURL, query, token string, since *int) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, wsURL, &websocket.DialOptions{HTTPClient: client, Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	init, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + token})
	if err := wsjson.Write(dctx, conn, wsMessage{Type: "connection_init", Payload: init}); err != nil {
		conn.CloseNow()
		return nil, err
	}
	for {
		var m wsMessage
		if err := wsjson.Read(dctx, conn, &m); err != nil {
			conn.CloseNow()
			return nil, fmt.Errorf("waiting for connection_ack: %w", err)
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type == "ping" {
			_ = wsjson.Write(dctx, conn, wsMessage{Type: "pong"})
		}
	}
	payload, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"since": since}})
	if err := wsjson.Write(dctx, conn, wsMessage{ID: "1", Type: "subscribe", Payload: payload}); err != nil {
		conn.CloseNow()
		return nil, err
	}
	return conn, nil
}

// receive reports every event on conn until it ends, and returns why it ended.
func receive(ctx context.Context, conn *websocket.Conn, out *reporter, last **int) error {
	defer conn.CloseNow()
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			return err
		}
		at := time.Now()
		switch m.Type {
		case "next":
			var ev struct {
				Data struct {
					MyNotifications struct {
						Notification struct {
							OrderID  string `json:"orderId"`
							Sequence int    `json:"sequence"`
						} `json:"notification"`
					} `json:"myNotifications"`
				} `json:"data"`
				Errors json.RawMessage `json:"errors"`
			}
			if err := json.Unmarshal(m.Payload, &ev); err != nil || len(ev.Errors) > 0 {
				return fmt.Errorf("bad event %s", m.Payload)
			}
			n := ev.Data.MyNotifications.Notification
			seq := n.Sequence
			*last = &seq
			out.line("event " + n.OrderID + " " + strconv.FormatInt(at.UnixNano(), 10))
		case "error":
			return fmt.Errorf("error %s", m.Payload)
		case "complete":
			return io.EOF
		case "ping":
			_ = wsjson.Write(ctx, conn, wsMessage{Type: "pong"})
		}
	}
}

// reporter writes lines to stdout from many goroutines, flushing whenever it catches up.
type reporter struct {
	lines chan string
	done  chan struct{}
	once  sync.Once
}

func newReporter(w io.Writer) *reporter {
	r := &reporter{lines: make(chan string, 4096), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		bw := bufio.NewWriter(w)
		for l := range r.lines {
			_, _ = bw.WriteString(l + "\n")
			if len(r.lines) == 0 {
				_ = bw.Flush()
			}
		}
		_ = bw.Flush()
	}()
	return r
}

func (r *reporter) line(s string) {
	defer func() { _ = recover() }() // a line after close (a late subscriber ending) is dropped
	r.lines <- s
}

func (r *reporter) close() { r.once.Do(func() { close(r.lines) }); <-r.done }
