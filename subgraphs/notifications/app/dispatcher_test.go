package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
)

// memOutbox is an in-memory app.Outbox: every message due at once, outcomes recorded.
type memOutbox struct {
	mu      sync.Mutex
	pending []domain.Delivery
	sent    map[string]string // id -> provider
	retried map[string]int
	dead    map[string]string
}

func newMemOutbox(ds ...domain.Delivery) *memOutbox {
	return &memOutbox{pending: ds, sent: map[string]string{}, retried: map[string]int{}, dead: map[string]string{}}
}

func (o *memOutbox) Claim(_ context.Context, n int, _ time.Duration) ([]domain.Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := min(n, len(o.pending))
	out := o.pending[:k]
	o.pending = o.pending[k:]
	for i := range out {
		out[i].Attempts++
	}
	return out, nil
}

func (o *memOutbox) ClaimDigest(context.Context, time.Duration, func(domain.Delivery, int) (domain.Delivery, error)) (domain.Delivery, bool, error) {
	return domain.Delivery{}, false, nil
}

func (o *memOutbox) Sent(_ context.Context, id string, _ int, provider, _ string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[id] = provider
	return nil
}

func (o *memOutbox) Retry(_ context.Context, id string, attempt int, _ time.Time, _, _ string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.retried[id]++
	o.pending = append(o.pending, domain.Delivery{ID: id, Channel: domain.ChannelSMS, Attempts: attempt})
	return nil
}

func (o *memOutbox) Dead(_ context.Context, id string, _ int, provider, _ string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dead[id] = provider
	return nil
}

type fakeSender struct {
	name string
	fail bool
	mu   sync.Mutex
	keys []string
}

func (s *fakeSender) Name() string { return s.name }
func (s *fakeSender) Send(_ context.Context, m app.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append(s.keys, m.IdempotencyKey)
	if s.fail {
		return "", errors.New("503")
	}
	return "ok", nil
}

func dispatcher(t *testing.T, o app.Outbox, r app.Route) *app.Dispatcher {
	t.Helper()
	cfg := app.DefaultDispatcherConfig()
	cfg.InitialBackoff, cfg.MaxBackoff, cfg.MaxAttempts = time.Millisecond, time.Millisecond, 3
	d, err := app.NewDispatcher(o, map[domain.Channel]app.Route{domain.ChannelSMS: r},
		func(d domain.Delivery, _ int) (domain.Delivery, error) { return d, nil }, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func drain(t *testing.T, d *app.Dispatcher) {
	t.Helper()
	for range 20 {
		n, err := d.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func sms(id string) domain.Delivery {
	return domain.Delivery{ID: id, Channel: domain.ChannelSMS, IdempotencyKey: "e:" + id + ":sms", To: "+998900000000"}
}

func TestDispatcher_triesTheFallbackWhenThePrimaryFails_withTheSameKey(t *testing.T) {
	primary, fallback := &fakeSender{name: "p", fail: true}, &fakeSender{name: "f"}
	o := newMemOutbox(sms("1"))
	drain(t, dispatcher(t, o, app.Route{Primary: primary, Fallback: fallback}))
	if o.sent["1"] != "f" || len(primary.keys) != 1 || fallback.keys[0] != "e:1:sms" {
		t.Fatalf("sent %v primary %v fallback %v", o.sent, primary.keys, fallback.keys)
	}
}

func TestDispatcher_deadLettersAfterMaxAttemptsOfBothProviders(t *testing.T) {
	primary, fallback := &fakeSender{name: "p", fail: true}, &fakeSender{name: "f", fail: true}
	o := newMemOutbox(sms("1"))
	drain(t, dispatcher(t, o, app.Route{Primary: primary, Fallback: fallback}))
	if o.dead["1"] != "f" || o.retried["1"] != 2 || len(primary.keys) != 3 || len(fallback.keys) != 3 {
		t.Fatalf("dead %v retried %v calls %d/%d", o.dead, o.retried, len(primary.keys), len(fallback.keys))
	}
}

func TestDispatcher_keepsToTheChannelsRateLimit(t *testing.T) {
	s := &fakeSender{name: "p"}
	var ds []domain.Delivery
	for _, id := range []string{"1", "2", "3", "4", "5", "6"} {
		ds = append(ds, sms(id))
	}
	o := newMemOutbox(ds...)
	start := time.Now()
	drain(t, dispatcher(t, o, app.Route{Primary: s, PerSec: 5}))
	// A bucket of 5 at 5/s: the sixth message waits about 200 ms at least (a slower
	// machine only makes it later).
	if elapsed := time.Since(start); len(o.sent) != 6 || elapsed < 150*time.Millisecond {
		t.Fatalf("%d sent in %s: the limit did not hold", len(o.sent), elapsed)
	}
}
