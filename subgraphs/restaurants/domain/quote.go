package domain

import (
	"fmt"
	"time"
)

// Limits of one quote request.
const (
	MaxQuoteLines   = 100
	MaxLineQuantity = 99
)

// QuoteLine is what a customer wants: an item, how many, and the chosen options.
type QuoteLine struct {
	MenuItemID string
	Quantity   int
	OptionIDs  []string
}

// Quote is the authoritative price of a cart at one menu version. Unavailable lines are
// still priced (so a client can show them) but the orders subgraph must refuse to place
// an order unless Available is true.
type Quote struct {
	RestaurantID   string
	Currency       string
	MenuVersion    int64
	Lines          []QuotedLine
	Subtotal       Money
	Available      bool
	RestaurantOpen bool
	QuotedAt       time.Time
}

// QuotedLine is one line with its unit price (item price plus option deltas) and total.
type QuotedLine struct {
	MenuItemID string
	Name       string
	Quantity   int
	Options    []QuotedOption
	UnitPrice  Money
	LineTotal  Money
	Available  bool
	// UnavailableReason says why Available is false ("sold out", "option ... sold out").
	UnavailableReason string
}

// QuotedOption is a chosen option with its price delta.
type QuotedOption struct {
	ID, Name   string
	GroupID    string
	PriceDelta Money
}

// Quote prices lines against the current menu. A line that names an unknown item or
// option, or breaks an option group's min/max, is refused as bad input (a client bug,
// not a state to show); sold-out items and options make the line unavailable instead.
func (r *Restaurant) Quote(lines []QuoteLine, now time.Time) (Quote, error) {
	switch {
	case len(lines) == 0:
		return Quote{}, invalid("lines", "list at least one line")
	case len(lines) > MaxQuoteLines:
		return Quote{}, invalid("lines", "at most %d lines, got %d", MaxQuoteLines, len(lines))
	}
	q := Quote{
		RestaurantID: r.id, Currency: r.menu.Currency, MenuVersion: r.menu.Version,
		Subtotal: Money{Currency: r.menu.Currency}, Available: true,
		RestaurantOpen: r.IsOpenAt(now), QuotedAt: now.UTC(),
	}
	if !q.RestaurantOpen {
		q.Available = false
	}
	for i, l := range lines {
		ql, err := r.menu.quoteLine(l)
		if err != nil {
			return Quote{}, prefixed(fmt.Sprintf("lines[%d]", i), err)
		}
		q.Lines = append(q.Lines, ql)
		q.Available = q.Available && ql.Available
		if q.Subtotal, err = q.Subtotal.Add(ql.LineTotal); err != nil {
			return Quote{}, prefixed(fmt.Sprintf("lines[%d]", i), invalid("quantity", "the total is too large"))
		}
	}
	return q, nil
}

func (m Menu) quoteLine(l QuoteLine) (QuotedLine, error) {
	if l.Quantity < 1 || l.Quantity > MaxLineQuantity {
		return QuotedLine{}, invalid("quantity", "must be 1 to %d, got %d", MaxLineQuantity, l.Quantity)
	}
	it, ok := m.Item(l.MenuItemID)
	if !ok {
		return QuotedLine{}, invalid("menuItemId", "%q is not on this restaurant's menu", l.MenuItemID)
	}
	opts, err := it.ChooseOptions(l.OptionIDs)
	if err != nil {
		return QuotedLine{}, err
	}
	ql := QuotedLine{MenuItemID: it.ID, Name: it.Name, Quantity: l.Quantity, UnitPrice: it.Price, Available: it.Available}
	if !it.Available {
		ql.UnavailableReason = "sold out"
	}
	for _, o := range opts {
		ql.Options = append(ql.Options, QuotedOption{ID: o.Option.ID, Name: o.Option.Name, GroupID: o.GroupID, PriceDelta: o.Option.PriceDelta})
		if ql.UnitPrice, err = ql.UnitPrice.Add(o.Option.PriceDelta); err != nil {
			return QuotedLine{}, err
		}
		if !o.Option.Available && ql.Available {
			ql.Available, ql.UnavailableReason = false, fmt.Sprintf("option %q sold out", o.Option.Name)
		}
	}
	// Prices are bounded (MaxAmountMinor), so unit x quantity cannot overflow.
	if ql.LineTotal, err = ql.UnitPrice.Times(int64(l.Quantity)); err != nil {
		return QuotedLine{}, invalid("quantity", "the line total is too large")
	}
	return ql, nil
}

// ChosenOption is an option picked for a line, with the group it belongs to.
type ChosenOption struct {
	GroupID string
	Option  Option
}

// ChooseOptions validates a choice of option ids against the item's groups: every id
// belongs to a group of this item, none repeats, and each group gets between its
// MinChoices and MaxChoices options (a group with MinChoices 0 may be left out). The
// options come back in menu order.
func (it MenuItem) ChooseOptions(ids []string) ([]ChosenOption, error) {
	chosen := map[string]bool{}
	for _, id := range ids {
		if chosen[id] {
			return nil, invalid("optionIds", "option %q is chosen twice", id)
		}
		chosen[id] = true
	}
	var out []ChosenOption
	used := 0
	for _, g := range it.OptionGroups {
		n := 0
		for _, o := range g.Options {
			if chosen[o.ID] {
				n++
				out = append(out, ChosenOption{GroupID: g.ID, Option: o})
			}
		}
		used += n
		switch {
		case n < g.MinChoices:
			return nil, invalid("optionIds", "%q needs at least %d choice(s), got %d", g.Name, g.MinChoices, n)
		case n > g.MaxChoices:
			return nil, invalid("optionIds", "%q allows at most %d choice(s), got %d", g.Name, g.MaxChoices, n)
		}
	}
	if used != len(chosen) {
		for _, id := range ids {
			if !it.hasOption(id) {
				return nil, invalid("optionIds", "%q is not an option of %q", id, it.Name)
			}
		}
	}
	return out, nil
}

func (it MenuItem) hasOption(id string) bool {
	for _, g := range it.OptionGroups {
		for _, o := range g.Options {
			if o.ID == id {
				return true
			}
		}
	}
	return false
}
