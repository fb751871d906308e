package adapters

import (
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// restaurantDoc is one restaurant with its whole menu: the menu is read and written with
// its restaurant (quotes, edits) and is bounded by domain limits, so one document keeps
// each change atomic without multi-document transactions (which FerretDB lacks).
//
// The menu is stored as one BSON-encoded binary field rather than as nested documents:
// FerretDB converts every nested field on every read (a 30-item menu took 15-35 ms per
// read against ~1 ms as a blob), and nothing queries inside a menu here: item lookups go
// through the menu-items collection and search keeps its own index.
type restaurantDoc struct {
	ID              string     `bson:"_id"`
	OwnerID         string     `bson:"owner_id"`
	Name            string     `bson:"name"`
	Description     string     `bson:"description"`
	Cuisines        []string   `bson:"cuisines"`
	Address         addressDoc `bson:"address"`
	Lat             float64    `bson:"lat"`
	Lng             float64    `bson:"lng"`
	Hours           hoursDoc   `bson:"hours"`
	PriceLevel      int        `bson:"price_level"`
	PrepTimeMinutes int        `bson:"prep_time_minutes"`
	Currency        string     `bson:"currency"`
	DietaryTags     []string   `bson:"dietary_tags"`
	Tags            []string   `bson:"tags"`
	Paused          bool       `bson:"paused"`
	PauseReason     string     `bson:"pause_reason"`
	RatingAverage   float64    `bson:"rating_average"`
	RatingCount     int        `bson:"rating_count"`
	MenuVersion     int64      `bson:"menu_version"`
	// MenuBSON is menuDoc, BSON-encoded.
	MenuBSON  []byte    `bson:"menu_bson"`
	Version   int64     `bson:"version"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

type addressDoc struct {
	Line1      string `bson:"line1"`
	Line2      string `bson:"line2,omitempty"`
	City       string `bson:"city"`
	PostalCode string `bson:"postal_code,omitempty"`
	Country    string `bson:"country,omitempty"`
}

type hoursDoc struct {
	Zone string   `bson:"zone"`
	Days []dayDoc `bson:"days"`
	// Version counts edits of the hours (0 in documents stored before it: read as 1).
	Version  int64     `bson:"version"`
	EditedBy string    `bson:"edited_by,omitempty"`
	EditedAt time.Time `bson:"edited_at,omitempty"`
}

type dayDoc struct {
	Weekday int        `bson:"weekday"`
	Ranges  []rangeDoc `bson:"ranges"`
}

type rangeDoc struct {
	Open  int `bson:"open"`
	Close int `bson:"close"`
}

type menuDoc struct {
	Version    int64         `bson:"version"`
	Currency   string        `bson:"currency"`
	Categories []categoryDoc `bson:"categories"`
	EditedBy   string        `bson:"edited_by,omitempty"`
	EditedAt   time.Time     `bson:"edited_at,omitempty"`
}

type categoryDoc struct {
	ID    string    `bson:"id"`
	Name  string    `bson:"name"`
	Items []itemDoc `bson:"items"`
}

type itemDoc struct {
	ID           string     `bson:"id"`
	Name         string     `bson:"name"`
	Description  string     `bson:"description,omitempty"`
	PriceMinor   int64      `bson:"price_minor"`
	Available    bool       `bson:"available"`
	Tags         []string   `bson:"tags,omitempty"`
	ImageURL     string     `bson:"image_url,omitempty"`
	OptionGroups []groupDoc `bson:"option_groups,omitempty"`
}

type groupDoc struct {
	ID      string      `bson:"id"`
	Name    string      `bson:"name"`
	Min     int         `bson:"min"`
	Max     int         `bson:"max"`
	Options []optionDoc `bson:"options"`
}

type optionDoc struct {
	ID         string `bson:"id"`
	Name       string `bson:"name"`
	DeltaMinor int64  `bson:"delta_minor"`
	Available  bool   `bson:"available"`
}

func toDoc(r *domain.Restaurant) (restaurantDoc, error) {
	s := r.Snapshot()
	p := s.Profile
	d := restaurantDoc{
		ID: s.ID, OwnerID: s.OwnerID, Name: p.Name, Description: p.Description, Cuisines: p.Cuisines,
		Address: addressDoc{Line1: p.Address.Line1, Line2: p.Address.Line2, City: p.Address.City,
			PostalCode: p.Address.PostalCode, Country: p.Address.Country},
		Lat: p.Location.Lat, Lng: p.Location.Lng,
		Hours: hoursDoc{Zone: p.Hours.Zone(), Days: []dayDoc{},
			Version: s.HoursEdit.Version, EditedBy: s.HoursEdit.EditedBy, EditedAt: s.HoursEdit.EditedAt},
		PriceLevel: p.PriceLevel, PrepTimeMinutes: p.PrepTimeMinutes, Currency: p.Currency,
		DietaryTags: p.DietaryTags, Tags: p.Tags,
		Paused: s.Paused, PauseReason: s.PauseReason, RatingAverage: s.Rating.Average, RatingCount: s.Rating.Count,
		MenuVersion: s.Menu.Version, Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
	menu := menuDoc{Version: s.Menu.Version, Currency: s.Menu.Currency, Categories: []categoryDoc{}, EditedBy: s.Menu.EditedBy, EditedAt: s.Menu.EditedAt}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		if rs := p.Hours.Day(wd); len(rs) > 0 {
			day := dayDoc{Weekday: int(wd)}
			for _, r := range rs {
				day.Ranges = append(day.Ranges, rangeDoc{Open: r.Open, Close: r.Close})
			}
			d.Hours.Days = append(d.Hours.Days, day)
		}
	}
	for _, c := range s.Menu.Categories {
		cd := categoryDoc{ID: c.ID, Name: c.Name, Items: []itemDoc{}}
		for _, it := range c.Items {
			id := itemDoc{ID: it.ID, Name: it.Name, Description: it.Description, PriceMinor: it.Price.AmountMinor,
				Available: it.Available, Tags: it.Tags, ImageURL: it.ImageURL}
			for _, g := range it.OptionGroups {
				gd := groupDoc{ID: g.ID, Name: g.Name, Min: g.MinChoices, Max: g.MaxChoices}
				for _, o := range g.Options {
					gd.Options = append(gd.Options, optionDoc{ID: o.ID, Name: o.Name, DeltaMinor: o.PriceDelta.AmountMinor, Available: o.Available})
				}
				id.OptionGroups = append(id.OptionGroups, gd)
			}
			cd.Items = append(cd.Items, id)
		}
		menu.Categories = append(menu.Categories, cd)
	}
	b, err := bson.Marshal(menu)
	if err != nil {
		return restaurantDoc{}, fmt.Errorf("encode menu of %s: %w", s.ID, err)
	}
	d.MenuBSON = b
	return d, nil
}

func fromDoc(d restaurantDoc) (*domain.Restaurant, error) {
	days := map[time.Weekday][]domain.TimeRange{}
	for _, day := range d.Hours.Days {
		for _, r := range day.Ranges {
			days[time.Weekday(day.Weekday)] = append(days[time.Weekday(day.Weekday)], domain.TimeRange{Open: r.Open, Close: r.Close})
		}
	}
	hours, err := domain.NewOpeningHours(d.Hours.Zone, days)
	if err != nil {
		return nil, fmt.Errorf("restaurant %s: stored hours: %w", d.ID, err)
	}
	var menu menuDoc
	if err := bson.Unmarshal(d.MenuBSON, &menu); err != nil {
		return nil, fmt.Errorf("restaurant %s: stored menu: %w", d.ID, err)
	}
	cur := menu.Currency
	m := domain.Menu{Version: menu.Version, Currency: cur, EditedBy: menu.EditedBy, EditedAt: menu.EditedAt}
	for _, c := range menu.Categories {
		cat := domain.Category{ID: c.ID, Name: c.Name}
		for _, it := range c.Items {
			item := domain.MenuItem{ID: it.ID, Name: it.Name, Description: it.Description,
				Price: domain.Money{AmountMinor: it.PriceMinor, Currency: cur}, Available: it.Available,
				Tags: it.Tags, ImageURL: it.ImageURL}
			for _, g := range it.OptionGroups {
				og := domain.OptionGroup{ID: g.ID, Name: g.Name, MinChoices: g.Min, MaxChoices: g.Max}
				for _, o := range g.Options {
					og.Options = append(og.Options, domain.Option{ID: o.ID, Name: o.Name,
						PriceDelta: domain.Money{AmountMinor: o.DeltaMinor, Currency: cur}, Available: o.Available})
				}
				item.OptionGroups = append(item.OptionGroups, og)
			}
			cat.Items = append(cat.Items, item)
		}
		m.Categories = append(m.Categories, cat)
	}
	return domain.RestoreRestaurant(domain.Snapshot{
		ID: d.ID, OwnerID: d.OwnerID,
		Profile: domain.Profile{Name: d.Name, Description: d.Description, Cuisines: d.Cuisines,
			Address:  domain.Address{Line1: d.Address.Line1, Line2: d.Address.Line2, City: d.Address.City, PostalCode: d.Address.PostalCode, Country: d.Address.Country},
			Location: domain.GeoPoint{Lat: d.Lat, Lng: d.Lng}, Hours: hours, PriceLevel: d.PriceLevel,
			PrepTimeMinutes: d.PrepTimeMinutes, Currency: d.Currency, DietaryTags: d.DietaryTags, Tags: d.Tags},
		Paused: d.Paused, PauseReason: d.PauseReason, Rating: domain.Rating{Average: d.RatingAverage, Count: d.RatingCount},
		Menu: m, HoursEdit: domain.HoursEdit{Version: d.Hours.Version, EditedBy: d.Hours.EditedBy, EditedAt: d.Hours.EditedAt},
		Version: d.Version, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	})
}
