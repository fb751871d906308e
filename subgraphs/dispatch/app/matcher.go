package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// LiveIndex is what matching needs from the live driver index (adapters.LiveIndex).
type LiveIndex interface {
	// Best returns the limit available drivers with the fastest estimated pickup, fastest
	// first (the driver id breaking ties), among those found by growing rings around
	// pickup until want drivers are surely nearest, leaving out those skip names; and the
	// number of rings read.
	Best(ctx context.Context, pickup domain.Point, want, limit int, skip func(driverID string) bool) ([]domain.Candidate, int, error)
	Reserve(ctx context.Context, orderID, driverID string, deadline time.Time) error
	Release(ctx context.Context, orderID, driverID string) error
	OrderHolder(ctx context.Context, orderID string) (driverID, state string, err error)
}

// MatchConfig tunes matching.
type MatchConfig struct {
	// Want is how many candidates ring growth stops at (before the guard ring).
	Want int
	// OfferTimeout is how long one driver has to accept before the next is asked.
	OfferTimeout time.Duration
	// Attempts bounds the rounds over fresh candidates; RetryBackoff is the pause after
	// the first fruitless round, doubled after each further one.
	Attempts     int
	RetryBackoff time.Duration
	// PollInterval is how often an open offer is checked for the driver's reply (the
	// reply may land on any replica, so the index, not memory, is the truth).
	PollInterval time.Duration
}

// DefaultMatchConfig is what production runs.
func DefaultMatchConfig() MatchConfig {
	return MatchConfig{Want: 10, OfferTimeout: 30 * time.Second, Attempts: 3, RetryBackoff: 10 * time.Second, PollInterval: 100 * time.Millisecond}
}

// MatchRequest asks for a driver to pick an order up.
type MatchRequest struct {
	OrderID string
	Pickup  domain.Point
	// FirstPick, if set, is called once the order's first offer is out, or once its first
	// round found nobody to offer it to: from then on it holds its best driver, and the
	// dispatcher lets the next younger order look (Match may call it more than once).
	FirstPick func()
	// Offered, if set, records an offer just made to driverID (pickupIn: the driver's
	// estimated time to the pickup; expires: the offer's deadline). An error withdraws the
	// offer and ends the match with that error, so no offer goes out unrecorded.
	Offered func(ctx context.Context, driverID string, pickupIn time.Duration, expires time.Time) error
}

// Assignment is a matched order.
type Assignment struct {
	OrderID   string
	DriverID  string
	PickupETA time.Duration
	// Offers counts the offers made, this one included.
	Offers int
}

// ErrNoDriver: every round ended without a driver accepting.
var ErrNoDriver = errors.New("no driver accepted the order")

// Matcher offers an order to one driver at a time, best estimated pickup time first.
type Matcher struct {
	index  LiveIndex
	cfg    MatchConfig
	now    func() time.Time
	logger *slog.Logger
}

// NewMatcher checks its dependencies.
func NewMatcher(index LiveIndex, cfg MatchConfig, logger *slog.Logger) (*Matcher, error) {
	if index == nil {
		return nil, errors.New("new matcher: nil live index")
	}
	if cfg.Want < 1 || cfg.OfferTimeout <= 0 || cfg.Attempts < 1 || cfg.PollInterval <= 0 || cfg.RetryBackoff < 0 {
		return nil, fmt.Errorf("new matcher: bad config %+v", cfg)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Matcher{index: index, cfg: cfg, now: time.Now, logger: logger}, nil
}

// Match runs until a driver accepts (Assignment), every round fails (ErrNoDriver), the
// order turns out to be matched by someone else (domain.ErrOrderHasOffer), or ctx ends.
// A driver who declined or let an offer lapse is not asked again for this order.
func (m *Matcher) Match(ctx context.Context, req MatchRequest) (Assignment, error) {
	picked := func() {
		if req.FirstPick != nil {
			req.FirstPick()
		}
	}
	asked := map[string]bool{}
	backoff := m.cfg.RetryBackoff
	for attempt := 1; attempt <= m.cfg.Attempts; attempt++ {
		// A round offers the order down the ranking, a page of Want drivers at a time
		// (ranking all the drivers read would cost more than the round usually needs):
		// the next page leaves out everyone asked or found busy, so the round asks the
		// same drivers in the same order as one ranking of them all would.
		busy := map[string]bool{}
		skip := func(id string) bool { return asked[id] || busy[id] }
		for page := 1; ; page++ {
			cs, rings, err := m.index.Best(ctx, req.Pickup, m.cfg.Want, m.cfg.Want, skip)
			if err != nil {
				return Assignment{}, err
			}
			m.logger.DebugContext(ctx, "match round", "order", req.OrderID, "attempt", attempt, "page", page, "rings", rings, "candidates", len(cs))
			if len(cs) == 0 {
				break
			}
			for _, c := range cs {
				deadline := m.now().Add(m.cfg.OfferTimeout)
				err := m.index.Reserve(ctx, req.OrderID, c.DriverID, deadline)
				switch {
				case errors.Is(err, domain.ErrDriverBusy):
					busy[c.DriverID] = true
					continue // taken since the candidates were read
				case err != nil:
					return Assignment{}, err
				}
				asked[c.DriverID] = true
				if req.Offered != nil {
					if err := req.Offered(ctx, c.DriverID, c.PickupTime, deadline); err != nil {
						rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
						_ = m.index.Release(rctx, req.OrderID, c.DriverID)
						cancel()
						return Assignment{}, fmt.Errorf("record offer of order %s to %s: %w", req.OrderID, c.DriverID, err)
					}
				}
				picked()
				accepted, err := m.await(ctx, req.OrderID, c.DriverID, deadline)
				if err != nil {
					return Assignment{}, err
				}
				if accepted {
					return Assignment{OrderID: req.OrderID, DriverID: c.DriverID, PickupETA: c.PickupTime, Offers: len(asked)}, nil
				}
			}
		}
		picked()
		if attempt < m.cfg.Attempts {
			if err := sleep(ctx, backoff); err != nil {
				return Assignment{}, err
			}
			backoff *= 2
		}
	}
	return Assignment{}, fmt.Errorf("match order %s after %d offers: %w", req.OrderID, len(asked), ErrNoDriver)
}

// await polls the order's holder until the driver accepts (true), declines (false), or
// the deadline passes (the offer is released; false).
func (m *Matcher) await(ctx context.Context, orderID, driverID string, deadline time.Time) (bool, error) {
	t := time.NewTicker(m.cfg.PollInterval)
	defer t.Stop()
	for {
		holder, state, err := m.index.OrderHolder(ctx, orderID)
		if err != nil {
			return false, err
		}
		switch {
		case holder == driverID && state == "ASSIGNED":
			return true, nil
		case holder != driverID:
			return false, nil // declined (released) or swept after its deadline
		}
		if !m.now().Before(deadline) {
			err := m.index.Release(ctx, orderID, driverID)
			if errors.Is(err, domain.ErrNoOffer) {
				// The driver accepted or declined at the last moment: look once more.
				holder, state, err = m.index.OrderHolder(ctx, orderID)
				return err == nil && holder == driverID && state == "ASSIGNED", err
			}
			return false, err
		}
		select {
		case <-ctx.Done():
			// Leave nothing dangling: a cancelled match frees its driver.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			_ = m.index.Release(rctx, orderID, driverID)
			cancel()
			return false, ctx.Err()
		case <-t.C:
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
