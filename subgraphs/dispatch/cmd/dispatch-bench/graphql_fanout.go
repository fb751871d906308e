package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	coderws "github.com/coder/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/postgres"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/service"
)

// graphqlFanOut measures updateLocation (HTTP POST) -> driver.location (Kafka) -> the
// replica's index -> deliveryTracking (WebSocket, graphql-transport-ws) through the
// subgraph's own handler, on loopback: tracked orders, one customer connection each,
// couriers pinging in turn.
func graphqlFanOut(ctx context.Context, rdb *redis.Client, pgURL string, tracked int, phase time.Duration) error {
	admin, err := postgres.Open(ctx, pgURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	schema := "bench_dispatch_" + strings.ToLower(rand.Text()[:10])
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return err
	}
	defer admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	pool, err := postgres.Open(ctx, pgURL, func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["search_path"] = schema })
	if err != nil {
		return err
	}
	defer pool.Close()
	cfg := service.DefaultConfig()
	cfg.RedisKeyPrefix = "bench:" + schema + ":"
	defer func() {
		iter := rdb.Scan(context.Background(), 0, cfg.RedisKeyPrefix+"*", 1000).Iterator()
		for iter.Next(context.Background()) {
			rdb.Del(context.Background(), iter.Val())
		}
	}()
	cfg.LocationTopic = "bench." + schema + ".driver.location"
	defer deleteTopic(cfg.KafkaBrokers, cfg.LocationTopic)
	svc, err := service.New(ctx, cfg, pool, rdb, nil)
	if err != nil {
		return err
	}
	loops, err := svc.LiveComponents(ctx)
	if err != nil {
		return err
	}
	liveCtx, stopLive := context.WithCancel(ctx)
	liveDone := make(chan error, 1)
	go func() { liveDone <- lifecycle.Run(liveCtx, slog.New(slog.DiscardHandler), 5*time.Second, loops...) }()
	defer func() { stopLive(); <-liveDone }()
	srv := httptest.NewServer(svc.Handler)
	defer srv.Close()
	url := srv.URL + "/query"

	handle := func(subject string, p events.Payload) error {
		e, err := events.New(ctx, "bench", subject, p)
		if err != nil {
			return err
		}
		return svc.App.HandleEvent(ctx, svc.Store, e)
	}
	if err := handle("r1", contracts.RestaurantUpdatedV1{RestaurantID: "r1", Lat: centre.Lat, Lng: centre.Lng, UpdatedAt: time.Now()}); err != nil {
		return err
	}
	type track struct {
		driver string
		conn   *coderws.Conn
	}
	tracks := make([]track, tracked)
	for i := range tracked {
		order, driver, customer := fmt.Sprintf("ord-%d", i), fmt.Sprintf("drv-%d", i), fmt.Sprintf("cust-%d", i)
		if err := handle(order, contracts.OrderCreatedV1{OrderID: order, CustomerID: customer, RestaurantID: "r1",
			DeliveryAddress: contracts.Address{Lat: centre.Lat + 0.02, Lng: centre.Lng}}); err != nil {
			return err
		}
		if err := handle(order, contracts.OrderStatusChangedV1{OrderID: order, From: "paid", To: "accepted"}); err != nil {
			return err
		}
		if _, err := svc.App.GoOnline(ctx, driver, "SCOOTER", centre); err != nil {
			return err
		}
		if err := svc.Live.Reserve(ctx, order, driver, time.Now().Add(time.Minute)); err != nil {
			return err
		}
		if _, err := svc.App.AcceptOffer(ctx, driver, order); err != nil {
			return err
		}
		h := http.Header{}
		authz.SetHeaders(h, authz.Identity{UserID: customer, Roles: []authz.Role{authz.RoleCustomer}})
		conn, _, err := coderws.Dial(ctx, strings.Replace(url, "http://", "ws://", 1), &coderws.DialOptions{HTTPHeader: h, Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			return err
		}
		defer conn.CloseNow()
		for _, m := range []string{`{"type":"connection_init"}`,
			fmt.Sprintf(`{"id":"1","type":"subscribe","payload":{"query":"subscription { deliveryTracking(orderId: \"%s\") { location { lat } etaSeconds } }"}}`, order)} {
			if err := conn.Write(ctx, coderws.MessageText, []byte(m)); err != nil {
				return err
			}
		}
		if _, _, err := conn.Read(ctx); err != nil { // connection_ack
			return err
		}
		tracks[i] = track{driver: driver, conn: conn}
	}
	time.Sleep(300 * time.Millisecond) // subscriptions reach Redis and the index
	// The feed starts reading once the topic exists (service.LiveComponents creates it
	// as the feed starts): fixes sent before it reads would be timed from the wait.
	var notReady error
	if err := waitUntil("live index ready", func() bool { notReady = svc.LiveIndexReady(ctx); return notReady == nil }); err != nil {
		return fmt.Errorf("%w: %w", err, notReady)
	}

	// Another replica: an index of its own fed only from driver.location (the Kafka
	// path every replica but the one that took the fix waits for).
	other := adapters.NewDriverIndex()
	ocfg := adapters.DefaultLocationFeedConfig()
	ocfg.Topic = cfg.LocationTopic
	otherFeed, err := adapters.NewLocationFeed(cfg.KafkaBrokers, other, ocfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	go func() { _ = otherFeed.Run(liveCtx) }()
	if err := waitUntil("the other replica's location feed started", otherFeed.CaughtUp); err != nil {
		return err
	}
	otherRec := newRecorder()
	follow := other.Follow("", 1<<12)
	defer follow.Close()
	go func() {
		for {
			select {
			case <-liveCtx.Done():
				return
			case loc := <-follow.C:
				otherRec.add(time.Since(loc.Time))
			}
		}
	}()

	rec := newRecorder()
	var sent sync.Map // "driver|lat" -> time sent
	var wg sync.WaitGroup
	for _, tr := range tracks {
		wg.Go(func() {
			for {
				_, data, err := tr.conn.Read(context.Background())
				if err != nil {
					return
				}
				var m struct {
					Type    string `json:"type"`
					Payload struct {
						Data struct {
							DeliveryTracking struct {
								Location struct{ Lat float64 } `json:"location"`
							} `json:"deliveryTracking"`
						} `json:"data"`
					} `json:"payload"`
				}
				if json.Unmarshal(data, &m) != nil || m.Type != "next" {
					continue
				}
				key := fmt.Sprintf("%s|%.6f", tr.driver, m.Payload.Data.DeliveryTracking.Location.Lat)
				if t0, ok := sent.LoadAndDelete(key); ok {
					rec.add(time.Since(t0.(time.Time)))
				}
			}
		})
	}
	client := &http.Client{Timeout: 5 * time.Second}
	stop := time.Now().Add(phase)
	tick := time.NewTicker(2 * time.Millisecond) // ~500 updates/s
	var seq int
	for time.Now().Before(stop) {
		<-tick.C
		i := seq % tracked
		seq++
		lat := centre.Lat + float64(seq)*1e-6
		key := fmt.Sprintf("%s|%.6f", tracks[i].driver, lat)
		body := fmt.Sprintf(`{"query":"mutation { updateLocation(location: {lat: %.6f, lng: %.6f}) { id } }"}`, lat, centre.Lng)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewBufferString(body))
		authz.SetHeaders(req.Header, authz.Identity{UserID: tracks[i].driver, Roles: []authz.Role{authz.RoleDriver}})
		req.Header.Set("Content-Type", "application/json")
		sent.Store(key, time.Now())
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
	}
	tick.Stop()
	time.Sleep(300 * time.Millisecond)
	for _, tr := range tracks {
		_ = tr.conn.CloseNow()
	}
	wg.Wait()
	fmt.Printf("updateLocation (HTTP) -> driver.location -> deliveryTracking (WebSocket), %d tracked orders, %d updates sent: %s\n", tracked, seq, rec)
	fmt.Printf("  the same fixes reaching another replica's index through driver.location (its trackers' floor): %s; load %s\n", otherRec, loadavg())
	return nil
}
