package adapters

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// Drivers' online and busy minutes are read from driver_days (migration 0007): per UTC day
// × driver, recomputed after a batch from the location events of the days the batch's
// locations fall in (also those found stored: a failed write's retry recomputes too),
// versioned by online * 1441 + busy (a day has 1,440 minutes). A range reads its whole
// days from driver_days and its partial days at the ends from the events; minutes never
// straddle a day, so the parts add up to the distinct minutes of the range.

// locationDays are the UTC days of the batch's driver.location facts, sorted.
func locationDays(facts []domain.Fact) []int64 {
	var out []int64
	for i := range facts {
		if facts[i].EventType == domain.TypeDriverLocation && facts[i].DriverID != "" {
			out = append(out, dayOf(facts[i].OccurredAt.Unix()))
		}
	}
	return sortedDays(out)
}

// minutesOf is a query of (driver_id, online, busy) over the location events matching where.
func (o olap) minutesOf(where string) string {
	minute := o.d.idiv(o.d.epoch("occurred_at"), "60")
	return fmt.Sprintf(`SELECT driver_id, %s AS online, %s AS busy FROM events WHERE event_type = '%s' AND driver_id != '' AND %s GROUP BY driver_id`,
		o.d.i64(o.d.uniq(minute)), o.d.i64(o.d.uniqIf(minute, "order_id != ''")), domain.TypeDriverLocation, where)
}

// refreshDriversSQL recomputes days' rows of driver_days from the location events.
func (o olap) refreshDriversSQL(days []int64) string {
	list := make([]string, len(days))
	for i, d := range days {
		list[i] = strconv.FormatInt(d, 10)
	}
	day := fmt.Sprintf("%s * %d", o.d.idiv(o.d.epoch("occurred_at"), strconv.Itoa(daySeconds)), daySeconds)
	minute := o.d.idiv(o.d.epoch("occurred_at"), "60")
	return fmt.Sprintf(`INSERT INTO driver_days (day, driver_id, online, busy, version)
		SELECT day, driver_id, online, busy, online * 1441 + busy FROM (
		SELECT %s AS day, driver_id, %s AS online, %s AS busy FROM events
		WHERE event_type = '%s' AND driver_id != '' AND occurred_at >= %s AND occurred_at < %s AND %s IN (%s)
		GROUP BY day, driver_id) x`,
		day, o.d.i64(o.d.uniq(minute)), o.d.i64(o.d.uniqIf(minute, "order_id != ''")), domain.TypeDriverLocation,
		o.literal(days[0]), o.literal(days[len(days)-1]+daySeconds), day, strings.Join(list, ","))
}

// driverMinutes is a query of (driver_id, online, busy) rows that together hold every
// driver's minutes in r once: whole days from driver_days, the ends from the events.
func (o olap) driverMinutes(r domain.Range) (string, []any) {
	from, to := r.From.Unix(), r.To.Unix()
	lo, hi := from+mod(-from, daySeconds), to-mod(to, daySeconds)
	ends := [][2]int64{{from, to}}
	var parts []string
	var args []any
	if lo < hi {
		ends = nil
		if from < lo {
			ends = append(ends, [2]int64{from, lo})
		}
		if hi < to {
			ends = append(ends, [2]int64{hi, to})
		}
		from, rargs := o.rollupRows("driver_days", "day", lo, hi, "", nil)
		parts = append(parts, fmt.Sprintf("SELECT driver_id, %s AS online, %s AS busy %s", o.d.i64("online"), o.d.i64("busy"), from))
		args = append(args, rargs...)
	}
	for _, e := range ends {
		parts = append(parts, o.minutesOf(fmt.Sprintf("occurred_at >= %s AND occurred_at < %s", o.d.ts, o.d.ts)))
		args = append(args, e[0], e[1])
	}
	return fmt.Sprintf("SELECT driver_id, %s, %s FROM (%s) u GROUP BY driver_id", o.d.sum("online"), o.d.sum("busy"), strings.Join(parts, " UNION ALL ")), args
}
