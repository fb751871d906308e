package app

import (
	"context"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// CreateRestaurant opens a restaurant owned by the caller (a RESTAURANT_OWNER), or by
// ownerID when an ADMIN creates it for someone. The owner tuple is written to identity
// first: a failure there leaves no restaurant nobody may edit, and a tuple for a
// restaurant whose insert then fails names nothing and grants nothing.
func (a *Application) CreateRestaurant(ctx context.Context, ownerID string, d domain.ProfileDraft) (*domain.Restaurant, error) {
	caller, err := authz.RequireRole(ctx, authz.RoleRestaurantOwner, authz.RoleAdmin)
	if err != nil {
		return nil, err
	}
	switch {
	case ownerID == "":
		ownerID = caller.UserID
	case ownerID != caller.UserID && !caller.HasRole(authz.RoleAdmin):
		return nil, graphqlerr.Forbidden("only an admin creates a restaurant for someone else")
	}
	p, err := domain.NewProfile(d)
	if err != nil {
		return nil, clientError("input", err)
	}
	r, err := domain.NewRestaurant(a.newID(), ownerID, p, a.now())
	if err != nil {
		return nil, clientError("", err)
	}
	owner := authz.Tuple{Namespace: "restaurant", Object: r.ID(), Relation: relationOwner, Subject: "user:" + ownerID}
	if err := a.relations.WriteRelation(ctx, owner); err != nil {
		return nil, graphqlerr.Internal(err)
	}
	if err := a.repo.AddRestaurant(ctx, r); err != nil {
		return nil, clientError("", err)
	}
	return r, nil
}

// ProfilePatch lists the profile fields to change; nil leaves a field as it is.
type ProfilePatch struct {
	Name            *string
	Description     *string
	Cuisines        []string
	Address         *domain.Address
	Lat, Lng        *float64
	Hours           *domain.HoursDraft
	PriceLevel      *int
	PrepTimeMinutes *int
	Currency        *string
}

func (p ProfilePatch) apply(d *domain.ProfileDraft) {
	set(&d.Name, p.Name)
	set(&d.Description, p.Description)
	if p.Cuisines != nil {
		d.Cuisines = p.Cuisines
	}
	set(&d.Address, p.Address)
	set(&d.Lat, p.Lat)
	set(&d.Lng, p.Lng)
	set(&d.Hours, p.Hours)
	set(&d.PriceLevel, p.PriceLevel)
	set(&d.PrepTimeMinutes, p.PrepTimeMinutes)
	set(&d.Currency, p.Currency)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// UpdateRestaurant edits the profile (owner or admin). expectedVersion 0 skips the
// staleness check; a positive one must be the restaurant's current version.
func (a *Application) UpdateRestaurant(ctx context.Context, id string, expectedVersion int64, patch ProfilePatch) (*domain.Restaurant, error) {
	if err := a.require(ctx, id, relationOwner); err != nil {
		return nil, err
	}
	r, err := a.repo.UpdateRestaurant(ctx, id, expectedVersion, a.stampHoursEdit(ctx, func(r *domain.Restaurant) error {
		d := r.Profile().Draft()
		patch.apply(&d)
		p, err := domain.NewProfile(d)
		if err != nil {
			return err
		}
		return r.UpdateProfile(p, a.now())
	}))
	return r, clientError("input", err)
}

// SetOpeningHours replaces the weekly hours and their time zone (owner or admin);
// expectedHoursVersion is the hours' version the editor loaded, and a stale one is a
// CONFLICT naming who made the current hours and when. The change reaches search as
// restaurant.updated through the outbox, so "open now" follows it.
func (a *Application) SetOpeningHours(ctx context.Context, id string, expectedHoursVersion int64, d domain.HoursDraft) (*domain.Restaurant, error) {
	if err := a.require(ctx, id, relationOwner); err != nil {
		return nil, err
	}
	h, err := domain.NewEditedHours(d)
	if err != nil {
		return nil, clientError("openingHours", err)
	}
	r, err := a.repo.UpdateRestaurant(ctx, id, 0, a.stampHoursEdit(ctx, func(r *domain.Restaurant) error {
		return r.SetOpeningHours(expectedHoursVersion, h, a.now())
	}))
	return r, clientError("", err)
}

// stampHoursEdit wraps a profile edit so that a new version of the opening hours records
// its editor (the caller) and time.
func (a *Application) stampHoursEdit(ctx context.Context, edit func(r *domain.Restaurant) error) func(r *domain.Restaurant) error {
	return func(r *domain.Restaurant) error {
		before := r.HoursEdit().Version
		if err := edit(r); err != nil {
			return err
		}
		if r.HoursEdit().Version != before {
			r.StampHoursEdit(callerID(ctx), a.now())
		}
		return nil
	}
}

func callerID(ctx context.Context) string {
	if id, ok := authz.FromContext(ctx); ok {
		return id.UserID
	}
	return ""
}

// PauseRestaurant stops new orders until ResumeRestaurant (staff, owner or admin).
func (a *Application) PauseRestaurant(ctx context.Context, id, reason string) (*domain.Restaurant, error) {
	if err := a.require(ctx, id, relationStaff); err != nil {
		return nil, err
	}
	r, err := a.repo.UpdateRestaurant(ctx, id, 0, func(r *domain.Restaurant) error { return r.Pause(reason, a.now()) })
	return r, clientError("", err)
}

// ResumeRestaurant lifts a pause (staff, owner or admin).
func (a *Application) ResumeRestaurant(ctx context.Context, id string) (*domain.Restaurant, error) {
	if err := a.require(ctx, id, relationStaff); err != nil {
		return nil, err
	}
	r, err := a.repo.UpdateRestaurant(ctx, id, 0, func(r *domain.Restaurant) error { r.Resume(a.now()); return nil })
	return r, clientError("", err)
}

// ReplaceMenu installs a whole edited menu (owner or admin); expectedMenuVersion is the
// menu version the editor loaded, and a stale one is a CONFLICT.
func (a *Application) ReplaceMenu(ctx context.Context, id string, expectedMenuVersion int64, d domain.MenuDraft) (*domain.Restaurant, error) {
	if err := a.require(ctx, id, relationOwner); err != nil {
		return nil, err
	}
	r, err := a.repo.UpdateRestaurant(ctx, id, 0, a.stampMenuEdit(ctx, func(r *domain.Restaurant) error {
		return r.ReplaceMenu(expectedMenuVersion, d, a.newID, a.now())
	}))
	return r, clientError("", err)
}

// ChangePrices sets item prices and option deltas (owner or admin), all or none.
func (a *Application) ChangePrices(ctx context.Context, id string, expectedMenuVersion int64, changes []domain.PriceChange) (*domain.Restaurant, error) {
	if err := a.require(ctx, id, relationOwner); err != nil {
		return nil, err
	}
	r, err := a.repo.UpdateRestaurant(ctx, id, 0, a.stampMenuEdit(ctx, func(r *domain.Restaurant) error {
		return r.ChangePrices(expectedMenuVersion, changes, a.now())
	}))
	return r, clientError("", err)
}

// SetMenuItemAvailability marks an item sold out or back (staff, owner or admin).
func (a *Application) SetMenuItemAvailability(ctx context.Context, menuItemID string, available bool) (*domain.Restaurant, error) {
	if _, err := authz.RequireAuthenticated(ctx); err != nil {
		return nil, err
	}
	owner, err := a.repo.RestaurantByMenuItem(ctx, menuItemID)
	if err != nil {
		return nil, clientError("", err)
	}
	if err := a.require(ctx, owner.ID(), relationStaff); err != nil {
		return nil, err
	}
	r, err := a.repo.UpdateRestaurant(ctx, owner.ID(), 0, a.stampMenuEdit(ctx, func(r *domain.Restaurant) error {
		return r.SetItemAvailability(menuItemID, available, a.now())
	}))
	return r, clientError("", err)
}

// stampMenuEdit wraps a menu edit so that a new menu version records its editor (the
// caller) and time; an edit that changes nothing stamps nothing.
func (a *Application) stampMenuEdit(ctx context.Context, edit func(r *domain.Restaurant) error) func(r *domain.Restaurant) error {
	return func(r *domain.Restaurant) error {
		before := r.Menu().Version
		if err := edit(r); err != nil {
			return err
		}
		if r.Menu().Version != before {
			r.StampMenuEdit(callerID(ctx), a.now())
		}
		return nil
	}
}
