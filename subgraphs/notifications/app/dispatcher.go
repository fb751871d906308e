package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
)

// Route is a channel's providers: the primary, then the fallback tried when the primary
// fails, and the channel's rate limit (messages per second per replica, 0: none).
type Route struct {
	Primary  Sender
	Fallback Sender
	PerSec   float64
}

// DispatcherConfig tunes the dispatcher.
type DispatcherConfig struct {
	// PollInterval is how often the outbox is looked at when it was empty.
	PollInterval time.Duration
	// Lease is how long a claimed message is this replica's; a replica that dies while
	// sending leaves it to be claimed again (and resent with the same idempotency key)
	// after it.
	Lease time.Duration
	// Batch is how many messages one claim takes.
	Batch int
	// MaxAttempts: after this many failed attempts (each: primary, then fallback) a
	// message is a dead letter.
	MaxAttempts int
	// InitialBackoff and MaxBackoff bound the wait between attempts.
	InitialBackoff, MaxBackoff time.Duration
	// SendTimeout bounds one provider call.
	SendTimeout time.Duration
}

// DefaultDispatcherConfig runs on a laptop.
func DefaultDispatcherConfig() DispatcherConfig {
	return DispatcherConfig{PollInterval: 200 * time.Millisecond, Lease: 30 * time.Second, Batch: 32, MaxAttempts: 5,
		InitialBackoff: time.Second, MaxBackoff: 5 * time.Minute, SendTimeout: 10 * time.Second}
}

// Dispatcher sends the outbox's messages. Every replica runs one; the outbox's leases
// make each message one replica's at a time, and the idempotency key makes a resend after
// a crash (sent, not yet recorded) a no-op at providers that take keys.
type Dispatcher struct {
	outbox    Outbox
	routes    map[domain.Channel]Route
	limits    map[domain.Channel]*rate.Limiter
	digest    func(first domain.Delivery, n int) (domain.Delivery, error)
	cfg       DispatcherConfig
	log       *slog.Logger
	now       func() time.Time
	afterSend func(domain.Delivery) error
}

// DispatcherOption configures a Dispatcher.
type DispatcherOption func(*Dispatcher)

// WithAfterSend runs f after a provider accepted a message and before the outcome is
// recorded; an error stops the dispatcher there, as a crash would (tests of the crash
// window between send and commit).
func WithAfterSend(f func(domain.Delivery) error) DispatcherOption {
	return func(d *Dispatcher) { d.afterSend = f }
}

// NewDispatcher returns a dispatcher over routes; digest renders digest summaries.
func NewDispatcher(outbox Outbox, routes map[domain.Channel]Route, digest func(domain.Delivery, int) (domain.Delivery, error), cfg DispatcherConfig, log *slog.Logger, opts ...DispatcherOption) (*Dispatcher, error) {
	if outbox == nil || log == nil || digest == nil {
		return nil, errors.New("dispatcher: outbox, digest and logger are required")
	}
	if cfg.PollInterval <= 0 || cfg.Lease <= 0 || cfg.Batch <= 0 || cfg.MaxAttempts <= 0 || cfg.InitialBackoff <= 0 || cfg.MaxBackoff < cfg.InitialBackoff || cfg.SendTimeout <= 0 {
		return nil, fmt.Errorf("dispatcher: bad config %+v", cfg)
	}
	d := &Dispatcher{outbox: outbox, routes: routes, limits: map[domain.Channel]*rate.Limiter{}, digest: digest, cfg: cfg,
		log: log.With("component", "notifications.dispatcher"), now: time.Now}
	for ch, r := range routes {
		if r.Primary == nil {
			return nil, fmt.Errorf("dispatcher: channel %s has no primary provider", ch)
		}
		if r.PerSec > 0 {
			d.limits[ch] = rate.NewLimiter(rate.Limit(r.PerSec), max(1, int(r.PerSec)))
		}
	}
	for _, o := range opts {
		o(d)
	}
	return d, nil
}

// errStopped is what a WithAfterSend hook's error turns into.
var errStopped = errors.New("dispatcher stopped after send")

// Run sends until ctx ends (or a WithAfterSend hook stops it).
func (d *Dispatcher) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		n, err := d.RunOnce(ctx)
		if errors.Is(err, errStopped) {
			return err
		}
		if err != nil && ctx.Err() == nil {
			d.log.WarnContext(ctx, "dispatch round failed", "error", err)
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(d.cfg.PollInterval):
			}
		}
	}
	return nil
}

// RunOnce claims due messages (and one due digest group) and sends them; it returns how
// many it handled.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	batch, err := d.outbox.Claim(ctx, d.cfg.Batch, d.cfg.Lease)
	if err != nil {
		return 0, err
	}
	if g, ok, err := d.outbox.ClaimDigest(ctx, d.cfg.Lease, d.digest); err != nil {
		return 0, err
	} else if ok {
		batch = append(batch, g)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		stop error
	)
	for _, m := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.send(ctx, m); err != nil {
				mu.Lock()
				stop = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(batch), stop
}

// send makes one attempt: the primary, then the fallback; then records the outcome.
func (d *Dispatcher) send(ctx context.Context, m domain.Delivery) error {
	route, ok := d.routes[m.Channel]
	if !ok {
		return d.outbox.Dead(ctx, m.ID, m.Attempts, "", "no provider for channel "+string(m.Channel))
	}
	if l := d.limits[m.Channel]; l != nil {
		if err := l.Wait(ctx); err != nil {
			return nil // shutting down: the lease runs out and another round sends it
		}
	}
	msg := Message{IdempotencyKey: m.IdempotencyKey, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}
	var failures []string
	for _, s := range []Sender{route.Primary, route.Fallback} {
		if s == nil {
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
		answer, err := s.Send(sctx, msg)
		cancel()
		if err == nil {
			if d.afterSend != nil {
				if herr := d.afterSend(m); herr != nil {
					return fmt.Errorf("%w: %v", errStopped, herr)
				}
			}
			return d.outbox.Sent(ctx, m.ID, m.Attempts, s.Name(), answer)
		}
		d.log.WarnContext(ctx, "provider failed", "provider", s.Name(), "channel", m.Channel, "delivery_id", m.ID, "attempt", m.Attempts, "error", err)
		failures = append(failures, s.Name()+": "+err.Error())
	}
	answer := fmt.Sprint(failures)
	last := route.Primary.Name()
	if route.Fallback != nil {
		last = route.Fallback.Name()
	}
	if m.Attempts >= d.cfg.MaxAttempts {
		d.log.ErrorContext(ctx, "message is a dead letter", "delivery_id", m.ID, "channel", m.Channel, "attempts", m.Attempts)
		return d.outbox.Dead(ctx, m.ID, m.Attempts, last, answer)
	}
	return d.outbox.Retry(ctx, m.ID, m.Attempts, d.now().Add(d.backoff(m.Attempts)), last, answer)
}

// backoff is the wait after the n-th failed attempt: exponential with jitter, bounded.
func (d *Dispatcher) backoff(n int) time.Duration {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = d.cfg.InitialBackoff, d.cfg.MaxBackoff
	wait := b.InitialInterval
	for range n {
		wait = b.NextBackOff()
	}
	return wait
}
