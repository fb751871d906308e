package authz

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// RelationClient asks the identity subgraph's check API,
// GET {BaseURL}/internal/relations/check?namespace=&object=&relation=&subject=,
// and caches each answer (allowed or not) for TTL. A short TTL bounds how long a
// removed staff member keeps access; a few seconds is the intended order.
type RelationClient struct {
	baseURL string
	http    *http.Client
	ttl     time.Duration
	now     func() time.Time

	mu    sync.Mutex
	cache map[Tuple]cached
}

type cached struct {
	allowed bool
	expires time.Time
}

// RelationClientOption configures a RelationClient.
type RelationClientOption func(*RelationClient)

// WithHTTPClient replaces the default client (5 s timeout, carrying this process's
// service token for identity: see NewServiceClient).
func WithHTTPClient(c *http.Client) RelationClientOption {
	return func(r *RelationClient) { r.http = c }
}

// WithTTL sets how long an answer is reused (default 5 s; 0 disables caching).
func WithTTL(ttl time.Duration) RelationClientOption {
	return func(r *RelationClient) { r.ttl = ttl }
}

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) RelationClientOption {
	return func(r *RelationClient) { r.now = now }
}

// NewRelationClient returns a client for the identity service at baseURL
// (e.g. http://127.0.0.1:4001).
func NewRelationClient(baseURL string, opts ...RelationClientOption) *RelationClient {
	c := &RelationClient{
		baseURL: strings.TrimRight(baseURL, "/"),
		http:    NewServiceClient("identity", 5*time.Second),
		ttl:     5 * time.Second,
		now:     time.Now,
		cache:   map[Tuple]cached{},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Check implements Checker.
func (c *RelationClient) Check(ctx context.Context, t Tuple) (bool, error) {
	now := c.now()
	c.mu.Lock()
	if hit, ok := c.cache[t]; ok && now.Before(hit.expires) {
		c.mu.Unlock()
		return hit.allowed, nil
	}
	c.mu.Unlock()

	q := url.Values{"namespace": {t.Namespace}, "object": {t.Object}, "relation": {t.Relation}, "subject": {t.Subject}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/internal/relations/check?"+q.Encode(), nil)
	if err != nil {
		return false, fmt.Errorf("relation check %s: %w", t, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return false, fmt.Errorf("relation check %s: %w", t, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("relation check %s: status %s", t, resp.Status)
	}
	var body struct {
		Allowed bool `json:"allowed"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return false, fmt.Errorf("relation check %s: decode: %w", t, err)
	}
	if c.ttl > 0 {
		c.mu.Lock()
		if len(c.cache) > 10000 { // bound memory; a burst of distinct tuples just refetches
			clear(c.cache)
		}
		c.cache[t] = cached{allowed: body.Allowed, expires: now.Add(c.ttl)}
		c.mu.Unlock()
	}
	return body.Allowed, nil
}
