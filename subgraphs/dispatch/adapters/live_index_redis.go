package adapters

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// LiveIndex is the Redis index of online drivers: where they are, which are available,
// and which order each holds. It is the only writer of those keys.
type LiveIndex struct {
	rdb    redis.UniversalClient
	prefix string
	// PublishMap feeds every ping to the admin live map channel.
	PublishMap bool
}

// NewLiveIndex keeps its keys under prefix (tests and deployments sharing one Redis use
// different prefixes).
func NewLiveIndex(rdb redis.UniversalClient, prefix string) *LiveIndex {
	return &LiveIndex{rdb: rdb, prefix: prefix, PublishMap: true}
}

// Prefix is the key prefix.
func (x *LiveIndex) Prefix() string { return x.prefix }

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// coord keeps 6 decimals (~0.1 m): plenty for a courier, short in a set member.
func coord(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

// GoOnline makes the driver AVAILABLE at p (a driver already online just moves there).
func (x *LiveIndex) GoOnline(ctx context.Context, driverID string, v domain.Vehicle, p domain.Point, now time.Time) (domain.DriverStatus, error) {
	st, err := onlineScript.Run(ctx, x.rdb, nil, x.prefix, driverID, string(v), coord(p.Lat), coord(p.Lng), string(domain.CellOf(p)), ms(now)).Text()
	if err != nil {
		return "", fmt.Errorf("driver %s online: %w", driverID, err)
	}
	return domain.DriverStatus(st), nil
}

// Ping records a position fix and returns the driver's status and the order it holds
// ("" when none). An offline driver's ping returns ErrDriverOffline and changes nothing.
func (x *LiveIndex) Ping(ctx context.Context, driverID string, p domain.Point, now time.Time) (domain.DriverStatus, string, error) {
	pub := "0"
	if x.PublishMap {
		pub = "1"
	}
	res, err := pingScript.Run(ctx, x.rdb, nil, x.prefix, driverID, coord(p.Lat), coord(p.Lng), string(domain.CellOf(p)), ms(now), pub).StringSlice()
	if err != nil {
		return "", "", fmt.Errorf("driver %s ping: %w", driverID, err)
	}
	if res[0] == string(domain.DriverOffline) {
		return domain.DriverOffline, "", fmt.Errorf("driver %s ping: %w", driverID, domain.ErrDriverOffline)
	}
	return domain.DriverStatus(res[0]), res[1], nil
}

// GoOffline takes an available driver out of the index; refused while the driver holds
// an offer or a delivery.
func (x *LiveIndex) GoOffline(ctx context.Context, driverID string) error {
	st, err := offlineScript.Run(ctx, x.rdb, nil, x.prefix, driverID).Text()
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
// (ErrOrderHasOffer otherwise). The driver leaves the index and hears of the offer on
// its offers channel.
func (x *LiveIndex) Reserve(ctx context.Context, orderID, driverID string, deadline time.Time) error {
	res, err := reserveScript.Run(ctx, x.rdb, nil, x.prefix, orderID, driverID, ms(deadline)).Text()
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
	args := append([]any{x.prefix, orderID, driverID}, extra...)
	res, err := s.Run(ctx, x.rdb, nil, args...).Text()
	if err != nil {
		return fmt.Errorf("%s order %s driver %s: %w", op, orderID, driverID, err)
	}
	if res != "OK" {
		return fmt.Errorf("%s order %s driver %s: %w", op, orderID, driverID, refused)
	}
	return nil
}

// Sweep releases offers past their deadline and drops available drivers silent since
// staleBefore, at most limit of each per call.
func (x *LiveIndex) Sweep(ctx context.Context, now, staleBefore time.Time, limit int) (expired, stale int, err error) {
	res, err := sweepScript.Run(ctx, x.rdb, nil, x.prefix, ms(now), ms(staleBefore), limit).Int64Slice()
	if err != nil {
		return 0, 0, fmt.Errorf("sweep live index: %w", err)
	}
	return int(res[0]), int(res[1]), nil
}

// Candidates returns available drivers in growing H3 rings around pickup. The first
// read takes the pickup's cell and its first ring; each further read one more ring, all
// cells of a ring in one pipelined round trip. Reading stops once at least want drivers
// lie within domain.RingCoverageMeters of the rings read (no unread driver can be nearer
// than those), or at domain.MaxRing. It also returns the number of rings read.
// Candidates are not ranked.
func (x *LiveIndex) Candidates(ctx context.Context, pickup domain.Point, want int) ([]domain.Candidate, int, error) {
	rings := domain.Rings(pickup, domain.MaxRing)
	var out []domain.Candidate
	for k := 1; k < len(rings); k++ {
		var cells []domain.Cell
		if k == 1 {
			cells = append(cells, rings[0]...)
		}
		cells = append(cells, rings[k]...)
		cmds := make([]*redis.StringSliceCmd, len(cells))
		_, err := x.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, c := range cells {
				cmds[i] = p.SMembers(ctx, x.prefix+"cell:"+string(c))
			}
			return nil
		})
		if err != nil {
			return nil, 0, fmt.Errorf("candidates near %v: %w", pickup, err)
		}
		for _, cmd := range cmds {
			for _, m := range cmd.Val() {
				if c, ok := parseMember(m); ok {
					out = append(out, c)
				}
			}
		}
		if len(out) >= want {
			cover, within := domain.RingCoverageMeters(k), 0
			for _, c := range out {
				if domain.DistanceMeters(pickup, c.At) <= cover {
					within++
				}
			}
			if within >= want {
				return out, k + 1, nil
			}
		}
	}
	return out, len(rings), nil
}

// parseMember decodes a cell set member "id|lat|lng|vehicle".
func parseMember(m string) (domain.Candidate, bool) {
	f := strings.Split(m, "|")
	if len(f) != 4 {
		return domain.Candidate{}, false
	}
	lat, err1 := strconv.ParseFloat(f[1], 64)
	lng, err2 := strconv.ParseFloat(f[2], 64)
	if err1 != nil || err2 != nil {
		return domain.Candidate{}, false
	}
	return domain.Candidate{DriverID: f[0], At: domain.Point{Lat: lat, Lng: lng}, Vehicle: domain.Vehicle(f[3])}, true
}

// Driver reads one driver's live state (status OFFLINE when unknown).
func (x *LiveIndex) Driver(ctx context.Context, driverID string) (domain.LiveDriver, error) {
	vals, err := x.rdb.HMGet(ctx, x.prefix+"drv:"+driverID, "status", "lat", "lng", "order", "seen", "offer_until").Result()
	if err != nil {
		return domain.LiveDriver{}, fmt.Errorf("driver %s state: %w", driverID, err)
	}
	str := func(i int) string { s, _ := vals[i].(string); return s }
	st := domain.LiveDriver{Status: domain.DriverStatus(str(0)), OrderID: str(3)}
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

// TrackingChannel carries the locations of the driver delivering orderID and the
// delivery's status announcements.
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

// MapChannel carries every ping (the admin live map).
func (x *LiveIndex) MapChannel() string { return x.prefix + "map" }

// OffersChannel carries "order|deadline-ms" offers made to driverID.
func (x *LiveIndex) OffersChannel(driverID string) string { return x.prefix + "offers:" + driverID }

// Subscribe listens on channels; the caller closes the subscription.
func (x *LiveIndex) Subscribe(ctx context.Context, channels ...string) *redis.PubSub {
	return x.rdb.Subscribe(ctx, channels...)
}
