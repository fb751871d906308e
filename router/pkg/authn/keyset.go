package authn

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// KeySet is a cached JWKS.
type KeySet struct {
	url                string
	client             *http.Client
	maxAge             time.Duration
	minRefreshInterval time.Duration
	now                func() time.Time

	mu        sync.Mutex
	set       jwk.Set
	fetchedAt time.Time
	tried     time.Time
	fetches   int
}

// KeySetOption configures a KeySet.
type KeySetOption func(*KeySet)

// WithHTTPClient replaces the default client (5 s timeout).
func WithHTTPClient(c *http.Client) KeySetOption { return func(k *KeySet) { k.client = c } }

// WithMaxAge sets how long a fetched JWKS is used before it is fetched again (default 5 min).
func WithMaxAge(d time.Duration) KeySetOption { return func(k *KeySet) { k.maxAge = d } }

// WithMinRefreshInterval bounds refetches on an unknown kid (default 10 s).
func WithMinRefreshInterval(d time.Duration) KeySetOption {
	return func(k *KeySet) { k.minRefreshInterval = d }
}

// WithKeySetClock replaces time.Now (tests).
func WithKeySetClock(now func() time.Time) KeySetOption { return func(k *KeySet) { k.now = now } }

// NewKeySet returns a KeySet for the JWKS at url. Nothing is fetched until needed.
func NewKeySet(url string, opts ...KeySetOption) *KeySet {
	k := &KeySet{
		url:                url,
		client:             &http.Client{Timeout: 5 * time.Second},
		maxAge:             5 * time.Minute,
		minRefreshInterval: 10 * time.Second,
		now:                time.Now,
	}
	for _, o := range opts {
		o(k)
	}
	return k
}

// Key returns the key with id kid. A kid missing from the cached set triggers one
// refetch, unless one happened within MinRefreshInterval.
func (k *KeySet) Key(ctx context.Context, kid string) (jwk.Key, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	stale := k.set == nil || now.Sub(k.fetchedAt) >= k.maxAge
	if !stale {
		if key, ok := k.set.LookupKeyID(kid); ok {
			return key, nil
		}
	}
	if !k.tried.IsZero() && now.Sub(k.tried) < k.minRefreshInterval {
		if k.set == nil {
			return nil, fmt.Errorf("%w: last fetch failed", ErrJWKSUnavailable)
		}
		if key, ok := k.set.LookupKeyID(kid); ok { // stale but usable
			return key, nil
		}
		return nil, fmt.Errorf("%w: kid %q", ErrUnknownKey, kid)
	}
	k.tried = now
	set, err := k.fetch(ctx)
	if err != nil {
		if k.set != nil { // keep serving the last good set
			if key, ok := k.set.LookupKeyID(kid); ok {
				return key, nil
			}
		}
		return nil, fmt.Errorf("%w: %v", ErrJWKSUnavailable, err)
	}
	k.set, k.fetchedAt = set, now
	if key, ok := set.LookupKeyID(kid); ok {
		return key, nil
	}
	return nil, fmt.Errorf("%w: kid %q", ErrUnknownKey, kid)
}

// Fetches reports how many times the JWKS was fetched (metrics, tests).
func (k *KeySet) Fetches() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fetches
}

func (k *KeySet) fetch(ctx context.Context) (jwk.Set, error) {
	k.fetches++
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", k.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: status %s", k.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", k.url, err)
	}
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("parse jwks %s: %w", k.url, err)
	}
	return set, nil
}
