package graph

import (
	"encoding/base64"
	"math"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/restaurants/app"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/graph/model"
)

var weekdays = []struct {
	gql model.Weekday
	go_ time.Weekday
}{
	{model.WeekdayMonday, time.Monday}, {model.WeekdayTuesday, time.Tuesday}, {model.WeekdayWednesday, time.Wednesday},
	{model.WeekdayThursday, time.Thursday}, {model.WeekdayFriday, time.Friday}, {model.WeekdaySaturday, time.Saturday},
	{model.WeekdaySunday, time.Sunday},
}

func toWeekday(d model.Weekday) time.Weekday {
	for _, w := range weekdays {
		if w.gql == d {
			return w.go_
		}
	}
	return -1 // NewOpeningHours names it
}

func money(m domain.Money) *model.Money {
	return &model.Money{AmountMinor: m.AmountMinor, Currency: m.Currency}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func toRestaurant(r *domain.Restaurant, now time.Time) *model.Restaurant {
	if r == nil {
		return nil
	}
	p := r.Profile()
	out := &model.Restaurant{
		ID: r.ID(), Name: p.Name, Description: p.Description, Cuisines: nonNil(p.Cuisines),
		Address: &model.Address{Line1: p.Address.Line1, Line2: optional(p.Address.Line2), City: p.Address.City,
			PostalCode: optional(p.Address.PostalCode), Country: optional(p.Address.Country)},
		Location:     &model.GeoPoint{Lat: p.Location.Lat, Lng: p.Location.Lng},
		OpeningHours: toHoursHeader(r),
		IsOpen:       r.IsOpenAt(now), Paused: r.Paused(), PauseReason: optional(r.PauseReason()),
		PriceLevel: int64(p.PriceLevel), RatingCount: int64(r.Rating().Count),
		PrepTimeMinutes: int64(p.PrepTimeMinutes), Currency: p.Currency,
		Owner: &model.User{ID: r.OwnerID()}, Menu: toMenu(r),
		Version: r.Version(), CreatedAt: rfc3339(r.CreatedAt()), UpdatedAt: rfc3339(r.UpdatedAt()),
	}
	if r.Rating().Count > 0 {
		avg := r.Rating().Average
		out.Rating = &avg
	}
	for _, w := range weekdays {
		day := &model.DayHours{Day: w.gql, Ranges: []*model.TimeRange{}}
		for _, rg := range p.Hours.Day(w.go_) {
			day.Ranges = append(day.Ranges, &model.TimeRange{Open: rg.OpenClock(), Close: rg.CloseClock()})
		}
		out.OpeningHours.Days = append(out.OpeningHours.Days, day)
	}
	return out
}

// toHoursHeader is the hours' zone and edit record; toRestaurant fills the days.
func toHoursHeader(r *domain.Restaurant) *model.OpeningHours {
	e := r.HoursEdit()
	out := &model.OpeningHours{TimeZone: r.Profile().Hours.Zone(), Days: []*model.DayHours{}, Version: e.Version}
	if e.EditedBy != "" {
		out.EditedBy = &model.User{ID: e.EditedBy}
		at := rfc3339(e.EditedAt)
		out.EditedAt = &at
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func toMenu(r *domain.Restaurant) *model.Menu {
	m := r.Menu()
	out := &model.Menu{Version: m.Version, Currency: m.Currency, Categories: []*model.MenuCategory{}}
	if m.EditedBy != "" {
		out.EditedBy = &model.User{ID: m.EditedBy}
		at := m.EditedAt.UTC().Format(time.RFC3339)
		out.EditedAt = &at
	}
	for _, c := range m.Categories {
		mc := &model.MenuCategory{ID: c.ID, Name: c.Name, Items: []*model.MenuItem{}}
		for _, it := range c.Items {
			mc.Items = append(mc.Items, toMenuItem(it, r.ID()))
		}
		out.Categories = append(out.Categories, mc)
	}
	return out
}

func toMenuItem(it domain.MenuItem, restaurantID string) *model.MenuItem {
	out := &model.MenuItem{ID: it.ID, Name: it.Name, Description: it.Description, Price: money(it.Price),
		Available: it.Available, Tags: nonNil(it.Tags), ImageURL: optional(it.ImageURL),
		OptionGroups: []*model.OptionGroup{}, RestaurantID: restaurantID}
	for _, g := range it.OptionGroups {
		og := &model.OptionGroup{ID: g.ID, Name: g.Name, MinChoices: int64(g.MinChoices), MaxChoices: int64(g.MaxChoices),
			Options: []*model.MenuOption{}}
		for _, o := range g.Options {
			og.Options = append(og.Options, &model.MenuOption{ID: o.ID, Name: o.Name, PriceDelta: money(o.PriceDelta), Available: o.Available})
		}
		out.OptionGroups = append(out.OptionGroups, og)
	}
	return out
}

func toQuote(q domain.Quote, r *domain.Restaurant) *model.Quote {
	out := &model.Quote{RestaurantID: q.RestaurantID, Currency: q.Currency, MenuVersion: q.MenuVersion,
		Lines: []*model.QuoteLine{}, Subtotal: money(q.Subtotal), Available: q.Available,
		RestaurantOpen: q.RestaurantOpen, QuotedAt: rfc3339(q.QuotedAt)}
	for _, l := range q.Lines {
		it, _ := r.Menu().Item(l.MenuItemID) // the quote was computed from this menu
		ql := &model.QuoteLine{MenuItem: toMenuItem(it, r.ID()), Name: l.Name,
			Quantity: int64(l.Quantity), Options: []*model.QuotedOption{}, UnitPrice: money(l.UnitPrice),
			LineTotal: money(l.LineTotal), Available: l.Available, UnavailableReason: optional(l.UnavailableReason)}
		for _, o := range l.Options {
			ql.Options = append(ql.Options, &model.QuotedOption{ID: o.ID, Name: o.Name, GroupID: o.GroupID, PriceDelta: money(o.PriceDelta)})
		}
		out.Lines = append(out.Lines, ql)
	}
	return out
}

func fromHours(in *model.OpeningHoursInput) domain.HoursDraft {
	d := domain.HoursDraft{TimeZone: in.TimeZone, Days: map[time.Weekday][]domain.RangeDraft{}}
	for _, day := range in.Days {
		wd := toWeekday(day.Day)
		for _, r := range day.Ranges {
			d.Days[wd] = append(d.Days[wd], domain.RangeDraft{Open: r.Open, Close: r.Close})
		}
	}
	return d
}

func fromAddress(in *model.AddressInput) domain.Address {
	return domain.Address{Line1: in.Line1, Line2: deref(in.Line2), City: in.City,
		PostalCode: deref(in.PostalCode), Country: deref(in.Country)}
}

func fromCreate(in model.CreateRestaurantInput) domain.ProfileDraft {
	d := domain.ProfileDraft{Name: in.Name, Description: deref(in.Description), Cuisines: in.Cuisines,
		PriceLevel: int(in.PriceLevel), PrepTimeMinutes: int(in.PrepTimeMinutes), Currency: in.Currency}
	if in.Address != nil {
		d.Address = fromAddress(in.Address)
	}
	if in.Location != nil {
		d.Lat, d.Lng = in.Location.Lat, in.Location.Lng
	}
	if in.OpeningHours != nil {
		d.Hours = fromHours(in.OpeningHours)
	}
	return d
}

func fromUpdate(in model.UpdateRestaurantInput) app.ProfilePatch {
	p := app.ProfilePatch{Name: in.Name, Description: in.Description, Cuisines: in.Cuisines, Currency: in.Currency}
	if in.Address != nil {
		a := fromAddress(in.Address)
		p.Address = &a
	}
	if in.Location != nil {
		p.Lat, p.Lng = &in.Location.Lat, &in.Location.Lng
	}
	if in.OpeningHours != nil {
		h := fromHours(in.OpeningHours)
		p.Hours = &h
	}
	if in.PriceLevel != nil {
		v := int(*in.PriceLevel)
		p.PriceLevel = &v
	}
	if in.PrepTimeMinutes != nil {
		v := int(*in.PrepTimeMinutes)
		p.PrepTimeMinutes = &v
	}
	return p
}

func fromMenu(in model.MenuInput) domain.MenuDraft {
	d := domain.MenuDraft{}
	for _, c := range in.Categories {
		cd := domain.CategoryDraft{ID: deref(c.ID), Name: c.Name}
		for _, it := range c.Items {
			id := domain.ItemDraft{ID: deref(it.ID), Name: it.Name, Description: deref(it.Description),
				Available: it.Available == nil || *it.Available, Tags: it.Tags, ImageURL: deref(it.ImageURL)}
			if it.Price != nil {
				id.PriceMinor, id.Currency = it.Price.AmountMinor, it.Price.Currency
			}
			for _, g := range it.OptionGroups {
				gd := domain.OptionGroupDraft{ID: deref(g.ID), Name: g.Name, MinChoices: clampInt(g.MinChoices), MaxChoices: clampInt(g.MaxChoices)}
				for _, o := range g.Options {
					od := domain.OptionDraft{ID: deref(o.ID), Name: o.Name, Available: o.Available == nil || *o.Available}
					if o.PriceDelta != nil {
						od.PriceDeltaMinor, od.Currency = o.PriceDelta.AmountMinor, o.PriceDelta.Currency
					}
					gd.Options = append(gd.Options, od)
				}
				id.OptionGroups = append(id.OptionGroups, gd)
			}
			cd.Items = append(cd.Items, id)
		}
		d.Categories = append(d.Categories, cd)
	}
	return d
}

// clampInt narrows an Int input to int without wrapping around: on 64-bit platforms
// every value is kept as sent, so a refusal quotes what the client really sent (a
// quantity of 2147483647 is reported as such, not as a smaller clamped number).
func clampInt(v int64) int {
	switch {
	case v > math.MaxInt:
		return math.MaxInt
	case v < math.MinInt:
		return math.MinInt
	}
	return int(v)
}

func fromQuoteLines(in []*model.QuoteLineInput) []domain.QuoteLine {
	out := make([]domain.QuoteLine, len(in))
	for i, l := range in {
		out[i] = domain.QuoteLine{MenuItemID: l.MenuItemID, Quantity: clampInt(l.Quantity), OptionIDs: l.OptionIds}
	}
	return out
}

func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("restaurant:" + id))
}

func decodeCursor(c string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", false
	}
	return strings.CutPrefix(string(b), "restaurant:")
}
