package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

type result struct {
	latencies  []time.Duration
	errors     int
	firstError string
	took       time.Duration
}

func (r result) rate() float64 { return float64(len(r.latencies)) / r.took.Seconds() }

func (r result) percentile(p int) string {
	if len(r.latencies) == 0 {
		return "-"
	}
	i := (len(r.latencies) - 1) * p / 100
	return r.latencies[i].Round(100 * time.Microsecond).String()
}

// load runs clients goroutines, each sending the query and waiting for the answer in
// a loop on its own keep-alive connection, for d.
func load(url string, clients int, d time.Duration) result {
	body, _ := json.Marshal(map[string]string{"query": Query})
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients},
	}
	defer client.CloseIdleConnections()

	var mu sync.Mutex
	var total result
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var mine result
			for time.Now().Before(deadline) {
				t0 := time.Now()
				err := send(client, url, body)
				took := time.Since(t0)
				if err != nil {
					mine.errors++
					if mine.firstError == "" {
						mine.firstError = err.Error()
					}
					continue
				}
				mine.latencies = append(mine.latencies, took)
			}
			mu.Lock()
			total.latencies = append(total.latencies, mine.latencies...)
			total.errors += mine.errors
			if total.firstError == "" {
				total.firstError = mine.firstError
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	total.took = time.Since(start)
	slices.Sort(total.latencies)
	return total
}

func send(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	if bytes.Contains(b, []byte(`"errors"`)) || !bytes.Contains(b, []byte(`"topProducts"`)) {
		return fmt.Errorf("GraphQL errors: %.200s", b)
	}
	return nil
}
