package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/accounts"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/inventory"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/products"
	"github.com/dizhtime/dizhtime/router/internal/testsubgraphs/reviews"
)

// serveSubgraph serves one test subgraph on a free loopback port until interrupted,
// announcing "listening on ADDR" on stdout.
func serveSubgraph(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: bench subgraph accounts|inventory|products|reviews")
	}
	var h http.Handler
	switch args[0] {
	case "accounts":
		h = accounts.NewHandler()
	case "inventory":
		h = inventory.NewHandler()
	case "products":
		h = products.NewHandler()
	case "reviews":
		h = reviews.New()
	default:
		return fmt.Errorf("unknown subgraph %q", args[0])
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
		<-stop
		_ = srv.Close()
	}()
	fmt.Printf("listening on %s\n", ln.Addr())
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// loadResult is what the load generator prints (one JSON object).
type loadResult struct {
	OK         int     `json:"ok"`
	Failed     int     `json:"failed"`
	Differing  int     `json:"differing"`
	RPS        float64 `json:"rps"`
	P50        string  `json:"p50"`
	P99        string  `json:"p99"`
	FirstError string  `json:"first_error,omitempty"`
}

func loadCmd(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	url := fs.String("url", "", "router GraphQL URL")
	clients := fs.Int("clients", 50, "concurrent clients")
	d := fs.Duration("duration", 15*time.Second, "how long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	res := load(*url, *clients, *d)
	return json.NewEncoder(os.Stdout).Encode(res)
}

// load runs clients goroutines, each sending the query and waiting for the answer in a
// loop on its own keep-alive connection, for d. Every successful body is compared with
// the first one: the workload is deterministic, so any difference is a wrong answer.
func load(url string, clients int, d time.Duration) loadResult {
	body, _ := json.Marshal(map[string]string{"query": Query})
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients},
	}
	defer client.CloseIdleConnections()

	var (
		mu        sync.Mutex
		first     []byte
		latencies []time.Duration
		res       loadResult
	)
	fail := func(msg string) {
		res.Failed++
		if res.FirstError == "" {
			res.FirstError = msg
		}
	}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) {
				t0 := time.Now()
				b, err := send(client, url, body)
				took := time.Since(t0)
				mu.Lock()
				switch {
				case err != nil:
					fail(err.Error())
				case first == nil:
					first = b
					res.OK++
				case !bytes.Equal(b, first):
					res.Differing++
					if res.FirstError == "" {
						res.FirstError = fmt.Sprintf("body differs from the first: %.300s", b)
					}
				default:
					res.OK++
				}
				mu.Unlock()
				if err == nil {
					mine = append(mine, took)
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	took := time.Since(start)
	slices.Sort(latencies)
	res.RPS = float64(res.OK+res.Differing) / took.Seconds()
	res.P50, res.P99 = percentile(latencies, 50), percentile(latencies, 99)
	return res
}

func percentile(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	return sorted[(len(sorted)-1)*p/100].Round(100 * time.Microsecond).String()
}

func send(client *http.Client, url string, body []byte) ([]byte, error) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	if bytes.Contains(b, []byte(`"errors"`)) || !bytes.Contains(b, []byte(`"topProducts"`)) {
		return nil, fmt.Errorf("GraphQL errors: %.300s", b)
	}
	return b, nil
}
