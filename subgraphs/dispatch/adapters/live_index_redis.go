package adapters

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// LiveIndex is dispatch's live view of its couriers: the Redis side holds what must be
// atomic across replicas (status, offers, reservations; see live_index_scripts.go), and
// Drivers, this replica's in-memory DriverIndex, holds every online courier's position
// for matching and tracking. Every state change made through LiveIndex is applied to
// Drivers at once (a replica reads its own writes) and reaches the other replicas'
// indexes through the states channel (RunStates).
type LiveIndex struct {
	rdb    redis.UniversalClient
	prefix string
	// Drivers is the in-memory index matching reads.
	Drivers *DriverIndex
	logger  *slog.Logger
	// statesLoaded counts snapshot loads (tests wait for the first).
	statesLoaded atomic.Int64
	// hub carries every tracking and offers channel this process listens on over one
	// pub/sub connection (see Listen).
	hub *ChannelHub
}

// NewLiveIndex keeps its keys under prefix (tests and deployments sharing one Redis use
// different prefixes).
func NewLiveIndex(rdb redis.UniversalClient, prefix string) *LiveIndex {
	return &LiveIndex{rdb: rdb, prefix: prefix, Drivers: NewDriverIndex(), logger: slog.Default(), hub: NewChannelHub(rdb, slog.Default())}
}

// SetLogger sets where RunStates reports trouble.
func (x *LiveIndex) SetLogger(l *slog.Logger) {
	if l != nil {
		x.logger = l
		x.hub.logger = l
	}
}

// Prefix is the key prefix.
func (x *LiveIndex) Prefix() string { return x.prefix }

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// coord keeps 6 decimals (~0.1 m): plenty for a courier.
func coord(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

// ParseDriverState decodes a state message "ver|status|order|vehicle|lat|lng|at|id".
func ParseDriverState(msg string) (DriverState, error) {
	f := strings.SplitN(msg, "|", 8)
	if len(f) != 8 {
		return DriverState{}, fmt.Errorf("driver state %q: want 8 fields", msg)
	}
	ver, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return DriverState{}, fmt.Errorf("driver state %q: version: %w", msg, err)
	}
	s := DriverState{DriverID: f[7], Ver: ver, Status: domain.DriverStatus(f[1]), OrderID: f[2], Vehicle: domain.Vehicle(f[3])}
	lat, err1 := strconv.ParseFloat(f[4], 64)
	lng, err2 := strconv.ParseFloat(f[5], 64)
	at, err3 := strconv.ParseInt(f[6], 10, 64)
	if err1 == nil && err2 == nil && err3 == nil {
		s.At, s.AtTime = domain.Point{Lat: lat, Lng: lng}, time.UnixMilli(at)
	}
	return s, nil
}

// apply takes the state a script returned into this replica's index.
func (x *LiveIndex) apply(msg string) {
	if msg == "" {
		return
	}
	if s, err := ParseDriverState(msg); err == nil {
		x.Drivers.ApplyState(s)
	}
}

// run runs a script returning {code, state?}, applies the state and returns the code.
func (x *LiveIndex) run(ctx context.Context, s *redis.Script, args ...any) (string, error) {
	res, err := s.Run(ctx, x.rdb, nil, append([]any{x.prefix}, args...)...).StringSlice()
	if err != nil {
		return "", err
	}
	if len(res) == 0 {
		return "", fmt.Errorf("script returned nothing")
	}
	if len(res) > 1 {
		x.apply(res[1])
	}
	return res[0], nil
}

// GoOnline makes the driver AVAILABLE at p (a driver already online just moves there).
func (x *LiveIndex) GoOnline(ctx context.Context, driverID string, v domain.Vehicle, p domain.Point, now time.Time) (domain.DriverStatus, error) {
	st, err := x.run(ctx, onlineScript, driverID, string(v), coord(p.Lat), coord(p.Lng), ms(now))
	if err != nil {
		return "", fmt.Errorf("driver %s online: %w", driverID, err)
	}
	return domain.DriverStatus(st), nil
}

// GoOffline takes an available driver out of the index; refused while the driver holds
// an offer or a delivery.
func (x *LiveIndex) GoOffline(ctx context.Context, driverID string) error {
	st, err := x.run(ctx, offlineScript, driverID)
	if err != nil {
		return fmt.Errorf("driver %s offline: %w", driverID, err)
	}
	if st != string(domain.DriverOffline) {
		return fmt.Errorf("driver %s is %s: %w", driverID, st, domain.ErrIllegalTransition)
	}
	return nil
}

// Reserve offers order to driver until deadline, atomically: only an AVAILABLE driver
// (ErrDriverBusy otherwise) and only an order holding no offer or driver yet
// (ErrOrderHasOffer otherwise). The driver hears of the offer on its offers channel.
func (x *LiveIndex) Reserve(ctx context.Context, orderID, driverID string, deadline time.Time) error {
	res, err := x.run(ctx, reserveScript, orderID, driverID, ms(deadline))
	if err != nil {
		return fmt.Errorf("reserve driver %s for order %s: %w", driverID, orderID, err)
	}
	switch res {
	case "OK":
		return nil
	case "ORDER_BUSY":
		return fmt.Errorf("reserve driver %s for order %s: %w", driverID, orderID, domain.ErrOrderHasOffer)
	default:
		return fmt.Errorf("reserve driver %s for order %s: %w", driverID, orderID, domain.ErrDriverBusy)
	}
}

// Release takes back an offer (declined or timed out) and makes the driver available.
func (x *LiveIndex) Release(ctx context.Context, orderID, driverID string) error {
	return x.expectOK(ctx, releaseScript, domain.ErrNoOffer, "release", orderID, driverID)
}

// Accept turns a live offer into the driver's delivery.
func (x *LiveIndex) Accept(ctx context.Context, orderID, driverID string, now time.Time) error {
	return x.expectOK(ctx, acceptScript, domain.ErrNoOffer, "accept", orderID, driverID, ms(now))
}

// Finish ends the driver's delivery of order (delivered or unassigned): the driver is
// available again and the order holds no driver.
func (x *LiveIndex) Finish(ctx context.Context, orderID, driverID string) error {
	return x.expectOK(ctx, finishScript, domain.ErrNotYourDelivery, "finish", orderID, driverID)
}

func (x *LiveIndex) expectOK(ctx context.Context, s *redis.Script, refused error, op, orderID, driverID string, extra ...any) error {
	res, err := x.run(ctx, s, append([]any{orderID, driverID}, extra...)...)
	if err != nil {
		return fmt.Errorf("%s order %s driver %s: %w", op, orderID, driverID, err)
	}
	if res != "OK" {
		return fmt.Errorf("%s order %s driver %s: %w", op, orderID, driverID, refused)
	}
	return nil
}

// ExpireOffers releases offers past their deadline, at most limit per call.
func (x *LiveIndex) ExpireOffers(ctx context.Context, now time.Time, limit int) (int, error) {
	res, err := expireScript.Run(ctx, x.rdb, nil, x.prefix, ms(now), limit).StringSlice()
	if err != nil {
		return 0, fmt.Errorf("expire offers: %w", err)
	}
	for _, m := range res {
		x.apply(m)
	}
	return len(res), nil
}

// DropSilent takes available drivers this replica has heard nothing from since
// staleBefore offline, at most limit per call. Only a replica whose location feed is
// caught up may call it (a lagging feed makes every driver look silent).
func (x *LiveIndex) DropSilent(ctx context.Context, staleBefore time.Time, limit int) (int, error) {
	ids := x.Drivers.Silent(staleBefore, limit)
	if len(ids) == 0 {
		return 0, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, ms(staleBefore))
	for _, id := range ids {
		args = append(args, id)
	}
	res, err := silentScript.Run(ctx, x.rdb, nil, append([]any{x.prefix}, args...)...).StringSlice()
	if err != nil {
		return 0, fmt.Errorf("drop silent drivers: %w", err)
	}
	for _, m := range res {
		x.apply(m)
	}
	return len(res), nil
}

// Candidates returns available drivers in growing H3 rings around pickup, from this
// replica's in-memory index (see DriverIndex.Candidates). Not ranked: matching takes
// the best few through Best; this is the whole set, for tests and the reference ranking.
func (x *LiveIndex) Candidates(_ context.Context, pickup domain.Point, want int) ([]domain.Candidate, int, error) {
	cs, rings := x.Drivers.Candidates(pickup, want)
	return cs, rings, nil
}

// Best returns the limit drivers with the fastest estimated pickup among those
// Candidates would return, fastest first, leaving out those skip names (see
// DriverIndex.Best), and the number of rings read.
func (x *LiveIndex) Best(_ context.Context, pickup domain.Point, want, limit int, skip func(driverID string) bool) ([]domain.Candidate, int, error) {
	cs, rings := x.Drivers.Best(pickup, want, limit, skip, make([]domain.Candidate, 0, limit))
	return cs, rings, nil
}

// Known is what this replica's index knows of the driver (no network): false when the
// driver's state has not reached it.
func (x *LiveIndex) Known(driverID string) (domain.LiveDriver, bool) {
	live, _, ok := x.Drivers.Known(driverID)
	return live, ok
}

// Driver reads one driver's state (status OFFLINE when unknown) from Redis, the truth
// for status, offer and order; the position is this replica's latest fix, or where the
// driver went online when no fix is newer.
func (x *LiveIndex) Driver(ctx context.Context, driverID string) (domain.LiveDriver, error) {
	vals, err := x.rdb.HMGet(ctx, x.prefix+"drv:"+driverID, "status", "lat", "lng", "order", "at", "offer_until", "vehicle").Result()
	if err != nil {
		return domain.LiveDriver{}, fmt.Errorf("driver %s state: %w", driverID, err)
	}
	str := func(i int) string { s, _ := vals[i].(string); return s }
	st := domain.LiveDriver{Status: domain.DriverStatus(str(0)), OrderID: str(3), Vehicle: domain.Vehicle(str(6))}
	if st.Status == "" {
		st.Status = domain.DriverOffline
	}
	st.At.Lat, _ = strconv.ParseFloat(str(1), 64)
	st.At.Lng, _ = strconv.ParseFloat(str(2), 64)
	if n, err := strconv.ParseInt(str(4), 10, 64); err == nil {
		st.LastSeen = time.UnixMilli(n)
	}
	if n, err := strconv.ParseInt(str(5), 10, 64); err == nil && n > 0 && st.Status == domain.DriverOffered {
		st.OfferUntil = time.UnixMilli(n)
	}
	if mem, _, _ := x.Drivers.Known(driverID); mem.At.Valid() && mem.LastSeen.After(st.LastSeen) {
		st.At, st.LastSeen = mem.At, mem.LastSeen
	}
	return st, nil
}

// OrderHolder returns the driver the order holds (offered or assigned), "" when none.
func (x *LiveIndex) OrderHolder(ctx context.Context, orderID string) (driverID, state string, err error) {
	vals, err := x.rdb.HMGet(ctx, x.prefix+"order:"+orderID, "driver", "state").Result()
	if err != nil {
		return "", "", fmt.Errorf("order %s holder: %w", orderID, err)
	}
	d, _ := vals[0].(string)
	s, _ := vals[1].(string)
	return d, s, nil
}

// StatesChannel carries every driver state change (see live_index_scripts.go).
func (x *LiveIndex) StatesChannel() string { return x.prefix + "states" }

// LoadStates applies the snapshot of every driver's state (the states hash) to this
// replica's index; announcements applied before are kept when newer.
func (x *LiveIndex) LoadStates(ctx context.Context) (int, error) {
	var cursor uint64
	n := 0
	for {
		kv, next, err := x.rdb.HScan(ctx, x.StatesChannel(), cursor, "*", 5000).Result()
		if err != nil {
			return n, fmt.Errorf("load driver states: %w", err)
		}
		for i := 1; i < len(kv); i += 2 {
			x.apply(kv[i])
			n++
		}
		if cursor = next; cursor == 0 {
			x.statesLoaded.Add(1)
			return n, nil
		}
	}
}

// StatesLoaded reports whether the snapshot was loaded at least once.
func (x *LiveIndex) StatesLoaded() bool { return x.statesLoaded.Load() > 0 }

// RunStates keeps this replica's index in step with every replica's state changes until
// ctx ends: it subscribes to the states channel, then loads the snapshot (so nothing
// announced in between is missed; versions make the overlap harmless), applies each
// announcement, and reloads the snapshot every resync (announcements lost while the
// subscription reconnected are recovered there).
func (x *LiveIndex) RunStates(ctx context.Context, resync time.Duration) error {
	sub := x.rdb.Subscribe(ctx, x.StatesChannel())
	defer sub.Close()
	for {
		if _, err := sub.Receive(ctx); err == nil {
			break
		} else if ctx.Err() != nil {
			return nil
		} else {
			x.logger.WarnContext(ctx, "driver states: subscribe", "error", err)
			if sleepCtx(ctx, time.Second) != nil {
				return nil
			}
		}
	}
	if _, err := x.LoadStates(ctx); err != nil && ctx.Err() == nil {
		x.logger.WarnContext(ctx, "driver states: snapshot", "error", err)
	}
	msgs := sub.Channel(redis.WithChannelSize(4096))
	t := time.NewTicker(resync)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil
			}
			x.apply(m.Payload)
		case <-t.C:
			if _, err := x.LoadStates(ctx); err != nil && ctx.Err() == nil {
				x.logger.WarnContext(ctx, "driver states: snapshot", "error", err)
			}
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Location is one position fix as the pub/sub feeds carry it.
type Location struct {
	DriverID string
	At       domain.Point
	Time     time.Time
	Status   domain.DriverStatus
}

// ParseLocation decodes a feed message "id|lat|lng|unixms|status".
func ParseLocation(msg string) (Location, error) {
	f := strings.Split(msg, "|")
	if len(f) != 5 {
		return Location{}, fmt.Errorf("location message %q: want 5 fields", msg)
	}
	lat, err1 := strconv.ParseFloat(f[1], 64)
	lng, err2 := strconv.ParseFloat(f[2], 64)
	t, err3 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Location{}, fmt.Errorf("location message %q: bad number", msg)
	}
	return Location{DriverID: f[0], At: domain.Point{Lat: lat, Lng: lng}, Time: time.UnixMilli(t), Status: domain.DriverStatus(f[4])}, nil
}

// TrackingChannel carries the status announcements of orderID's delivery (positions
// reach trackers from the DriverIndex).
func (x *LiveIndex) TrackingChannel(orderID string) string { return x.prefix + "track:" + orderID }

// statusPrefix starts a tracking-channel message that announces a delivery status
// ("status|CONFIRMED") rather than a position fix.
const statusPrefix = "status|"

// AnnounceDelivery publishes the delivery's new status on the order's tracking channel,
// so trackers on every replica see it at once. Best effort, bounded to half a second:
// trackers re-read the delivery on their own as well.
func (x *LiveIndex) AnnounceDelivery(ctx context.Context, orderID string, status domain.DeliveryStatus) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 500*time.Millisecond)
	defer cancel()
	_ = x.rdb.Publish(ctx, x.TrackingChannel(orderID), statusPrefix+string(status)).Err()
}

// ParseStatusAnnouncement decodes a tracking-channel message written by AnnounceDelivery;
// false for a position fix.
func ParseStatusAnnouncement(msg string) (domain.DeliveryStatus, bool) {
	s, ok := strings.CutPrefix(msg, statusPrefix)
	return domain.DeliveryStatus(s), ok
}

// OffersChannel carries "order|deadline-ms" offers made to driverID.
func (x *LiveIndex) OffersChannel(driverID string) string { return x.prefix + "offers:" + driverID }

// Listen listens on channel through this process's one shared pub/sub connection (see
// ChannelHub), with a buffer of buffer messages; it returns once Redis confirmed the
// subscription. The caller closes the listener.
func (x *LiveIndex) Listen(ctx context.Context, channel string, buffer int) (*Listener, error) {
	return x.hub.Listen(ctx, channel, buffer)
}

// Hub is the shared pub/sub connection Listen uses.
func (x *LiveIndex) Hub() *ChannelHub { return x.hub }

// Subscribe listens on channels on a pub/sub connection of its own (tests, and the
// driver states feed); the caller closes the subscription.
func (x *LiveIndex) Subscribe(ctx context.Context, channels ...string) *redis.PubSub {
	return x.rdb.Subscribe(ctx, channels...)
}
