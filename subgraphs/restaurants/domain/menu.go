package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of one menu: a menu larger than this is refused as a whole, so one restaurant
// cannot grow a document (and every menu event) without bound.
const (
	MaxCategories          = 50
	MaxItemsPerMenu        = 500
	MaxOptionGroupsPerItem = 10
	MaxOptionsPerGroup     = 30
	MaxTagsPerItem         = 10
	MaxNameLength          = 120
	MaxDescriptionLength   = 1000
	MaxURLLength           = 500
)

// Menu is a restaurant's whole menu: categories -> items -> option groups -> options.
// Every price is in the menu's currency. Version counts edits; an edit names the version
// it was made against (optimistic concurrency).
type Menu struct {
	Currency   string
	Version    int64
	Categories []Category
	// EditedBy and EditedAt say who made this version and when (empty before the first
	// stamped edit): an editor whose stale edit is refused is shown who changed the menu.
	EditedBy string
	EditedAt time.Time
}

// Category groups items ("Soups", "Plov").
type Category struct {
	ID    string
	Name  string
	Items []MenuItem
}

// MenuItem is one dish. Its id is global (MenuItem is a federation entity).
type MenuItem struct {
	ID           string
	Name         string
	Description  string
	Price        Money
	Available    bool
	Tags         []string
	ImageURL     string
	OptionGroups []OptionGroup
}

// OptionGroup is a choice the customer makes for an item ("Size": pick exactly 1).
type OptionGroup struct {
	ID         string
	Name       string
	MinChoices int
	MaxChoices int
	Options    []Option
}

// Option is one choice with the price it adds (zero for "no onion").
type Option struct {
	ID         string
	Name       string
	PriceDelta Money
	Available  bool
}

// Draft types are what an editor submits; NewMenu turns them into a Menu. An empty ID
// asks for a new one; a non-empty ID must be one the menu already has (ids stay stable
// across edits, and a client cannot claim another restaurant's item id).

type MenuDraft struct {
	Categories []CategoryDraft
}

type CategoryDraft struct {
	ID    string
	Name  string
	Items []ItemDraft
}

type ItemDraft struct {
	ID           string
	Name         string
	Description  string
	PriceMinor   int64
	Currency     string
	Available    bool
	Tags         []string
	ImageURL     string
	OptionGroups []OptionGroupDraft
}

type OptionGroupDraft struct {
	ID         string
	Name       string
	MinChoices int
	MaxChoices int
	Options    []OptionDraft
}

type OptionDraft struct {
	ID              string
	Name            string
	PriceDeltaMinor int64
	Currency        string
	Available       bool
}

// IDSource hands out fresh ids (UUIDs in production, counters in tests).
type IDSource func() string

// NewMenu validates d for a restaurant pricing in currency. known are the ids the current
// menu uses (for reuse); newID mints ids for new entries. The returned menu has version 0:
// the restaurant sets it.
func NewMenu(d MenuDraft, currency string, known map[string]bool, newID IDSource) (Menu, error) {
	cur, err := ParseCurrency(currency)
	if err != nil {
		return Menu{}, err
	}
	if len(d.Categories) > MaxCategories {
		return Menu{}, invalid("categories", "a menu has at most %d categories, got %d", MaxCategories, len(d.Categories))
	}
	total := 0
	for _, c := range d.Categories {
		total += len(c.Items)
	}
	if total > MaxItemsPerMenu {
		return Menu{}, invalid("categories", "a menu has at most %d items, got %d", MaxItemsPerMenu, total)
	}
	ids := &idChecker{known: known, newID: newID, seen: map[string]bool{}}
	m := Menu{Currency: cur, Categories: make([]Category, 0, len(d.Categories))}
	for ci, cd := range d.Categories {
		f := fmt.Sprintf("categories[%d]", ci)
		c := Category{}
		if c.ID, err = ids.take(cd.ID); err != nil {
			return Menu{}, prefixed(f, err)
		}
		if c.Name, err = name(cd.Name); err != nil {
			return Menu{}, prefixed(f, err)
		}
		for ii, id := range cd.Items {
			it, err := newItem(id, cur, ids)
			if err != nil {
				return Menu{}, prefixed(fmt.Sprintf("%s.items[%d]", f, ii), err)
			}
			c.Items = append(c.Items, it)
		}
		m.Categories = append(m.Categories, c)
	}
	return m, nil
}

type idChecker struct {
	known map[string]bool
	newID IDSource
	seen  map[string]bool
}

func (c *idChecker) take(id string) (string, error) {
	if id == "" {
		id = c.newID()
	} else if !c.known[id] {
		return "", invalid("id", "%q is not an id of this menu; leave it empty to add a new entry", id)
	}
	if c.seen[id] {
		return "", invalid("id", "%q is used twice", id)
	}
	c.seen[id] = true
	return id, nil
}

func name(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", invalid("name", "must not be empty")
	case n > MaxNameLength:
		return "", invalid("name", "at most %d characters, got %d", MaxNameLength, n)
	}
	return s, nil
}

func newItem(d ItemDraft, cur string, ids *idChecker) (MenuItem, error) {
	var err error
	it := MenuItem{Available: d.Available}
	if it.ID, err = ids.take(d.ID); err != nil {
		return MenuItem{}, err
	}
	if it.Name, err = name(d.Name); err != nil {
		return MenuItem{}, err
	}
	if it.Description, err = description(d.Description); err != nil {
		return MenuItem{}, err
	}
	if it.Price, err = priceIn(d.PriceMinor, d.Currency, cur); err != nil {
		return MenuItem{}, prefixed("price", err)
	}
	if it.Tags, err = tags(d.Tags); err != nil {
		return MenuItem{}, err
	}
	if len(d.ImageURL) > MaxURLLength || (d.ImageURL != "" && !strings.HasPrefix(d.ImageURL, "https://") && !strings.HasPrefix(d.ImageURL, "http://")) {
		return MenuItem{}, invalid("imageUrl", "must be an http(s) URL of at most %d characters", MaxURLLength)
	}
	it.ImageURL = d.ImageURL
	if len(d.OptionGroups) > MaxOptionGroupsPerItem {
		return MenuItem{}, invalid("optionGroups", "an item has at most %d option groups, got %d", MaxOptionGroupsPerItem, len(d.OptionGroups))
	}
	for gi, gd := range d.OptionGroups {
		g, err := newOptionGroup(gd, cur, ids)
		if err != nil {
			return MenuItem{}, prefixed(fmt.Sprintf("optionGroups[%d]", gi), err)
		}
		it.OptionGroups = append(it.OptionGroups, g)
	}
	return it, nil
}

func description(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n > MaxDescriptionLength {
		return "", invalid("description", "at most %d characters, got %d", MaxDescriptionLength, n)
	}
	return s, nil
}

func tags(in []string) ([]string, error) {
	if len(in) > MaxTagsPerItem {
		return nil, invalid("tags", "at most %d tags, got %d", MaxTagsPerItem, len(in))
	}
	var out []string
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || utf8.RuneCountInString(t) > 30 {
			return nil, invalid("tags", "a tag has 1 to 30 characters, got %q", t)
		}
		if !contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// priceIn builds a price that must be in the menu's currency.
func priceIn(amount int64, cur, menuCur string) (Money, error) {
	m, err := NewMoney(amount, cur)
	if err != nil {
		return Money{}, err
	}
	if m.Currency != menuCur {
		return Money{}, invalid("currency", "must be the menu's currency %s, got %s", menuCur, m.Currency)
	}
	return m, nil
}

func newOptionGroup(d OptionGroupDraft, cur string, ids *idChecker) (OptionGroup, error) {
	var err error
	g := OptionGroup{MinChoices: d.MinChoices, MaxChoices: d.MaxChoices}
	if g.ID, err = ids.take(d.ID); err != nil {
		return OptionGroup{}, err
	}
	if g.Name, err = name(d.Name); err != nil {
		return OptionGroup{}, err
	}
	switch {
	case len(d.Options) == 0:
		return OptionGroup{}, invalid("options", "an option group needs at least one option")
	case len(d.Options) > MaxOptionsPerGroup:
		return OptionGroup{}, invalid("options", "an option group has at most %d options, got %d", MaxOptionsPerGroup, len(d.Options))
	case d.MinChoices < 0:
		return OptionGroup{}, invalid("minChoices", "must not be negative, got %d", d.MinChoices)
	case d.MaxChoices < 1:
		return OptionGroup{}, invalid("maxChoices", "must be at least 1, got %d", d.MaxChoices)
	case d.MinChoices > d.MaxChoices:
		return OptionGroup{}, invalid("minChoices", "must not exceed maxChoices (%d), got %d", d.MaxChoices, d.MinChoices)
	case d.MaxChoices > len(d.Options):
		return OptionGroup{}, invalid("maxChoices", "must not exceed the number of options (%d), got %d", len(d.Options), d.MaxChoices)
	}
	for oi, od := range d.Options {
		o := Option{Available: od.Available}
		f := fmt.Sprintf("options[%d]", oi)
		if o.ID, err = ids.take(od.ID); err != nil {
			return OptionGroup{}, prefixed(f, err)
		}
		if o.Name, err = name(od.Name); err != nil {
			return OptionGroup{}, prefixed(f, err)
		}
		if o.PriceDelta, err = priceIn(od.PriceDeltaMinor, od.Currency, cur); err != nil {
			return OptionGroup{}, prefixed(f+".priceDelta", err)
		}
		g.Options = append(g.Options, o)
	}
	return g, nil
}

// IDs lists every id the menu uses (categories, items, groups, options).
func (m Menu) IDs() map[string]bool {
	ids := map[string]bool{}
	for _, c := range m.Categories {
		ids[c.ID] = true
		for _, it := range c.Items {
			ids[it.ID] = true
			for _, g := range it.OptionGroups {
				ids[g.ID] = true
				for _, o := range g.Options {
					ids[o.ID] = true
				}
			}
		}
	}
	return ids
}

// ItemIDs lists the item ids in menu order.
func (m Menu) ItemIDs() []string {
	var ids []string
	for _, c := range m.Categories {
		for _, it := range c.Items {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// Item returns the item with id.
func (m Menu) Item(id string) (MenuItem, bool) {
	if p := m.item(id); p != nil {
		return *p, true
	}
	return MenuItem{}, false
}

func (m *Menu) item(id string) *MenuItem {
	for ci := range m.Categories {
		for ii := range m.Categories[ci].Items {
			if m.Categories[ci].Items[ii].ID == id {
				return &m.Categories[ci].Items[ii]
			}
		}
	}
	return nil
}

// Draft turns the menu back into the draft that would rebuild it.
func (m Menu) Draft() MenuDraft {
	d := MenuDraft{}
	for _, c := range m.Categories {
		cd := CategoryDraft{ID: c.ID, Name: c.Name}
		for _, it := range c.Items {
			id := ItemDraft{ID: it.ID, Name: it.Name, Description: it.Description, PriceMinor: it.Price.AmountMinor,
				Currency: it.Price.Currency, Available: it.Available, Tags: it.Tags, ImageURL: it.ImageURL}
			for _, g := range it.OptionGroups {
				gd := OptionGroupDraft{ID: g.ID, Name: g.Name, MinChoices: g.MinChoices, MaxChoices: g.MaxChoices}
				for _, o := range g.Options {
					gd.Options = append(gd.Options, OptionDraft{ID: o.ID, Name: o.Name, PriceDeltaMinor: o.PriceDelta.AmountMinor,
						Currency: o.PriceDelta.Currency, Available: o.Available})
				}
				id.OptionGroups = append(id.OptionGroups, gd)
			}
			cd.Items = append(cd.Items, id)
		}
		d.Categories = append(d.Categories, cd)
	}
	return d
}
