package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
)

// Config tunes the application.
type Config struct {
	// LivePollInterval is how often a live inbox re-reads the database without a doorbell:
	// the longest a lost doorbell delays an entry. The doorbell's listener rings everyone
	// after it reconnects, so this is a backstop only.
	LivePollInterval time.Duration
}

// DefaultLivePollInterval is Config.LivePollInterval's default.
const DefaultLivePollInterval = time.Minute

// Application is the inbox's use cases.
type Application struct {
	inbox Inbox
	hub   *Hub
	cfg   Config
	log   *slog.Logger
}

// New returns the application.
func New(inbox Inbox, hub *Hub, cfg Config, log *slog.Logger) (*Application, error) {
	if inbox == nil || hub == nil || log == nil {
		return nil, errors.New("app: inbox, hub and logger are required")
	}
	if cfg.LivePollInterval <= 0 {
		cfg.LivePollInterval = DefaultLivePollInterval
	}
	return &Application{inbox: inbox, hub: hub, cfg: cfg, log: log}, nil
}

// maxPage bounds a page.
const maxPage = 100

// Notifications is a page of userID's inbox for the user or an ADMIN: entries after the
// cursor after, newest first; next tells whether there are more.
func (a *Application) Notifications(ctx context.Context, userID string, first int, after string, unreadOnly bool) (_ []domain.Notification, next bool, _ error) {
	if _, err := authz.RequireSelfOrRole(ctx, userID, authz.RoleAdmin); err != nil {
		return nil, false, err
	}
	if first < 0 || first > maxPage {
		return nil, false, graphqlerr.BadUserInput("first", fmt.Sprintf("must be between 0 and %d", maxPage))
	}
	var afterSeq int64
	if after != "" {
		seq, err := DecodeCursor(after)
		if err != nil {
			return nil, false, graphqlerr.BadUserInput("after", "is not a cursor of this connection")
		}
		afterSeq = seq
	}
	ns, err := a.inbox.List(ctx, userID, afterSeq, first, unreadOnly)
	if err != nil {
		return nil, false, graphqlerr.Internal(err)
	}
	if len(ns) > first {
		return ns[:first], true, nil
	}
	return ns, false, nil
}

// UnreadCount is how many of userID's entries are unread (the user or an ADMIN).
func (a *Application) UnreadCount(ctx context.Context, userID string) (int, error) {
	if _, err := authz.RequireSelfOrRole(ctx, userID, authz.RoleAdmin); err != nil {
		return 0, err
	}
	n, err := a.inbox.UnreadCount(ctx, userID)
	if err != nil {
		return 0, graphqlerr.Internal(err)
	}
	return n, nil
}

// MarkRead marks the caller's entries read.
func (a *Application) MarkRead(ctx context.Context, ids []string) ([]domain.Notification, error) {
	return a.changeOwn(ctx, ids, a.inbox.MarkRead)
}

// Archive archives the caller's entries.
func (a *Application) Archive(ctx context.Context, ids []string) ([]domain.Notification, error) {
	return a.changeOwn(ctx, ids, a.inbox.Archive)
}

func (a *Application) changeOwn(ctx context.Context, ids []string, change func(context.Context, string, []string) ([]domain.Notification, error)) ([]domain.Notification, error) {
	id, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > maxPage {
		return nil, graphqlerr.BadUserInput("ids", fmt.Sprintf("must name 1 to %d notifications", maxPage))
	}
	uniq := map[string]bool{}
	for _, x := range ids {
		if !validUUID(x) {
			return nil, graphqlerr.NotFound("no notification " + x)
		}
		uniq[x] = true
	}
	ns, err := change(ctx, id.UserID, ids)
	if err != nil {
		return nil, graphqlerr.Internal(err)
	}
	if len(ns) != len(uniq) {
		return nil, graphqlerr.NotFound("some of these notifications do not exist")
	}
	return ns, nil
}

// MarkAllRead marks every entry of the caller's inbox read.
func (a *Application) MarkAllRead(ctx context.Context) (int, error) {
	id, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return 0, err
	}
	n, err := a.inbox.MarkAllRead(ctx, id.UserID)
	if err != nil {
		return 0, graphqlerr.Internal(err)
	}
	return n, nil
}

// Settings are userID's settings (the user or an ADMIN).
func (a *Application) Settings(ctx context.Context, userID string) (domain.Settings, error) {
	if _, err := authz.RequireSelfOrRole(ctx, userID, authz.RoleAdmin); err != nil {
		return domain.Settings{}, err
	}
	s, err := a.inbox.Settings(ctx, userID)
	if err != nil {
		return domain.Settings{}, graphqlerr.Internal(err)
	}
	return s, nil
}

// SettingsChange is a partial change of the caller's settings: nil leaves a field.
type SettingsChange struct {
	Email, Phone, PushToken, Locale, TimeZone, QuietHours *string
	OptOuts                                               *[]OptOut
}

// OptOut turns one channel off for one category.
type OptOut struct {
	Category domain.Category
	Channel  domain.Channel
}

// UpdateSettings changes the caller's settings.
func (a *Application) UpdateSettings(ctx context.Context, c SettingsChange) (domain.Settings, error) {
	id, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return domain.Settings{}, err
	}
	s, err := a.inbox.Settings(ctx, id.UserID)
	if err != nil {
		return domain.Settings{}, graphqlerr.Internal(err)
	}
	if c.Email != nil {
		e := strings.TrimSpace(*c.Email)
		if e != "" && (!strings.Contains(e, "@") || strings.ContainsAny(e, " \r\n<>")) {
			return s, graphqlerr.BadUserInput("email", "is not an email address")
		}
		s.Email = e
	}
	if c.Phone != nil {
		p := strings.TrimSpace(*c.Phone)
		if p != "" && (!strings.HasPrefix(p, "+") || len(p) < 8 || strings.Trim(p[1:], "0123456789") != "") {
			return s, graphqlerr.BadUserInput("phone", "must be E.164, e.g. +998901234567")
		}
		s.Phone = p
	}
	if c.PushToken != nil {
		s.PushToken = strings.TrimSpace(*c.PushToken)
	}
	if c.Locale != nil {
		if err := domain.ValidateLocale(*c.Locale); err != nil {
			return s, graphqlerr.BadUserInput("locale", err.Error())
		}
		s.Locale = *c.Locale
	}
	if c.TimeZone != nil {
		if err := domain.ValidateTimeZone(*c.TimeZone); err != nil {
			return s, graphqlerr.BadUserInput("timeZone", err.Error())
		}
		s.TimeZone = *c.TimeZone
	}
	if c.QuietHours != nil {
		if *c.QuietHours == "" {
			s.Quiet = nil
		} else {
			q, err := domain.ParseQuietHours(*c.QuietHours)
			if err != nil {
				return s, graphqlerr.BadUserInput("quietHours", err.Error())
			}
			s.Quiet = &q
		}
	}
	if c.OptOuts != nil {
		s.OptOuts = map[domain.Category]map[domain.Channel]bool{}
		for _, o := range *c.OptOuts {
			if o.Channel == domain.ChannelInApp {
				return s, graphqlerr.BadUserInput("optOuts", "the in-app inbox cannot be turned off")
			}
			if s.OptOuts[o.Category] == nil {
				s.OptOuts[o.Category] = map[domain.Channel]bool{}
			}
			s.OptOuts[o.Category][o.Channel] = true
		}
	}
	if err := a.inbox.SaveSettings(ctx, s); err != nil {
		return s, graphqlerr.Internal(err)
	}
	return s, nil
}

// Deliveries lists messages for operators (ADMIN).
func (a *Application) Deliveries(ctx context.Context, f DeliveryFilter) ([]domain.Delivery, bool, error) {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return nil, false, err
	}
	if f.First < 0 || f.First > maxPage {
		return nil, false, graphqlerr.BadUserInput("first", fmt.Sprintf("must be between 0 and %d", maxPage))
	}
	if f.AfterID != "" && !validUUID(f.AfterID) {
		return nil, false, graphqlerr.BadUserInput("after", "is not a cursor of this connection")
	}
	ds, err := a.inbox.Deliveries(ctx, f)
	if err != nil {
		return nil, false, graphqlerr.Internal(err)
	}
	if len(ds) > f.First {
		return ds[:f.First], true, nil
	}
	return ds, false, nil
}

// DeliveriesOf returns the messages of notifications (their owner or an ADMIN: the caller
// already read the notifications through an owner check).
func (a *Application) DeliveriesOf(ctx context.Context, ids []string) (map[string][]domain.Delivery, error) {
	m, err := a.inbox.DeliveriesOf(ctx, ids)
	if err != nil {
		return nil, graphqlerr.Internal(err)
	}
	return m, nil
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
