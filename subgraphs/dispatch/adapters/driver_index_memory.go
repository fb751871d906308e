package adapters

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/uber/h3-go/v4"

	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// DriverIndex is one replica's in-memory index of online drivers: H3 cell -> drivers,
// each with its exact position, vehicle and status. Matching reads it without a network
// round trip. It is fed from two streams and trusts neither's order:
//
//   - position fixes from driver.location (LocationFeed), applied when newer than the
//     fix the driver already has (by the fix's own time);
//   - driver states from the Redis reservation scripts (the status feed of LiveIndex),
//     applied when their version is newer (every script that changes a driver bumps it).
//
// Redis stays the truth for status: a candidate read here may have been reserved by
// another replica a moment ago, and the reservation script refuses it (ErrDriverBusy),
// so a stale entry costs a round trip, never a double assignment.
type DriverIndex struct {
	mu      sync.RWMutex
	drivers map[string]*indexedDriver
	// cells holds the drivers with a position in each cell; a driver knows its slot
	// (indexedDriver.slot), so moving out is a swap with the cell's last driver.
	cells map[h3.Cell][]*indexedDriver
	// rings caches the grid disk around each pickup cell (restaurants are few, and
	// asking H3 costs more than the rest of a match).
	rings sync.Map // h3.Cell -> [][]h3.Cell

	subsMu sync.Mutex
	subs   map[string]map[*FixSubscription]struct{} // "" = every driver

	fixes, states atomic.Int64
}

type indexedDriver struct {
	id      string
	at      domain.Point
	cell    h3.Cell // 0 until the first position
	slot    int     // index in cells[cell]
	fixAt   int64   // unix ms of the position
	seen    int64   // unix ms of the last fix or state
	status  domain.DriverStatus
	order   string
	vehicle domain.Vehicle
	ver     int64
}

// DriverState is a driver's state as a Redis script left it.
type DriverState struct {
	DriverID string
	// Ver increases with every change of the driver in Redis.
	Ver     int64
	Status  domain.DriverStatus
	OrderID string
	Vehicle domain.Vehicle
	// At is the position the script knew (where the driver went online), at AtTime.
	At     domain.Point
	AtTime time.Time
}

// NewDriverIndex is an empty index.
func NewDriverIndex() *DriverIndex {
	return &DriverIndex{drivers: map[string]*indexedDriver{}, cells: map[h3.Cell][]*indexedDriver{},
		subs: map[string]map[*FixSubscription]struct{}{}}
}

func cellOf(p domain.Point) h3.Cell {
	return h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), domain.CellResolution)
}

func (x *DriverIndex) entry(id string) *indexedDriver {
	d := x.drivers[id]
	if d == nil {
		d = &indexedDriver{id: id}
		x.drivers[id] = d
	}
	return d
}

// move puts d at p (x.mu held).
func (x *DriverIndex) move(d *indexedDriver, p domain.Point, at int64) {
	if c := cellOf(p); c != d.cell {
		x.leaveCell(d)
		d.cell, d.slot = c, len(x.cells[c])
		x.cells[c] = append(x.cells[c], d)
	}
	d.at, d.fixAt = p, at
}

// leaveCell takes d out of its cell's slice (x.mu held).
func (x *DriverIndex) leaveCell(d *indexedDriver) {
	if d.cell == 0 {
		return
	}
	list := x.cells[d.cell]
	last := len(list) - 1
	if d.slot <= last && list[d.slot] == d {
		list[d.slot] = list[last]
		list[d.slot].slot = d.slot
		list[last] = nil
		if list = list[:last]; len(list) == 0 {
			delete(x.cells, d.cell)
		} else {
			x.cells[d.cell] = list
		}
	}
	d.cell = 0
}

func (x *DriverIndex) remove(d *indexedDriver) {
	x.leaveCell(d)
	delete(x.drivers, d.id)
}

// ringsAround is the grid disk of origin by distance, cached.
func (x *DriverIndex) ringsAround(origin h3.Cell) [][]h3.Cell {
	if r, ok := x.rings.Load(origin); ok {
		return r.([][]h3.Cell)
	}
	r := origin.GridDiskDistances(domain.MaxRing)
	x.rings.Store(origin, r)
	return r
}

// ApplyFix records a position fix unless the driver already has a newer one, and hands
// it to the driver's followers. It reports whether the fix was newer.
func (x *DriverIndex) ApplyFix(driverID string, p domain.Point, at time.Time) bool {
	ms := at.UnixMilli()
	x.mu.Lock()
	d := x.entry(driverID)
	if ms < d.fixAt {
		x.mu.Unlock()
		return false
	}
	x.move(d, p, ms)
	d.seen = max(d.seen, ms)
	loc := Location{DriverID: driverID, At: p, Time: at, Status: d.status}
	x.mu.Unlock()
	x.fixes.Add(1)
	x.notify(loc)
	return true
}

// ApplyState records a driver's state unless a newer one is known. A position that
// comes with it (going online) is taken when newer than the last fix.
func (x *DriverIndex) ApplyState(s DriverState) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	d := x.entry(s.DriverID)
	if s.Ver <= d.ver {
		return false
	}
	d.ver, d.status, d.order = s.Ver, s.Status, s.OrderID
	if s.Vehicle != "" {
		d.vehicle = s.Vehicle
	}
	if ms := s.AtTime.UnixMilli(); s.At.Valid() && ms >= d.fixAt {
		x.move(d, s.At, ms)
		d.seen = max(d.seen, ms)
	}
	x.states.Add(1)
	return true
}

// Applied counts fixes and states applied so far (benchmarks and tests wait on it).
func (x *DriverIndex) Applied() (fixes, states int64) { return x.fixes.Load(), x.states.Load() }

// Known returns what the index knows of a driver (false when nothing).
func (x *DriverIndex) Known(driverID string) (domain.LiveDriver, domain.Vehicle, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	d := x.drivers[driverID]
	if d == nil {
		return domain.LiveDriver{}, "", false
	}
	st := d.status
	if st == "" {
		st = domain.DriverOffline
	}
	live := domain.LiveDriver{Status: st, At: d.at, OrderID: d.order, Vehicle: d.vehicle}
	if d.seen > 0 {
		live.LastSeen = time.UnixMilli(d.seen)
	}
	return live, d.vehicle, d.ver > 0
}

// Len is how many drivers the index holds (any status).
func (x *DriverIndex) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.drivers)
}

// Candidates returns AVAILABLE drivers in growing H3 rings around pickup, the way the
// Redis cell sets were read before: the pickup's cell and its first ring, then one more
// ring at a time, until at least want drivers lie within domain.RingCoverageMeters of
// the rings read (no unread driver can be nearer), or domain.MaxRing. It also returns
// the number of rings read. Candidates are not ranked.
func (x *DriverIndex) Candidates(pickup domain.Point, want int) ([]domain.Candidate, int) {
	rings := x.ringsAround(cellOf(pickup))
	out := make([]domain.Candidate, 0, 4*want)
	dist := make([]float64, 0, 4*want) // from pickup, per candidate
	x.mu.RLock()
	defer x.mu.RUnlock()
	read := func(cells []h3.Cell) {
		for _, c := range cells {
			for _, d := range x.cells[c] {
				if d.status == domain.DriverAvailable {
					out = append(out, domain.Candidate{DriverID: d.id, At: d.at, Vehicle: d.vehicle})
					dist = append(dist, domain.DistanceMeters(pickup, d.at))
				}
			}
		}
	}
	for k := 1; k < len(rings); k++ {
		if k == 1 {
			read(rings[0])
		}
		read(rings[k])
		if len(out) >= want {
			cover, within := domain.RingCoverageMeters(k), 0
			for _, m := range dist {
				if m <= cover {
					within++
				}
			}
			if within >= want {
				return out, k + 1
			}
		}
	}
	return out, len(rings)
}

// Silent returns up to limit AVAILABLE drivers whose last sign of life (a fix, or going
// online) is older than before.
func (x *DriverIndex) Silent(before time.Time, limit int) []string {
	cut := before.UnixMilli()
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []string
	for id, d := range x.drivers {
		if len(out) >= limit {
			break
		}
		if d.seen < cut && d.status == domain.DriverAvailable {
			out = append(out, id)
		}
	}
	return out
}

// Forget drops drivers nobody heard of since before that are not known to hold an
// offer or a delivery (offline drivers, and fixes of drivers this deployment never saw
// go online), so memory follows the online population.
func (x *DriverIndex) Forget(before time.Time) int {
	cut := before.UnixMilli()
	x.mu.Lock()
	defer x.mu.Unlock()
	n := 0
	for _, d := range x.drivers {
		if d.seen < cut && (d.status == "" || d.status == domain.DriverOffline) {
			x.remove(d)
			n++
		}
	}
	return n
}

// FixSubscription delivers the position fixes of one driver (or of all) as this
// replica's index applies them. A follower that falls behind by more than its buffer
// loses fixes (a position is superseded by the next one) and Lost counts them.
type FixSubscription struct {
	C      chan Location
	key    string
	x      *DriverIndex
	lost   atomic.Int64
	closed bool
}

// Follow subscribes to driverID's fixes ("" for every driver's).
func (x *DriverIndex) Follow(driverID string, buffer int) *FixSubscription {
	s := &FixSubscription{C: make(chan Location, buffer), key: driverID, x: x}
	x.subsMu.Lock()
	set := x.subs[driverID]
	if set == nil {
		set = map[*FixSubscription]struct{}{}
		x.subs[driverID] = set
	}
	set[s] = struct{}{}
	x.subsMu.Unlock()
	return s
}

// Close ends the subscription (its channel is not closed: stop reading it).
func (s *FixSubscription) Close() {
	s.x.subsMu.Lock()
	defer s.x.subsMu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if set := s.x.subs[s.key]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(s.x.subs, s.key)
		}
	}
}

// Lost counts fixes not delivered because the follower's buffer was full.
func (s *FixSubscription) Lost() int64 { return s.lost.Load() }

func (x *DriverIndex) notify(loc Location) {
	x.subsMu.Lock()
	defer x.subsMu.Unlock()
	if len(x.subs) == 0 {
		return
	}
	for _, key := range [2]string{loc.DriverID, ""} {
		for s := range x.subs[key] {
			select {
			case s.C <- loc:
			default:
				s.lost.Add(1)
			}
		}
	}
}
