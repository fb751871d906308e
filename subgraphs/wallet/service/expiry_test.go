package service_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/service"
)

func TestPointsExpiry_theScheduledRunExpiresPointsOlderThanTheHorizonAndKeepsNewerOnes(t *testing.T) {
	w := startWallet(t, func(c *service.Config) { c.PointsExpireAfter = 2 * time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	do := direct(t, w.url)
	old, fresh := newUserID(), newUserID()
	grant := func(u string, points int64, key string) {
		t.Helper()
		if _, err := w.svc.App.AdjustBalance(ctx, "admin-1", u, domain.MustMoney(points, "PTS"), "welcome bonus", key); err != nil {
			t.Fatal(err)
		}
	}
	grant(old, 700, "old-1")
	time.Sleep(2100 * time.Millisecond) // old's points pass the horizon
	grant(fresh, 300, "fresh-1")

	done := make(chan error, 1)
	go func() {
		done <- service.PointsExpiry(w.svc.App, 100*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))(ctx)
	}()
	eventually(t, "old's points expired", func() bool { return readWallet(t, do, old, as(old), nil).LoyaltyPoints == "0" })
	got := readWallet(t, do, old, as(old), nil)
	if n := got.Transactions.Edges[0].Node; n.Kind != "POINTS_EXPIRE" || n.Amount.AmountMinor != "-700" || n.Amount.Currency != "PTS" {
		t.Errorf("newest entry: %+v", n)
	}
	if p := readWallet(t, do, fresh, as(fresh), nil).LoyaltyPoints; p != "300" {
		t.Errorf("fresh points after a run: %s", p)
	}
	// Later runs find nothing more to do for old (no second expiry entry).
	time.Sleep(300 * time.Millisecond)
	if n := len(readWallet(t, do, old, as(old), nil).Transactions.Edges); n != 2 {
		t.Errorf("old has %d entries, want the grant and one expiry", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("expiry loop: %v", err)
	}
}
