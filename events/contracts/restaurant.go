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
