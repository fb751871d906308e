package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// trackingQuery is the customer's tracking screen.
const trackingQuery = `subscription Track($id: ID!) { deliveryTracking(orderId: $id) { driverId deliveryStatus etaSeconds location { lat lng } } }`

// subscriber is one client WebSocket with one deliveryTracking subscription.
type subscriber struct {
	st   *stream
	conn *websocket.Conn // the goroutine reader's (nil with the epoll reader)
	ep   *epConn         // the epoll reader's (nil with the goroutine reader)

	live atomic.Int64 // unix nanos of its first event (0: none yet)
	// What it received of its stream's window.
	mu       sync.Mutex
	lats     []time.Duration
	got      int
	dups     int
	lastSeq  int64
	ended    error
	endedSet bool
}

// A source dials from one source address: net for the epoll reader's own handshake,
// client (over net) for github.com/coder/websocket's.
type source struct {
	net    *net.Dialer
	client *http.Client
}

func newSource(d *net.Dialer) source {
	return source{net: d, client: &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}}
}

// dialers are one source per source address (see sourceAddr).
func dialers(addrs int) []source {
	out := make([]source, addrs)
	for k := range out {
		out[k] = newSource(&net.Dialer{LocalAddr: &net.TCPAddr{IP: sourceAddr(k)}, Timeout: 30 * time.Second})
	}
	return out
}

// subscribe opens the WebSocket from client's source address, sends connection_init with
// the bearer token, waits for connection_ack and subscribes to order's tracking.
func subscribe(ctx context.Context, client *http.Client, wsURL, token, order string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: client, Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	conn.SetReadLimit(64 << 10)
	write := func(msg []byte) error { return conn.Write(ctx, websocket.MessageText, msg) }
	read := func() ([]byte, error) {
		_, msg, err := conn.Read(ctx)
		return msg, err
	}
	if err := handshake(write, read, token, order); err != nil {
		conn.CloseNow()
		return nil, err
	}
	return conn, nil
}

// handshake is graphql-transport-ws's opening on an upgraded WebSocket, whichever library
// holds it: connection_init with the bearer token, connection_ack awaited (a ping
// meanwhile answered), then the subscription to order's tracking. write and read move
// one text message each.
func handshake(write func([]byte) error, read func() ([]byte, error), token, order string) error {
	init, _ := json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + token}})
	if err := write(init); err != nil {
		return fmt.Errorf("connection_init: %w", err)
	}
	for {
		msg, err := read()
		if err != nil {
			return fmt.Errorf("waiting for connection_ack: %w", err)
		}
		if bytes.Contains(msg, []byte(`"connection_ack"`)) {
			break
		}
		if bytes.Contains(msg, []byte(`"ping"`)) {
			_ = write(pongMessage)
		}
	}
	sub, _ := json.Marshal(map[string]any{"id": "1", "type": "subscribe",
		"payload": map[string]any{"query": trackingQuery, "variables": map[string]any{"id": order}}})
	if err := write(sub); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

// receive reads the subscription until it ends (the goroutine reader, -reader goroutine).
func (s *subscriber) receive(ctx context.Context) {
	defer s.conn.CloseNow()
	for {
		_, msg, err := s.conn.Read(ctx)
		now := time.Now()
		if err != nil {
			s.end(err)
			return
		}
		pong, err := s.onMessage(msg, now)
		if err != nil {
			s.end(err)
			return
		}
		if pong {
			_ = s.conn.Write(ctx, websocket.MessageText, pongMessage)
		}
	}
}

var pongMessage = []byte(`{"type":"pong"}`)

// onMessage counts one graphql-transport-ws message received at now: each fix of its
// stream's window with its latency (send time -> now). pong: the message was a ping, to be
// answered with pongMessage; an error ends the subscription (error, complete, or an event
// with errors). Both readers call it.
func (s *subscriber) onMessage(msg []byte, now time.Time) (pong bool, err error) {
	switch {
	case bytes.Contains(msg, []byte(`"type":"next"`)):
	case bytes.Contains(msg, []byte(`"type":"ping"`)):
		return true, nil
	case bytes.Contains(msg, []byte(`"type":"error"`)), bytes.Contains(msg, []byte(`"type":"complete"`)):
		return false, fmt.Errorf("subscription ended: %.300s", msg)
	default:
		return false, nil
	}
	if bytes.Contains(msg, []byte(`"errors"`)) {
		return false, fmt.Errorf("event with errors: %.300s", msg)
	}
	s.live.CompareAndSwap(0, now.UnixNano())
	lng, ok := fixLng(msg)
	if !ok {
		return false, nil
	}
	seq := unstamp(s.st.base, lng)
	in, sent := s.st.counted(seq)
	if !in {
		return false, nil
	}
	s.mu.Lock()
	if seq <= s.lastSeq {
		s.dups++
	} else {
		s.lastSeq = seq
		s.got++
		if sent > 0 {
			s.lats = append(s.lats, now.Sub(time.Unix(0, sent)))
		}
	}
	s.mu.Unlock()
	return false, nil
}

// closeNow closes the subscriber's socket, whichever reader serves it.
func (s *subscriber) closeNow() {
	if s.conn != nil {
		_ = s.conn.CloseNow()
	}
	if s.ep != nil {
		s.ep.close()
	}
}

func (s *subscriber) end(err error) {
	s.mu.Lock()
	if !s.endedSet {
		s.ended, s.endedSet = err, true
	}
	s.mu.Unlock()
}

// connectAll opens n subscribers, subscriber i on streams[i % len(streams)] from source
// address i % len(clients), at most concurrency handshakes at a time, each retried up to
// 5 times, and has ep read them (nil: a goroutine each reads its own). It returns when
// every one has subscribed (or one failed for good).
func connectAll(ctx context.Context, wsURL, token string, n int, streams []*stream, clients []source, concurrency int, ep *epReader, retries *atomic.Int64) ([]*subscriber, error) {
	subs := make([]*subscriber, n)
	var done atomic.Int64
	progress := time.NewTicker(15 * time.Second)
	finished := make(chan struct{})
	defer func() { progress.Stop(); close(finished) }()
	start := time.Now()
	go func() {
		for {
			select {
			case <-finished:
				return
			case <-progress.C:
				logf("setup: %d of %d subscribed after %s (%d handshakes retried); load %s", done.Load(), n, time.Since(start).Round(time.Second), retries.Load(), loadavg())
			}
		}
	}()
	sem := make(chan struct{}, max(1, concurrency))
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var firstErr error
	failedYet := func() error { errMu.Lock(); defer errMu.Unlock(); return firstErr }
	for i := range subs {
		if failedYet() != nil || ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			st := streams[i%len(streams)]
			var conn *websocket.Conn
			var raw *rawSub
			var err error
			for attempt := 1; attempt <= 5; attempt++ {
				src := clients[sourceFor(i, len(clients))]
				if ep != nil {
					raw, err = subscribeRaw(ctx, src.net, wsURL, token, st.order)
				} else {
					conn, err = subscribe(ctx, src.client, wsURL, token, st.order)
				}
				if err == nil || ctx.Err() != nil {
					break
				}
				retries.Add(1)
				time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
			}
			<-sem
			if err != nil {
				errMu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("subscriber %d (order %s, from %s): %w", i, st.order, sourceAddr(sourceFor(i, len(clients))), err)
				}
				errMu.Unlock()
				return
			}
			s := &subscriber{st: st, conn: conn}
			if ep != nil {
				if err := ep.add(s, raw); err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("subscriber %d: epoll: %w", i, err)
					}
					errMu.Unlock()
					return
				}
			}
			subs[i] = s
			done.Add(1)
			if ep == nil {
				go s.receive(ctx)
			}
		})
	}
	wg.Wait()
	if err := failedYet(); err != nil {
		return subs, err
	}
	return subs, ctx.Err()
}
