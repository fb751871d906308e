package domain

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// GeoPoint is a WGS84 position.
type GeoPoint struct {
	Lat, Lng float64
}

// NewGeoPoint checks the coordinate ranges.
func NewGeoPoint(lat, lng float64) (GeoPoint, error) {
	switch {
	case math.IsNaN(lat) || lat < -90 || lat > 90:
		return GeoPoint{}, invalid("location.lat", "must be between -90 and 90, got %g", lat)
	case math.IsNaN(lng) || lng < -180 || lng > 180:
		return GeoPoint{}, invalid("location.lng", "must be between -180 and 180, got %g", lng)
	}
	return GeoPoint{Lat: lat, Lng: lng}, nil
}

// Address is a postal address as shown to customers and drivers.
type Address struct {
	Line1, Line2, City, PostalCode, Country string
}

// Rating is the average of customer ratings (1 to 5) and how many there are.
type Rating struct {
	Average float64
	Count   int
}

// Profile is everything about a restaurant except its menu and its pause switch.
type Profile struct {
	Name            string
	Description     string
	Cuisines        []string
	Address         Address
	Location        GeoPoint
	Hours           OpeningHours
	PriceLevel      int
	PrepTimeMinutes int
	Currency        string
	// DietaryTags are what the whole kitchen caters for (DietaryTagSet), lower case.
	DietaryTags []string
	// Tags are the platform's promotion tags ("DizhTime Special"), as written.
	Tags []string
}

// ProfileDraft is a profile as submitted; NewProfile validates it.
type ProfileDraft struct {
	Name            string
	Description     string
	Cuisines        []string
	Address         Address
	Lat, Lng        float64
	Hours           HoursDraft
	PriceLevel      int
	PrepTimeMinutes int
	Currency        string
	DietaryTags     []string
	Tags            []string
}

// DietaryTagSet is every dietary tag a restaurant may carry: search filters on these
// exact words, so free text would split one diet into several spellings.
var DietaryTagSet = []string{"vegan", "vegetarian", "halal", "kosher", "gluten-free", "dairy-free", "nut-free"}

// PromotionTagSpecial is the platform's promotion tag search ranks up.
const PromotionTagSpecial = "DizhTime Special"

// MaxProfileTags bounds the dietary tags and the promotion tags, each.
const MaxProfileTags = 10

// HoursDraft is a weekly schedule as submitted: "HH:MM" strings per weekday.
type HoursDraft struct {
	TimeZone string
	Days     map[time.Weekday][]RangeDraft
}

// RangeDraft is one "HH:MM"-"HH:MM" range.
type RangeDraft struct{ Open, Close string }

// MaxCuisines bounds a restaurant's cuisine list.
const MaxCuisines = 10

// NewProfile validates d.
func NewProfile(d ProfileDraft) (Profile, error) {
	var err error
	p := Profile{PriceLevel: d.PriceLevel, PrepTimeMinutes: d.PrepTimeMinutes, Address: d.Address}
	if p.Name, err = name(d.Name); err != nil {
		return Profile{}, err
	}
	if p.Description, err = description(d.Description); err != nil {
		return Profile{}, err
	}
	if len(d.Cuisines) == 0 || len(d.Cuisines) > MaxCuisines {
		return Profile{}, invalid("cuisines", "list 1 to %d cuisines, got %d", MaxCuisines, len(d.Cuisines))
	}
	for _, c := range d.Cuisines {
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" || len(c) > 40 {
			return Profile{}, invalid("cuisines", "a cuisine has 1 to 40 characters, got %q", c)
		}
		if !contains(p.Cuisines, c) {
			p.Cuisines = append(p.Cuisines, c)
		}
	}
	if strings.TrimSpace(d.Address.Line1) == "" || strings.TrimSpace(d.Address.City) == "" {
		return Profile{}, invalid("address", "line1 and city are required")
	}
	if p.Location, err = NewGeoPoint(d.Lat, d.Lng); err != nil {
		return Profile{}, err
	}
	if p.Hours, err = NewHoursFromDraft(d.Hours); err != nil {
		return Profile{}, prefixed("openingHours", err)
	}
	if d.PriceLevel < 1 || d.PriceLevel > 4 {
		return Profile{}, invalid("priceLevel", "must be 1 to 4, got %d", d.PriceLevel)
	}
	if d.PrepTimeMinutes < 1 || d.PrepTimeMinutes > 240 {
		return Profile{}, invalid("prepTimeMinutes", "must be 1 to 240, got %d", d.PrepTimeMinutes)
	}
	if p.Currency, err = ParseCurrency(d.Currency); err != nil {
		return Profile{}, err
	}
	if len(d.DietaryTags) > MaxProfileTags {
		return Profile{}, invalid("dietaryTags", "list at most %d dietary tags, got %d", MaxProfileTags, len(d.DietaryTags))
	}
	for _, t := range d.DietaryTags {
		t = strings.ToLower(strings.TrimSpace(t))
		if !contains(DietaryTagSet, t) {
			return Profile{}, invalid("dietaryTags", "%q is not one of %s", t, strings.Join(DietaryTagSet, ", "))
		}
		if !contains(p.DietaryTags, t) {
			p.DietaryTags = append(p.DietaryTags, t)
		}
	}
	if len(d.Tags) > MaxProfileTags {
		return Profile{}, invalid("tags", "list at most %d tags, got %d", MaxProfileTags, len(d.Tags))
	}
	for _, t := range d.Tags {
		t = strings.TrimSpace(t)
		if t == "" || len([]rune(t)) > 40 {
			return Profile{}, invalid("tags", "a tag has 1 to 40 characters, got %q", t)
		}
		if !contains(p.Tags, t) {
			p.Tags = append(p.Tags, t)
		}
	}
	return p, nil
}

// NewHoursFromDraft parses a submitted schedule.
func NewHoursFromDraft(d HoursDraft) (OpeningHours, error) {
	days := map[time.Weekday][]TimeRange{}
	for day := time.Sunday; day <= time.Saturday; day++ { // in order: the first bad day is reported
		for i, rd := range d.Days[day] {
			r, err := ParseTimeRange(rd.Open, rd.Close)
			if err != nil {
				return OpeningHours{}, prefixed(fmt.Sprintf("days.%s[%d]", strings.ToUpper(day.String()), i), err)
			}
			days[day] = append(days[day], r)
		}
	}
	for day := range d.Days {
		if day < time.Sunday || day > time.Saturday {
			return OpeningHours{}, invalid("days", "weekday %d does not exist", day)
		}
	}
	return NewOpeningHours(d.TimeZone, days)
}

// NewEditedHours parses a schedule from the hours editor (setOpeningHours): as
// NewHoursFromDraft, and an overnight range may not run past the next day's first
// opening either. Profiles written before (and their create/update paths) keep the
// looser rule, so stored restaurants still load.
func NewEditedHours(d HoursDraft) (OpeningHours, error) {
	h, err := NewHoursFromDraft(d)
	if err != nil {
		return OpeningHours{}, err
	}
	return h, h.checkOvernightSpill()
}

// Draft returns the draft that rebuilds p.
func (p Profile) Draft() ProfileDraft {
	d := ProfileDraft{Name: p.Name, Description: p.Description, Cuisines: p.Cuisines, Address: p.Address,
		Lat: p.Location.Lat, Lng: p.Location.Lng, PriceLevel: p.PriceLevel, PrepTimeMinutes: p.PrepTimeMinutes,
		Currency: p.Currency, DietaryTags: p.DietaryTags, Tags: p.Tags, Hours: HoursDraft{TimeZone: p.Hours.Zone(), Days: map[time.Weekday][]RangeDraft{}}}
	for day := time.Sunday; day <= time.Saturday; day++ {
		for _, r := range p.Hours.Day(day) {
			d.Hours.Days[day] = append(d.Hours.Days[day], RangeDraft{Open: r.OpenClock(), Close: r.CloseClock()})
		}
	}
	return d
}

// Restaurant is the aggregate: profile, pause switch and menu. Version counts every
// change (the repository compares it); the menu has its own version for editors.
type Restaurant struct {
	id          string
	ownerID     string
	profile     Profile
	paused      bool
	pauseReason string
	rating      Rating
	menu        Menu
	hoursEdit   HoursEdit
	version     int64
	createdAt   time.Time
	updatedAt   time.Time

	profileChanged, menuChanged bool
}

// NewRestaurant opens a restaurant with an empty menu in its currency.
func NewRestaurant(id, ownerID string, p Profile, now time.Time) (*Restaurant, error) {
	if id == "" || ownerID == "" {
		return nil, fmt.Errorf("new restaurant: id and owner are required")
	}
	return &Restaurant{
		id: id, ownerID: ownerID, profile: p,
		menu:      Menu{Currency: p.Currency, Version: 1},
		hoursEdit: HoursEdit{Version: 1},
		version:   1,
		createdAt: now.UTC(), updatedAt: now.UTC(),
		profileChanged: true, menuChanged: true,
	}, nil
}

func (r *Restaurant) ID() string                { return r.id }
func (r *Restaurant) OwnerID() string           { return r.ownerID }
func (r *Restaurant) Profile() Profile          { return r.profile }
func (r *Restaurant) Paused() bool              { return r.paused }
func (r *Restaurant) PauseReason() string       { return r.pauseReason }
func (r *Restaurant) Rating() Rating            { return r.rating }
func (r *Restaurant) Menu() Menu                { return r.menu }
func (r *Restaurant) Version() int64            { return r.version }
func (r *Restaurant) HoursEdit() HoursEdit      { return r.hoursEdit }
func (r *Restaurant) CreatedAt() time.Time      { return r.createdAt }
func (r *Restaurant) UpdatedAt() time.Time      { return r.updatedAt }
func (r *Restaurant) ProfileChanged() bool      { return r.profileChanged }
func (r *Restaurant) MenuChanged() bool         { return r.menuChanged }
func (r *Restaurant) IsOpenAt(t time.Time) bool { return !r.paused && r.profile.Hours.OpenAt(t) }

// UpdateProfile replaces the profile. The currency may change only while the menu is
// empty: existing prices would otherwise silently change meaning.
func (r *Restaurant) UpdateProfile(p Profile, now time.Time) error {
	if p.Currency != r.profile.Currency && len(r.menu.ItemIDs()) > 0 {
		return invalid("currency", "cannot change from %s to %s while the menu has items", r.profile.Currency, p.Currency)
	}
	if !p.Hours.Equal(r.profile.Hours) {
		r.hoursEdit = HoursEdit{Version: r.hoursEdit.Version + 1}
	}
	r.profile = p
	r.menu.Currency = p.Currency
	r.touch(now, true, false)
	return nil
}

// SetOpeningHours replaces the weekly hours (and their zone) edited against the hours'
// expectedVersion; a stale one is a StaleVersionError naming who made the current hours.
// The same schedule again changes nothing.
func (r *Restaurant) SetOpeningHours(expectedVersion int64, h OpeningHours, now time.Time) error {
	if expectedVersion != r.hoursEdit.Version {
		return &StaleVersionError{What: "the opening hours", Expected: expectedVersion, Current: r.hoursEdit.Version,
			EditedBy: r.hoursEdit.EditedBy, EditedAt: r.hoursEdit.EditedAt}
	}
	if h.Equal(r.profile.Hours) {
		return nil
	}
	r.profile.Hours = h
	r.hoursEdit = HoursEdit{Version: r.hoursEdit.Version + 1}
	r.touch(now, true, false)
	return nil
}

// StampHoursEdit records who made the hours' current version, and when.
func (r *Restaurant) StampHoursEdit(editorID string, now time.Time) {
	r.hoursEdit.EditedBy, r.hoursEdit.EditedAt = editorID, now.UTC()
}

// SetRating records the current rating summary (from reviews; seeded in demo data).
func (r *Restaurant) SetRating(rt Rating, now time.Time) error {
	if rt.Count < 0 || (rt.Count > 0 && (rt.Average < 1 || rt.Average > 5)) {
		return invalid("rating", "average must be 1 to 5 with a non-negative count")
	}
	r.rating = rt
	r.touch(now, true, false)
	return nil
}

// Pause stops new orders regardless of the opening hours until Resume.
func (r *Restaurant) Pause(reason string, now time.Time) error {
	reason, err := description(reason)
	if err != nil {
		return prefixed("reason", err)
	}
	r.paused, r.pauseReason = true, reason
	r.touch(now, true, false)
	return nil
}

// Resume lifts a pause; the opening hours decide again.
func (r *Restaurant) Resume(now time.Time) {
	r.paused, r.pauseReason = false, ""
	r.touch(now, true, false)
}

func (r *Restaurant) checkMenuVersion(expected int64) error {
	if expected != r.menu.Version {
		return &StaleVersionError{What: "the menu", Expected: expected, Current: r.menu.Version,
			EditedBy: r.menu.EditedBy, EditedAt: r.menu.EditedAt}
	}
	return nil
}

// ReplaceMenu installs a whole new menu edited against expectedVersion.
func (r *Restaurant) ReplaceMenu(expectedVersion int64, d MenuDraft, newID IDSource, now time.Time) error {
	if err := r.checkMenuVersion(expectedVersion); err != nil {
		return err
	}
	m, err := NewMenu(d, r.profile.Currency, r.menu.IDs(), newID)
	if err != nil {
		return prefixed("menu", err)
	}
	m.Version = r.menu.Version + 1
	r.menu = m
	r.touch(now, false, true)
	return nil
}

// PriceChange sets the price of an item or the delta of an option (by id).
type PriceChange struct {
	ID          string
	AmountMinor int64
	Currency    string
}

// ChangePrices applies changes, all or none, against expectedVersion.
func (r *Restaurant) ChangePrices(expectedVersion int64, changes []PriceChange, now time.Time) error {
	if err := r.checkMenuVersion(expectedVersion); err != nil {
		return err
	}
	if len(changes) == 0 {
		return invalid("changes", "list at least one price change")
	}
	d := r.menu.Draft()
	for i, c := range changes {
		if !applyPrice(&d, c) {
			return invalid(fmt.Sprintf("changes[%d].id", i), "%q is not an item or option of this menu", c.ID)
		}
		if _, err := priceIn(c.AmountMinor, c.Currency, r.profile.Currency); err != nil {
			return prefixed(fmt.Sprintf("changes[%d].price", i), err)
		}
	}
	m, err := NewMenu(d, r.profile.Currency, r.menu.IDs(), func() string { panic("a price change adds no entries") })
	if err != nil {
		return err
	}
	m.Version = r.menu.Version + 1
	r.menu = m
	r.touch(now, false, true)
	return nil
}

func applyPrice(d *MenuDraft, c PriceChange) bool {
	for ci := range d.Categories {
		for ii := range d.Categories[ci].Items {
			it := &d.Categories[ci].Items[ii]
			if it.ID == c.ID {
				it.PriceMinor, it.Currency = c.AmountMinor, c.Currency
				return true
			}
			for gi := range it.OptionGroups {
				for oi := range it.OptionGroups[gi].Options {
					o := &it.OptionGroups[gi].Options[oi]
					if o.ID == c.ID {
						o.PriceDeltaMinor, o.Currency = c.AmountMinor, c.Currency
						return true
					}
				}
			}
		}
	}
	return false
}

// StampMenuEdit records who made the menu's current version, and when.
func (r *Restaurant) StampMenuEdit(editorID string, now time.Time) {
	r.menu.EditedBy, r.menu.EditedAt = editorID, now.UTC()
}

// SetItemAvailability marks an item sold out (false) or back (true). It needs no
// expected version: staff flip it in the rush, and it cannot undo anyone's edit.
func (r *Restaurant) SetItemAvailability(itemID string, available bool, now time.Time) error {
	it := r.menu.item(itemID)
	if it == nil {
		return ErrNotFound
	}
	if it.Available == available {
		return nil
	}
	it.Available = available
	r.menu.Version++
	r.touch(now, false, true)
	return nil
}

func (r *Restaurant) touch(now time.Time, profile, menu bool) {
	r.updatedAt = now.UTC()
	r.profileChanged = r.profileChanged || profile
	r.menuChanged = r.menuChanged || menu
}

// Snapshot is the restaurant's state for persistence.
type Snapshot struct {
	ID, OwnerID          string
	Profile              Profile
	Paused               bool
	PauseReason          string
	Rating               Rating
	Menu                 Menu
	HoursEdit            HoursEdit
	Version              int64
	CreatedAt, UpdatedAt time.Time
}

// Snapshot returns r's state.
func (r *Restaurant) Snapshot() Snapshot {
	return Snapshot{ID: r.id, OwnerID: r.ownerID, Profile: r.profile, Paused: r.paused, PauseReason: r.pauseReason,
		Rating: r.rating, Menu: r.menu, HoursEdit: r.hoursEdit, Version: r.version, CreatedAt: r.createdAt, UpdatedAt: r.updatedAt}
}

// RestoreRestaurant rebuilds a stored restaurant; the repository has validated it when
// it was written, so only structural checks run here.
func RestoreRestaurant(s Snapshot) (*Restaurant, error) {
	if s.ID == "" || s.OwnerID == "" {
		return nil, fmt.Errorf("restore restaurant: id and owner are required")
	}
	he := s.HoursEdit
	if he.Version < 1 { // stored before the hours had their own version
		he.Version = 1
	}
	return &Restaurant{id: s.ID, ownerID: s.OwnerID, profile: s.Profile, paused: s.Paused, pauseReason: s.PauseReason,
		rating: s.Rating, menu: s.Menu, hoursEdit: he, version: s.Version, createdAt: s.CreatedAt, updatedAt: s.UpdatedAt}, nil
}
