package adapters_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
)

// rankAll is the ranking Best replaces: every candidate the rings give, minus the
// skipped, ranked by domain.RankByPickupTime, cut to limit.
func rankAll(x *adapters.DriverIndex, pickup domain.Point, want, limit int, skip func(string) bool) ([]domain.Candidate, int) {
	cs, rings := x.Candidates(pickup, want)
	cs = slices.DeleteFunc(cs, func(c domain.Candidate) bool { return skip != nil && skip(c.DriverID) })
	domain.RankByPickupTime(pickup, cs)
	return cs[:min(limit, len(cs))], rings
}

// randomFleet fills an index with n drivers around centre (spread meters across), in
// every status, some without a vehicle, and groups of drivers standing on the same spot
// with the same vehicle (equal pickup times: the id must break the tie).
func randomFleet(r *rand.Rand, centre domain.Point, n int, spread float64) *adapters.DriverIndex {
	x := adapters.NewDriverIndex()
	statuses := []domain.DriverStatus{domain.DriverAvailable, domain.DriverAvailable, domain.DriverAvailable,
		domain.DriverOffered, domain.DriverOnDelivery, domain.DriverOffline}
	vehicles := []domain.Vehicle{domain.VehicleBicycle, domain.VehicleScooter, domain.VehicleCar, ""}
	deg := spread / 111_195
	var spot domain.Point
	for i := range n {
		if i%7 != 0 || i == 0 { // every 7th stands where the previous one stood
			spot = domain.Point{Lat: centre.Lat + (r.Float64()*2-1)*deg, Lng: centre.Lng + (r.Float64()*2-1)*deg/0.75}
		}
		v := vehicles[r.IntN(len(vehicles))]
		if i%7 == 0 {
			v = domain.VehicleScooter
		}
		x.ApplyState(adapters.DriverState{DriverID: fmt.Sprintf("d%03d", r.IntN(n*4)), Ver: int64(i + 1),
			Status: statuses[r.IntN(len(statuses))], Vehicle: v, At: spot, AtTime: time.UnixMilli(int64(i + 1))})
	}
	return x
}

// Best gives the same drivers in the same order as ranking every candidate, on random
// fleets (sparse and dense, ties included), with busy and offline drivers, skipped
// drivers, and limits below and above the number of candidates.
func TestDriverIndexBest_isTheHeadOfRankingEveryCandidate(t *testing.T) {
	centre := domain.Point{Lat: 41.3111, Lng: 69.2797}
	r := rand.New(rand.NewPCG(23, 23))
	checked, tied, skippedSome := 0, 0, 0
	var buf []domain.Candidate
	for fleet := range 60 {
		n := []int{5, 40, 300, 2000}[fleet%4]
		spread := []float64{400, 1500, 4000}[fleet%3]
		x := randomFleet(r, centre, n, spread)
		for range 20 {
			pickup := domain.Point{Lat: centre.Lat + (r.Float64()*2-1)*spread/111_195, Lng: centre.Lng + (r.Float64()*2-1)*spread/111_195}
			want := 1 + r.IntN(12)
			limit := 1 + r.IntN(15)
			var skip func(string) bool
			if r.IntN(2) == 0 {
				mod := 2 + r.IntN(4)
				skip = func(id string) bool { return len(id) > 0 && int(id[len(id)-1])%mod == 0 }
			}
			want1, rings1 := rankAll(x, pickup, want, limit, skip)
			var rings int
			buf, rings = x.Best(pickup, want, limit, skip, buf)
			if rings != rings1 {
				t.Fatalf("fleet %d: Best read %d rings, Candidates %d", fleet, rings, rings1)
			}
			if len(buf) != len(want1) {
				t.Fatalf("fleet %d (n=%d, want %d, limit %d): Best gave %d drivers, ranking all %d", fleet, n, want, limit, len(buf), len(want1))
			}
			for i := range buf {
				if buf[i] != want1[i] {
					t.Fatalf("fleet %d: #%d is %+v, ranking all gives %+v", fleet, i, buf[i], want1[i])
				}
				if i > 0 && buf[i].PickupTime == buf[i-1].PickupTime {
					tied++
				}
				if buf[i].DriverID == "" || skip != nil && skip(buf[i].DriverID) {
					t.Fatalf("fleet %d: skipped driver %q returned", fleet, buf[i].DriverID)
				}
			}
			if skip != nil {
				skippedSome++
			}
			checked++
		}
	}
	// The fleets must have exercised what the test is about.
	if tied == 0 || skippedSome == 0 || checked != 1200 {
		t.Fatalf("checked %d pickups, %d ties within results, %d with skips", checked, tied, skippedSome)
	}
}

// Only AVAILABLE drivers are offered, whatever their distance.
func TestDriverIndexBest_offersOnlyAvailableDrivers(t *testing.T) {
	centre := domain.Point{Lat: 41.3111, Lng: 69.2797}
	x := adapters.NewDriverIndex()
	for i, st := range []domain.DriverStatus{domain.DriverOffered, domain.DriverOnDelivery, domain.DriverOffline, domain.DriverAvailable} {
		x.ApplyState(adapters.DriverState{DriverID: string(st), Ver: 1, Status: st, Vehicle: domain.VehicleCar,
			At: domain.Point{Lat: centre.Lat + float64(i)*0.001, Lng: centre.Lng}, AtTime: time.Now()})
	}
	cs, _ := x.Best(centre, 10, 10, nil, nil)
	if len(cs) != 1 || cs[0].DriverID != string(domain.DriverAvailable) {
		t.Fatalf("got %+v, want only the AVAILABLE driver", cs)
	}
}
