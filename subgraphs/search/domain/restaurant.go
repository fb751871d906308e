package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrStale is returned when an event is not newer than what the document already holds:
// a duplicate or an event overtaken by a later one. Projections treat it as done.
var ErrStale = errors.New("event is not newer than the indexed document")

// ErrInvalidEvent is an event whose content the read model refuses (no retry helps).
var ErrInvalidEvent = errors.New("invalid restaurant event")

// PromotedTag marks a restaurant the platform promotes in relevance ("DizhTime Special").
const PromotedTag = "DizhTime Special"

// GeoPoint is a WGS84 position.
type GeoPoint struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Valid reports whether p is a position on Earth.
func (p GeoPoint) Valid() bool { return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180 }

// Dish is one item of a restaurant's menu, as searched.
type Dish struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	PriceMinor  int64    `json:"price_minor"`
	Currency    string   `json:"currency"`
	Available   bool     `json:"available"`
	Tags        []string `json:"tags,omitempty"`
}

// Profile is what restaurant.updated says about a restaurant.
type Profile struct {
	Name       string
	Cuisines   []string
	IsOpen     bool
	Location   GeoPoint
	PriceLevel int     // 1..4, 0 when unknown
	Rating     float64 // 0..5, 0 when unrated
	Dietary    []string
	Tags       []string
	Hours      WeeklyHours // nil: hours unknown, IsOpen alone decides
}

// Restaurant is the indexed document: a restaurant's profile and menu, each carrying the
// version of the event that last set it. The two parts arrive on different topics, so
// each is versioned on its own.
type Restaurant struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Cuisines []string `json:"cuisines"`
	IsOpen   bool     `json:"is_open"`
	// Listed is false until the profile arrives (a menu can come first).
	Listed     bool     `json:"listed"`
	Location   GeoPoint `json:"location"`
	PriceLevel int      `json:"price_level"`
	Rating     float64  `json:"rating"`
	Dietary    []string `json:"dietary"`
	Tags       []string `json:"tags"`
	Promoted   bool     `json:"promoted"`
	// OpenMinutes are the UTC minute-of-week ranges the restaurant is open in.
	OpenMinutes []MinuteRange `json:"open_minutes"`
	// Keywords is cuisines, tags and dietary tags as free text, so words like "vegan"
	// or "sushi" find the restaurant.
	Keywords string `json:"keywords"`
	Dishes   []Dish `json:"dishes"`

	ProfileVersion int64 `json:"profile_version"`
	MenuVersion    int64 `json:"menu_version"`
	// EventTime is when the newest applied event happened (for freshness).
	EventTime time.Time `json:"event_time"`
}

// NewRestaurant is an empty, unlisted document for id.
func NewRestaurant(id string) (*Restaurant, error) {
	if strings.TrimSpace(id) == "" {
		return nil, fmt.Errorf("%w: restaurant id is required", ErrInvalidEvent)
	}
	return &Restaurant{ID: id}, nil
}

// ApplyProfile sets the profile from an event at version (the event's updated_at in
// nanoseconds); it refuses with ErrStale when the document already has that version or
// a newer one.
func (r *Restaurant) ApplyProfile(p Profile, version int64, at time.Time) error {
	if version <= r.ProfileVersion {
		return ErrStale
	}
	if !p.Location.Valid() {
		return fmt.Errorf("%w: restaurant %s: location %+v is not on Earth", ErrInvalidEvent, r.ID, p.Location)
	}
	if p.PriceLevel < 0 || p.PriceLevel > 4 {
		return fmt.Errorf("%w: restaurant %s: price level %d is not 0..4", ErrInvalidEvent, r.ID, p.PriceLevel)
	}
	if p.Rating < 0 || p.Rating > 5 {
		return fmt.Errorf("%w: restaurant %s: rating %v is not 0..5", ErrInvalidEvent, r.ID, p.Rating)
	}
	r.Name = p.Name
	r.Cuisines = normalized(p.Cuisines)
	r.IsOpen = p.IsOpen
	r.Listed = true
	r.Location = p.Location
	r.PriceLevel = p.PriceLevel
	r.Rating = p.Rating
	r.Dietary = normalized(p.Dietary)
	r.Tags = slices.Clone(p.Tags)
	r.Promoted = slices.ContainsFunc(p.Tags, func(t string) bool { return strings.EqualFold(t, PromotedTag) })
	r.OpenMinutes = p.Hours.UTCRanges()
	r.Keywords = strings.Join(append(append(slices.Clone(r.Cuisines), r.Dietary...), r.Tags...), " ")
	r.ProfileVersion = version
	r.touch(at)
	return nil
}

// ApplyMenu replaces the menu with the one from an event at version (menu_version).
func (r *Restaurant) ApplyMenu(dishes []Dish, version int64, at time.Time) error {
	if version <= r.MenuVersion {
		return ErrStale
	}
	r.Dishes = slices.Clone(dishes)
	for i := range r.Dishes {
		r.Dishes[i].Tags = normalized(r.Dishes[i].Tags)
	}
	r.MenuVersion = version
	r.touch(at)
	return nil
}

func (r *Restaurant) touch(at time.Time) {
	if at.After(r.EventTime) {
		r.EventTime = at.UTC()
	}
}

// normalized lower-cases and trims tags and drops empty and repeated ones, so filters
// and facets compare exactly.
func normalized(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Normalize is the form tags and cuisines are indexed and filtered in.
func Normalize(tags []string) []string { return normalized(tags) }
