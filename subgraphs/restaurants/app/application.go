package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
)

// Application is the restaurants use cases.
type Application struct {
	repo      Repository
	checker   authz.Checker
	relations RelationWriter
	now       Clock
	newID     domain.IDSource
}

// Option configures an Application.
type Option func(*Application)

// WithClock replaces time.Now.
func WithClock(c Clock) Option { return func(a *Application) { a.now = c } }

// WithIDs replaces the UUIDv7 id source.
func WithIDs(ids domain.IDSource) Option { return func(a *Application) { a.newID = ids } }

// New returns the application; every dependency is required.
func New(repo Repository, checker authz.Checker, relations RelationWriter, opts ...Option) (*Application, error) {
	if repo == nil || checker == nil || relations == nil {
		return nil, errors.New("restaurants app: repository, relation checker and relation writer are required")
	}
	a := &Application{repo: repo, checker: checker, relations: relations, now: time.Now, newID: NewID}
	for _, o := range opts {
		o(a)
	}
	return a, nil
}

// NewID mints a UUIDv7 (time-ordered, so ids sort roughly by creation).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Relations on a restaurant: owners edit everything, staff (which owners are too, by
// identity's rewrite) run the kitchen's day: pause, resume, sold out.
const (
	relationOwner = "owner"
	relationStaff = "staff"
)

func (a *Application) require(ctx context.Context, restaurantID, relation string) error {
	_, err := authz.RequireRelation(ctx, a.checker, "restaurant", restaurantID, relation)
	return err
}

// clientError turns domain and repository errors into errors safe to show a client.
// prefix is the GraphQL argument the domain's field paths are under ("" when the domain
// already names it).
func clientError(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var ge *graphqlerr.Error
	var ie *domain.InputError
	var stale *domain.StaleVersionError
	switch {
	case errors.As(err, &ge):
		return err
	case errors.As(err, &ie):
		field := ie.Field
		if prefix != "" {
			field = prefix + "." + field
		}
		return graphqlerr.BadUserInput(field, fmt.Sprintf("%s: %s", field, ie.Message))
	case errors.As(err, &stale):
		return &graphqlerr.Error{Code: graphqlerr.CodeConflict, Message: stale.Error() + "; reload and edit again", Cause: err}
	case errors.Is(err, domain.ErrStaleVersion):
		return &graphqlerr.Error{Code: graphqlerr.CodeConflict, Message: "the restaurant was edited meanwhile; reload and edit again", Cause: err}
	case errors.Is(err, domain.ErrNotFound):
		return &graphqlerr.Error{Code: graphqlerr.CodeNotFound, Message: "no such restaurant or menu item", Cause: err}
	case errors.Is(err, ErrAlreadyExists):
		return &graphqlerr.Error{Code: graphqlerr.CodeConflict, Message: "the restaurant exists already", Cause: err}
	default:
		return graphqlerr.Internal(err)
	}
}
