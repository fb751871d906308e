package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/templates"
)

func TestParseCatalog_acceptsTheShippedCatalogInEveryLocale(t *testing.T) {
	c, err := domain.ParseCatalog(templates.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	tpl, ok := c.Get("order.placed")
	if !ok {
		t.Fatal("no order.placed")
	}
	p := domain.Params{"OrderRef": "#AB12CD34", "Total": domain.Money{AmountMinor: 6400000, Currency: "UZS"}}
	en, err := tpl.Render("en", p)
	if err != nil {
		t.Fatal(err)
	}
	ru, err := tpl.Render("ru", p)
	if err != nil {
		t.Fatal(err)
	}
	if en.Title != "Order #AB12CD34 placed" || !strings.Contains(en.Body, "64000.00 UZS") || !strings.Contains(ru.Title, "Заказ #AB12CD34") {
		t.Fatalf("en %+v ru %+v", en, ru)
	}
	if !strings.Contains(en.HTML, "<h2>Order #AB12CD34 placed</h2>") {
		t.Fatalf("html %s", en.HTML)
	}
	if uz, _ := tpl.Render("uz", p); uz.Locale != "en" {
		t.Fatalf("a locale without texts falls back to en, got %s", uz.Locale)
	}
}

func TestParseCatalog_refusesBrokenTemplatesAtLoad(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"an undeclared parameter": {`templates:
  - {kind: k, category: orders, channels: [in_app], params: {A: text},
     text: {en: {title: "{{.A}}", body: "{{.B}}"}, ru: {title: "{{.A}}", body: "x"}}}`, "uses .B"},
		"a missing locale": {`templates:
  - {kind: k, category: orders, channels: [in_app], params: {A: text}, text: {en: {title: "{{.A}}", body: "x"}}}`, "no ru text"},
		"an unknown parameter type": {`templates:
  - {kind: k, category: orders, channels: [in_app], params: {A: float},
     text: {en: {title: "{{.A}}", body: "x"}, ru: {title: "{{.A}}", body: "x"}}}`, "unknown type"},
		"an unknown channel": {`templates:
  - {kind: k, category: orders, channels: [fax], text: {en: {title: "a", body: "x"}, ru: {title: "a", body: "x"}}}`, "unknown channel"},
		"an unknown key": {`templates:
  - {kind: k, category: orders, channel: [in_app], text: {en: {title: "a", body: "x"}, ru: {title: "a", body: "x"}}}`, "not found"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := domain.ParseCatalog([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestCatalogRequire_refusesAWorkflowThatDoesNotSupplyEveryParameter(t *testing.T) {
	c, err := domain.ParseCatalog(templates.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Require("order.placed", map[string]domain.ParamType{"OrderRef": domain.ParamText}); err == nil || !strings.Contains(err.Error(), "Total") {
		t.Fatalf("err = %v", err)
	}
	if err := c.Require("order.placed", map[string]domain.ParamType{"OrderRef": domain.ParamText, "Total": domain.ParamText}); err == nil {
		t.Fatal("a parameter of the wrong type passed")
	}
	if err := c.Require("no.such", nil); err == nil {
		t.Fatal("a missing template passed")
	}
}

func TestRender_refusesAMissingOrMistypedParameter(t *testing.T) {
	c, _ := domain.ParseCatalog(templates.Catalog)
	tpl, _ := c.Get("order.placed")
	if _, err := tpl.Render("en", domain.Params{"OrderRef": "#1"}); err == nil {
		t.Fatal("missing Total rendered")
	}
	if _, err := tpl.Render("en", domain.Params{"OrderRef": "#1", "Total": "12"}); err == nil {
		t.Fatal("text Total rendered")
	}
}

func TestDecide_appliesOptOutsAddressesAndQuietHours(t *testing.T) {
	q, err := domain.ParseQuietHours("22:00-07:00")
	if err != nil {
		t.Fatal(err)
	}
	s := domain.DefaultSettings("u1")
	s.Email, s.PushToken, s.TimeZone, s.Quiet = "a@b.c", "tok", "Asia/Tashkent", &q
	s.OptOuts[domain.CategoryPromotions] = map[domain.Channel]bool{domain.ChannelEmail: true}
	tashkent, _ := time.LoadLocation("Asia/Tashkent")
	night := time.Date(2026, 12, 6, 23, 30, 0, 0, tashkent)
	day := time.Date(2026, 12, 6, 12, 0, 0, 0, tashkent)
	for name, tc := range map[string]struct {
		cat           domain.Category
		ch            domain.Channel
		transactional bool
		at            time.Time
		send          bool
		notBefore     time.Time
	}{
		"an opted-out channel is suppressed":               {domain.CategoryPromotions, domain.ChannelEmail, false, day, false, time.Time{}},
		"opt-outs bind transactional messages too":         {domain.CategoryPromotions, domain.ChannelEmail, true, day, false, time.Time{}},
		"a channel without an address is suppressed":       {domain.CategoryOrders, domain.ChannelSMS, true, day, false, time.Time{}},
		"quiet hours hold a promotion until they end":      {domain.CategoryPromotions, domain.ChannelPush, false, night, true, time.Date(2026, 12, 7, 7, 0, 0, 0, tashkent)},
		"quiet hours do not hold a transactional message":  {domain.CategoryOrders, domain.ChannelPush, true, night, true, time.Time{}},
		"outside quiet hours a promotion goes out at once": {domain.CategoryPromotions, domain.ChannelPush, false, day, true, time.Time{}},
	} {
		t.Run(name, func(t *testing.T) {
			d := s.Decide(tc.cat, tc.ch, tc.transactional, tc.at)
			if d.Send != tc.send || !d.NotBefore.Equal(tc.notBefore) {
				t.Fatalf("decision %+v, want send=%v notBefore=%s", d, tc.send, tc.notBefore)
			}
		})
	}
}

func TestParseQuietHours_refusesBadSpans(t *testing.T) {
	for _, s := range []string{"", "22-07", "25:00-07:00", "07:00-07:00", "7:00-8:00"} {
		if _, err := domain.ParseQuietHours(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
