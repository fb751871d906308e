package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/search/domain"
)

// UndecodableError is an event no retry can apply (bad payload); consumers park it on
// the dead-letter topic.
type UndecodableError struct{ Err error }

func (e UndecodableError) Error() string { return "undecodable event: " + e.Err.Error() }
func (e UndecodableError) Unwrap() error { return e.Err }

// Projection applies restaurant events to an index. Applying an event twice, or an
// older event after a newer one, changes nothing: each half of the document (profile,
// menu) keeps the version of the event that set it.
type Projection struct {
	idx     Index
	metrics Metrics
	now     func() time.Time
}

// NewProjection projects into idx; metrics may be nil.
func NewProjection(idx Index, metrics Metrics) (*Projection, error) {
	if idx == nil {
		return nil, errors.New("projection: index is required")
	}
	if metrics == nil {
		metrics = noMetrics{}
	}
	return &Projection{idx: idx, metrics: metrics, now: time.Now}, nil
}

var weekdays = map[string]time.Weekday{"SUNDAY": time.Sunday, "MONDAY": time.Monday, "TUESDAY": time.Tuesday,
	"WEDNESDAY": time.Wednesday, "THURSDAY": time.Thursday, "FRIDAY": time.Friday, "SATURDAY": time.Saturday}

// profileOf reads restaurant.updated by its envelope version: v1 carries the name,
// cuisines, open flag and location; v2 adds price level, rating, dietary and promotion
// tags, the pause switch and weekly hours in the restaurant's time zone. A version above
// 2 decodes as v2 (versions only add optional fields).
func profileOf(e events.Envelope) (string, domain.Profile, time.Time, error) {
	if e.Version < 2 {
		var v1 contracts.RestaurantUpdatedV1
		if err := e.Decode(&v1); err != nil {
			return "", domain.Profile{}, time.Time{}, err
		}
		return v1.RestaurantID, domain.Profile{Name: v1.Name, Cuisines: v1.Cuisines, IsOpen: v1.IsOpen,
			Location: domain.GeoPoint{Lat: v1.Lat, Lon: v1.Lng}}, v1.UpdatedAt, nil
	}
	var v2 contracts.RestaurantUpdatedV2
	if err := e.Decode(&v2); err != nil {
		return "", domain.Profile{}, time.Time{}, err
	}
	p := domain.Profile{
		Name: v2.Name, Cuisines: v2.Cuisines, IsOpen: v2.IsOpen && !v2.Paused,
		Location:   domain.GeoPoint{Lat: v2.Lat, Lon: v2.Lng},
		PriceLevel: v2.PriceLevel, Rating: v2.Rating, Dietary: v2.DietaryTags, Tags: v2.Tags,
	}
	hours, err := weeklyHours(v2.TimeZone, v2.OpeningHours)
	if err != nil {
		return "", domain.Profile{}, time.Time{}, fmt.Errorf("event %s: %w", e.ID, err)
	}
	p.Hours = hours
	return v2.RestaurantID, p, v2.UpdatedAt, nil
}

// weeklyHours reads opening spans in zone; no spans means hours unknown.
func weeklyHours(zone string, spans []contracts.OpeningSpan) (domain.WeeklyHours, error) {
	var h domain.WeeklyHours
	if len(spans) == 0 {
		return h, nil
	}
	h.Zone = time.UTC
	if zone != "" {
		z, err := time.LoadLocation(zone)
		if err != nil {
			return h, fmt.Errorf("time zone %q: %w", zone, err)
		}
		h.Zone = z
	}
	for _, d := range spans {
		day, ok := weekdays[strings.ToUpper(d.Day)]
		if !ok {
			return h, fmt.Errorf("opening hours: day %q", d.Day)
		}
		o, err := domain.ParseClock(d.Open)
		if err != nil {
			return h, err
		}
		c, err := domain.ParseClock(d.Close)
		if err != nil {
			return h, err
		}
		h.Ranges = append(h.Ranges, domain.DayRange{Day: day, Open: o, Close: c})
	}
	return h, nil
}

// change is what one event does to one document.
type change struct {
	id    string
	apply func(*domain.Restaurant) error
}

// decode reads e into the change it makes; ok is false for event types search does not
// project. A payload no retry can apply is an UndecodableError.
func decode(e events.Envelope) (c change, ok bool, err error) {
	switch e.Type {
	case contracts.TypeRestaurantUpdated:
		id, prof, updatedAt, err := profileOf(e)
		if err != nil {
			return c, true, UndecodableError{err}
		}
		version := updatedAt.UnixNano()
		if updatedAt.IsZero() {
			version = e.Time.UnixNano()
		}
		c = change{id: id, apply: func(r *domain.Restaurant) error { return r.ApplyProfile(prof, version, e.Time) }}
	case contracts.TypeRestaurantMenuUpdate:
		var ev contracts.RestaurantMenuUpdateV1
		if err := e.Decode(&ev); err != nil {
			return c, true, UndecodableError{err}
		}
		dishes := make([]domain.Dish, 0, len(ev.Items))
		for _, it := range ev.Items {
			dishes = append(dishes, domain.Dish{ID: it.MenuItemID, Name: it.Name, Description: it.Description,
				PriceMinor: it.Price.AmountMinor, Currency: it.Price.Currency, Available: it.Available, Tags: it.Tags})
		}
		c = change{id: ev.RestaurantID, apply: func(r *domain.Restaurant) error { return r.ApplyMenu(dishes, ev.MenuVersion, e.Time) }}
	default:
		return c, false, nil
	}
	if c.id == "" {
		c.id = e.Subject
	}
	return c, true, nil
}

// Handle applies e. Event types it does not project are ignored; a stale event is done.
func (p *Projection) Handle(ctx context.Context, e events.Envelope) error {
	c, ok, err := decode(e)
	switch {
	case err != nil:
		return err
	case !ok:
		p.metrics.Projected(e.Type, "ignored", 0)
		return nil
	}
	id, apply := c.id, c.apply
	err = p.idx.Update(ctx, id, func(cur *domain.Restaurant) (*domain.Restaurant, error) {
		if cur == nil {
			var err error
			if cur, err = domain.NewRestaurant(id); err != nil {
				return nil, err
			}
		}
		return cur, apply(cur)
	})
	switch {
	case errors.Is(err, domain.ErrStale):
		p.metrics.Projected(e.Type, "stale", 0)
		return nil
	case err != nil:
		if errors.Is(err, domain.ErrInvalidEvent) {
			return UndecodableError{err}
		}
		return fmt.Errorf("project %s %s: %w", e.Type, e.ID, err)
	}
	p.metrics.Projected(e.Type, "applied", p.now().Sub(e.Time))
	return nil
}

// HandleBatch applies evs as Handle applies each, in one index write when the index is a
// BatchIndex: the events of one restaurant apply in order to its document, which is
// written once. The result has one entry per event: nil when done (applied, stale or
// ignored), an UndecodableError when no retry helps, another error when a retry may.
func (p *Projection) HandleBatch(ctx context.Context, evs []events.Envelope) []error {
	out := make([]error, len(evs))
	bi, ok := p.idx.(BatchIndex)
	if !ok {
		for i, e := range evs {
			out[i] = p.Handle(ctx, e)
		}
		return out
	}
	changes := map[string][]int{} // restaurant id -> indexes into evs, in order
	var ids []string
	decoded := make([]change, len(evs))
	for i, e := range evs {
		c, ok, err := decode(e)
		switch {
		case err != nil:
			out[i] = err
			continue
		case !ok:
			p.metrics.Projected(e.Type, "ignored", 0)
			continue
		}
		decoded[i] = c
		if _, seen := changes[c.id]; !seen {
			ids = append(ids, c.id)
		}
		changes[c.id] = append(changes[c.id], i)
	}
	if len(ids) == 0 {
		return out
	}
	// outcomes[i]: what applying evs[i] did on the last call of fn for its document
	// (fn runs again when a concurrent write wins, so each call starts afresh).
	outcomes := make([]error, len(evs))
	failed, err := bi.UpdateMany(ctx, ids, func(id string, cur *domain.Restaurant) (*domain.Restaurant, error) {
		if cur == nil {
			var err error
			if cur, err = domain.NewRestaurant(id); err != nil {
				return nil, err
			}
		}
		applied := false
		for _, i := range changes[id] {
			outcomes[i] = decoded[i].apply(cur)
			applied = applied || outcomes[i] == nil
		}
		if !applied {
			return nil, domain.ErrStale
		}
		return cur, nil
	})
	now := p.now()
	for _, id := range ids {
		docErr := err
		if docErr == nil {
			docErr = failed[id]
		}
		for _, i := range changes[id] {
			e := evs[i]
			switch {
			case docErr != nil && !errors.Is(docErr, domain.ErrStale):
				if errors.Is(docErr, domain.ErrInvalidEvent) {
					out[i] = UndecodableError{docErr}
				} else {
					out[i] = fmt.Errorf("project %s %s: %w", e.Type, e.ID, docErr)
				}
			case errors.Is(outcomes[i], domain.ErrStale) || (outcomes[i] == nil && docErr != nil):
				p.metrics.Projected(e.Type, "stale", 0)
			case errors.Is(outcomes[i], domain.ErrInvalidEvent):
				out[i] = UndecodableError{outcomes[i]}
			case outcomes[i] != nil:
				out[i] = fmt.Errorf("project %s %s: %w", e.Type, e.ID, outcomes[i])
			default:
				p.metrics.Projected(e.Type, "applied", now.Sub(e.Time))
			}
		}
	}
	return out
}
