package contracts

import "time"

// Event types of the restaurant aggregate (subject: the restaurant id).
const (
	TypeRestaurantUpdated    = "restaurant.updated"
	TypeRestaurantMenuUpdate = "restaurant.menu.update"
)

// RestaurantUpdatedV1: a restaurant's profile or opening state changed; it carries the
// whole current profile so consumers can upsert.
type RestaurantUpdatedV1 struct {
	RestaurantID string    `json:"restaurant_id"`
	Name         string    `json:"name"`
	Cuisines     []string  `json:"cuisines"`
	IsOpen       bool      `json:"is_open"`
	Lat          float64   `json:"lat"`
	Lng          float64   `json:"lng"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func (RestaurantUpdatedV1) EventType() string { return TypeRestaurantUpdated }
func (RestaurantUpdatedV1) EventVersion() int { return 1 }

// RestaurantMenuUpdateV1: a restaurant's menu as it now is (the whole menu, so consumers
// replace rather than patch).
type RestaurantMenuUpdateV1 struct {
	RestaurantID string     `json:"restaurant_id"`
	MenuVersion  int64      `json:"menu_version"`
	Items        []MenuItem `json:"items"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func (RestaurantMenuUpdateV1) EventType() string { return TypeRestaurantMenuUpdate }
func (RestaurantMenuUpdateV1) EventVersion() int { return 1 }

// MenuItem is one dish on a menu.
type MenuItem struct {
	MenuItemID  string   `json:"menu_item_id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Price       Money    `json:"price"`
	Available   bool     `json:"available"`
	Tags        []string `json:"tags,omitempty"`
}

// RestaurantUpdatedV2 adds what discovery needs to index without calling back: description,
// address, price level, rating, prep time, dietary and promotion tags, the manual pause
// switch, and opening hours in the restaurant's own time zone.
type RestaurantUpdatedV2 struct {
	RestaurantID string        `json:"restaurant_id"`
	Name         string        `json:"name"`
	Description  string        `json:"description,omitempty"`
	Address      string        `json:"address,omitempty"`
	Cuisines     []string      `json:"cuisines"`
	IsOpen       bool          `json:"is_open"`
	Paused       bool          `json:"paused,omitempty"`
	Lat          float64       `json:"lat"`
	Lng          float64       `json:"lng"`
	PriceLevel   int           `json:"price_level,omitempty"`
	Rating       float64       `json:"rating,omitempty"`
	PrepMinutes  int           `json:"prep_minutes,omitempty"`
	DietaryTags  []string      `json:"dietary_tags,omitempty"`
	Tags         []string      `json:"tags,omitempty"`
	TimeZone     string        `json:"time_zone,omitempty"`
	OpeningHours []OpeningSpan `json:"opening_hours,omitempty"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

func (RestaurantUpdatedV2) EventType() string { return TypeRestaurantUpdated }
func (RestaurantUpdatedV2) EventVersion() int { return 2 }

// OpeningSpan is one opening period on a weekday, local times "HH:MM"; Close before Open
// runs past midnight into the next day.
type OpeningSpan struct {
	Day   string `json:"day"` // MONDAY .. SUNDAY
	Open  string `json:"open"`
	Close string `json:"close"`
}
