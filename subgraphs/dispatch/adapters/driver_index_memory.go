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
//     fix the driver already has (by the fix's own time); a fix this replica took
//     itself is applied as it is published (LocationStreamConfig.Local) and again, as a
//     no-op, when the feed reads it back;
//   - driver states from the Redis reservation scripts (the status feed of LiveIndex),
//     applied when their version is newer (every script that changes a driver bumps it).
//
// Redis stays the truth for status: a candidate read here may have been reserved by
// another replica a moment ago, and the reservation script refuses it (ErrDriverBusy),
// so a stale entry costs a round trip, never a double assignment.
type DriverIndex struct {
	mu      sync.RWMutex
	drivers map[string]*indexedDriver
	// cells holds the drivers with a position in each cell, each with a copy of what
	// matching reads (a scan over a cell reads one contiguous slice, not one scattered
	// driver per candidate); a driver knows its slot (indexedDriver.slot), so moving out
	// is a swap with the cell's last entry.
	cells map[h3.Cell][]cellEntry
	// rings caches the grid disk around each pickup cell (restaurants are few, and
	// asking H3 costs more than the rest of a match).
	rings sync.Map // h3.Cell -> [][]h3.Cell

	subsMu sync.RWMutex                             // notify only reads the sets
	subs   map[string]map[*FixSubscription]struct{} // "" = every driver

	fixes, states atomic.Int64
}

type indexedDriver struct {
	id      string
	at      domain.Point
	cell    h3.Cell // 0 until the first position
	slot    int     // index in cells[cell]
	fixAt   int64   // unix ns of the position
	seen    int64   // unix ms of the last fix or state
	status  domain.DriverStatus
	order   string
	vehicle domain.Vehicle
	pace    domain.Pace // of vehicle
	ver     int64
}

// cellEntry is a driver in its cell: d's position, pace and availability, kept equal to
// d's by sync.
type cellEntry struct {
	at        domain.Point
	cosLat    float64 // domain.CosLat(at)
	pace      domain.Pace
	available bool
	d         *indexedDriver
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
	return &DriverIndex{drivers: map[string]*indexedDriver{}, cells: map[h3.Cell][]cellEntry{},
		subs: map[string]map[*FixSubscription]struct{}{}}
}

func cellOf(p domain.Point) h3.Cell {
	return h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), domain.CellResolution)
}

func (x *DriverIndex) entry(id string) *indexedDriver {
	d := x.drivers[id]
	if d == nil {
		d = &indexedDriver{id: id, pace: domain.PaceOf("")}
		x.drivers[id] = d
	}
	return d
}

// move puts d at p, whose cell is c (x.mu held; c = cellOf(p) is worked out before
// taking it: H3 is a cgo call that costs more than the rest of applying a fix, and
// matches wait for the write lock).
func (x *DriverIndex) move(d *indexedDriver, p domain.Point, c h3.Cell, at int64) {
	if c != d.cell {
		x.leaveCell(d)
		d.cell, d.slot = c, len(x.cells[c])
		x.cells[c] = append(x.cells[c], cellEntry{d: d})
	}
	d.at, d.fixAt = p, at
}

// sync copies d's position, pace and availability into its cell's entry (x.mu held).
func (x *DriverIndex) sync(d *indexedDriver) {
	if d.cell == 0 {
		return
	}
	x.cells[d.cell][d.slot] = cellEntry{at: d.at, cosLat: domain.CosLat(d.at), pace: d.pace, available: d.status == domain.DriverAvailable, d: d}
}

// leaveCell takes d out of its cell's slice (x.mu held).
func (x *DriverIndex) leaveCell(d *indexedDriver) {
	if d.cell == 0 {
		return
	}
	list := x.cells[d.cell]
	last := len(list) - 1
	if d.slot <= last && list[d.slot].d == d {
		list[d.slot] = list[last]
		list[d.slot].d.slot = d.slot
		list[last] = cellEntry{}
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
// it to the driver's followers. It reports whether the fix was newer. The fix the driver
// already has, read again (a replica that applied its own fix at once reads it back
// from driver.location), is not newer: nobody is handed it twice.
func (x *DriverIndex) ApplyFix(driverID string, p domain.Point, at time.Time) bool {
	ns := at.UnixNano()
	x.mu.RLock()
	d := x.drivers[driverID]
	stale := d != nil && (ns < d.fixAt || ns == d.fixAt && p == d.at)
	x.mu.RUnlock()
	if stale {
		return false
	}
	c := cellOf(p)
	x.mu.Lock()
	d = x.entry(driverID)
	if ns < d.fixAt || ns == d.fixAt && p == d.at {
		x.mu.Unlock()
		return false
	}
	x.move(d, p, c, ns)
	x.sync(d)
	d.seen = max(d.seen, at.UnixMilli())
	loc := Location{DriverID: driverID, At: p, Time: at, Status: d.status}
	x.mu.Unlock()
	x.fixes.Add(1)
	x.notify(loc)
	return true
}

// ApplyState records a driver's state unless a newer one is known. A position that
// comes with it (going online) is taken when newer than the last fix.
func (x *DriverIndex) ApplyState(s DriverState) bool {
	var c h3.Cell
	if s.At.Valid() {
		c = cellOf(s.At)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	d := x.entry(s.DriverID)
	if s.Ver <= d.ver {
		return false
	}
	d.ver, d.status, d.order = s.Ver, s.Status, s.OrderID
	if s.Vehicle != "" {
		d.vehicle, d.pace = s.Vehicle, domain.PaceOf(s.Vehicle)
	}
	if ns := s.AtTime.UnixNano(); s.At.Valid() && ns >= d.fixAt {
		x.move(d, s.At, c, ns)
		d.seen = max(d.seen, s.AtTime.UnixMilli())
	}
	x.sync(d)
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
			for _, e := range x.cells[c] {
				if d := e.d; d.status == domain.DriverAvailable {
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

// Best returns, fastest pickup first, the limit AVAILABLE drivers that rank best by
// estimated pickup time among the drivers Candidates(pickup, want) would return, leaving
// out those skip names (nil: none): the same drivers in the same order as the first
// limit of domain.RankByPickupTime over Candidates, without ranking them all. Rings are
// read as Candidates reads them (skipped drivers still count towards want: the drivers
// read do not depend on who was asked already); each driver read costs one distance,
// and only one that beats the worst of the best so far enters a bounded heap. The
// result is appended to buf[:0] (a caller that passes its buffer back allocates
// nothing). It also returns the number of rings read.
func (x *DriverIndex) Best(pickup domain.Point, want, limit int, skip func(driverID string) bool, buf []domain.Candidate) ([]domain.Candidate, int) {
	best := bestOf{c: buf[:0], limit: limit}
	if limit < 1 {
		return best.c, 0
	}
	rings := x.ringsAround(cellOf(pickup))
	x.mu.RLock()
	defer x.mu.RUnlock()
	// Candidates' rule: stop after ring k once want drivers read lie within
	// RingCoverageMeters(k). Each driver read is counted once, at the first k whose
	// coverage holds it (no distance is kept).
	var coverage [domain.MaxRing + 1]float64
	for k := range coverage {
		coverage[k] = domain.RingCoverageMeters(k)
	}
	cosPickup := domain.CosLat(pickup)
	var firstWithin [domain.MaxRing + 2]int // [k]: drivers first within coverage[k]; [MaxRing+1]: beyond
	read := func(cells []h3.Cell) {
		for _, c := range cells {
			for i := range x.cells[c] {
				e := &x.cells[c][i]
				if !e.available {
					continue
				}
				m := domain.DistanceMetersCos(e.at, pickup, e.cosLat, cosPickup)
				k := 1
				for k <= domain.MaxRing && m > coverage[k] {
					k++
				}
				firstWithin[k]++
				best.offer(e, e.pace.Time(m), skip)
			}
		}
	}
	for k := 1; k < len(rings); k++ {
		if k == 1 {
			read(rings[0])
		}
		read(rings[k])
		within := 0
		for j := 1; j <= k; j++ {
			within += firstWithin[j]
		}
		if within >= want {
			return best.sorted(), k + 1
		}
	}
	return best.sorted(), len(rings)
}

// bestOf keeps the limit best candidates offered so far: a max-heap on pickup rank
// (its root is the worst kept), so a candidate that does not beat the root costs one
// comparison.
type bestOf struct {
	c     []domain.Candidate
	limit int
}

// worse reports whether c[i] ranks after c[j].
func (b *bestOf) worse(i, j int) bool {
	return domain.PickupBefore(b.c[j].PickupTime, b.c[j].DriverID, b.c[i].PickupTime, b.c[i].DriverID)
}

// offer keeps e's driver (pickup time t) if it ranks among the best so far and skip
// does not name it.
func (b *bestOf) offer(e *cellEntry, t time.Duration, skip func(string) bool) {
	full := len(b.c) == b.limit
	if full && t > b.c[0].PickupTime { // decided without reading the driver
		return
	}
	d := e.d
	if full && !domain.PickupBefore(t, d.id, b.c[0].PickupTime, b.c[0].DriverID) || skip != nil && skip(d.id) {
		return
	}
	if full {
		b.c[0] = domain.Candidate{DriverID: d.id, At: d.at, Vehicle: d.vehicle, PickupTime: t}
		b.down(0)
		return
	}
	b.c = append(b.c, domain.Candidate{DriverID: d.id, At: d.at, Vehicle: d.vehicle, PickupTime: t})
	for i := len(b.c) - 1; i > 0; {
		parent := (i - 1) / 2
		if !b.worse(i, parent) {
			break
		}
		b.c[i], b.c[parent] = b.c[parent], b.c[i]
		i = parent
	}
}

func (b *bestOf) down(i int) {
	for n := len(b.c); ; {
		l := 2*i + 1
		if l >= n {
			return
		}
		w := l
		if r := l + 1; r < n && b.worse(r, l) {
			w = r
		}
		if !b.worse(w, i) {
			return
		}
		b.c[i], b.c[w] = b.c[w], b.c[i]
		i = w
	}
}

// sorted empties the heap into ascending rank order, in place.
func (b *bestOf) sorted() []domain.Candidate {
	out := b.c
	for n := len(out) - 1; n > 0; n-- {
		out[0], out[n] = out[n], out[0]
		b.c = out[:n]
		b.down(0)
	}
	return out
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
	x.subsMu.RLock()
	defer x.subsMu.RUnlock()
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
