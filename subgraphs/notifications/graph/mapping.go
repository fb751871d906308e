package graph

import (
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/graph/model"
)

func notification(n domain.Notification) *model.Notification {
	out := &model.Notification{ID: n.ID, Sequence: int(n.Seq), Category: model.NotificationCategory(strings.ToUpper(string(n.Category))),
		Kind: n.Kind, Title: n.Title, Body: n.Body, Locale: n.Locale, Read: n.Read, Archived: n.Archived,
		CreatedAt: n.CreatedAt.UTC().Format(time.RFC3339Nano)}
	if n.OrderID != "" {
		out.OrderID = &n.OrderID
	}
	return out
}

func notifications(ns []domain.Notification) []*model.Notification {
	out := make([]*model.Notification, 0, len(ns))
	for _, n := range ns {
		out = append(out, notification(n))
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func delivery(d domain.Delivery) *model.NotificationDelivery {
	return &model.NotificationDelivery{ID: d.ID, NotificationID: d.NotificationID, UserID: d.UserID, Channel: channelOut(d.Channel),
		Status: model.NotificationDeliveryStatus(strings.ToUpper(string(d.Status))), IdempotencyKey: d.IdempotencyKey,
		Provider: optional(d.Provider), ProviderAnswer: optional(d.ProviderAnswer), Attempts: d.Attempts,
		Reason: optional(d.Reason), UpdatedAt: d.UpdatedAt.UTC().Format(time.RFC3339Nano)}
}

func channelOut(c domain.Channel) model.NotificationChannel {
	return model.NotificationChannel(strings.ToUpper(string(c)))
}

func channelIn(c model.NotificationChannel) domain.Channel {
	return domain.Channel(strings.ToLower(string(c)))
}

func settings(s domain.Settings) *model.NotificationSettings {
	out := &model.NotificationSettings{Email: optional(s.Email), Phone: optional(s.Phone), PushToken: optional(s.PushToken),
		Locale: s.Locale, TimeZone: s.TimeZone, OptOuts: []*model.NotificationOptOut{}}
	if s.Quiet != nil {
		q := s.Quiet.String()
		out.QuietHours = &q
	}
	for _, cat := range domain.Categories {
		for _, ch := range domain.Channels {
			if s.OptedOut(cat, ch) {
				out.OptOuts = append(out.OptOuts, &model.NotificationOptOut{Category: model.NotificationCategory(strings.ToUpper(string(cat))), Channel: channelOut(ch)})
			}
		}
	}
	return out
}

func settingsChange(in model.NotificationSettingsInput) app.SettingsChange {
	c := app.SettingsChange{Email: in.Email, Phone: in.Phone, PushToken: in.PushToken, Locale: in.Locale, TimeZone: in.TimeZone, QuietHours: in.QuietHours}
	if in.OptOuts != nil {
		list := make([]app.OptOut, 0, len(in.OptOuts))
		for _, o := range in.OptOuts {
			list = append(list, app.OptOut{Category: domain.Category(strings.ToLower(string(o.Category))), Channel: channelIn(o.Channel)})
		}
		c.OptOuts = &list
	}
	return c
}

func pageInfo(first, last string, next bool) *model.PageInfo {
	return &model.PageInfo{HasNextPage: next, StartCursor: optional(first), EndCursor: optional(last)}
}
