package graph

import (
	"time"

	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/graph/model"
)

func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, graphqlerr.BadUserInput(field, "want an RFC 3339 time, e.g. 2026-12-06T00:00:00Z")
	}
	return t, nil
}

func rangeArgs(r model.AnalyticsRange) (app.RangeArgs, error) {
	from, err := parseTime("range.from", r.From)
	if err != nil {
		return app.RangeArgs{}, err
	}
	to, err := parseTime("range.to", r.To)
	if err != nil {
		return app.RangeArgs{}, err
	}
	a := app.RangeArgs{From: from, To: to, RestaurantIDs: r.RestaurantIds}
	if r.TimeZone != nil {
		a.TimeZone = *r.TimeZone
	}
	return a, nil
}

func quantiles(q domain.Quantiles) *model.DurationQuantiles {
	return &model.DurationQuantiles{P50: q.P50, P90: q.P90, P99: q.P99, Count: int(q.Count)}
}

func salesSeries(points []domain.SalesPoint, b model.AnalyticsBucket, zone *time.Location) *model.SalesSeries {
	s := &model.SalesSeries{Bucket: b, TimeZone: zone.String(), Points: make([]*model.SalesPoint, 0, len(points))}
	var gmv int64
	for _, p := range points {
		s.Points = append(s.Points, &model.SalesPoint{Start: p.Start.In(zone).Format(time.RFC3339), Orders: int(p.Orders), GmvMinor: p.GMVMinor})
		s.TotalOrders += int(p.Orders)
		gmv += p.GMVMinor
	}
	s.TotalGmvMinor = gmv
	return s
}

func live(l domain.Live) *model.LiveMetrics {
	return &model.LiveMetrics{At: l.At.Format(time.RFC3339), OrdersPerMinute: int(l.OrdersPerMinute), GmvTodayMinor: l.GMVTodayMinor,
		ActiveDrivers: int(l.ActiveDrivers), OpenOrders: int(l.OpenOrders)}
}
