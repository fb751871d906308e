// Package model holds the GraphQL types: generated ones in models_gen.go and the few
// written by hand.
package model

// MenuItem is a dish; its restaurant is resolved on demand from RestaurantID, so a
// restaurant's menu does not embed the restaurant again per item.
type MenuItem struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	Price        *Money         `json:"price"`
	Available    bool           `json:"available"`
	Tags         []string       `json:"tags"`
	ImageURL     *string        `json:"imageUrl,omitempty"`
	OptionGroups []*OptionGroup `json:"optionGroups"`
	RestaurantID string         `json:"-"`
}

func (MenuItem) IsEntity() {}
