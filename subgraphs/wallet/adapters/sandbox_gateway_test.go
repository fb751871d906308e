package adapters_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

func TestVerifySignature_refusesAForgedAlteredOrStaleWebhook(t *testing.T) {
	secret, body, now := []byte("0123456789abcdef"), []byte(`{"intent_id":"pi_1"}`), time.Now()
	good := adapters.Sign(secret, now, body)
	cases := []struct {
		name   string
		header string
		body   []byte
		ok     bool
	}{
		{"genuine", good, body, true},
		{"altered body", good, []byte(`{"intent_id":"pi_2"}`), false},
		{"other secret", adapters.Sign([]byte("another-secret-xx"), now, body), body, false},
		{"stale", adapters.Sign(secret, now.Add(-time.Hour), body), body, false},
		{"missing", "", body, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := adapters.VerifySignature(secret, c.header, c.body, now, 5*time.Minute)
			if (err == nil) != c.ok {
				t.Fatalf("error = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestSandboxGateway_creditsSucceededTopUpsOnceAndNeverDeclinedOnes(t *testing.T) {
	a, _, pool := newWallet(t, 4)
	secret := []byte("0123456789abcdef")
	hook := adapters.SandboxWebhook(secret, a)
	var deliveries int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deliveries++
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(r.Body)
		for range 2 { // the provider delivers every webhook twice
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(buf.Bytes()))
			req.Header = r.Header.Clone()
			rec := httptest.NewRecorder()
			hook.ServeHTTP(rec, req)
			w.WriteHeader(rec.Code)
		}
	}))
	defer srv.Close()
	g := &adapters.SandboxGateway{Secret: secret, WebhookURL: srv.URL, Delay: 50 * time.Millisecond}
	ctx := context.Background()
	for _, minor := range []int64{5_000, 10_002, 20_003} {
		in, err := g.CreateIntent(ctx, "u1", domain.MustMoney(minor, "UZS"), "k"+string(rune('0'+minor%10)))
		if err != nil || in.Status != app.IntentPending {
			t.Fatalf("intent %d: %+v, %v", minor, in, err)
		}
	}
	if _, err := g.CreateIntent(ctx, "u1", domain.MustMoney(1, "UZS"), "k0"); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("reusing an intent key with another amount: %v", err)
	}
	g.Wait()
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 25_003 {
		t.Errorf("wallet = %d, want 25003 (5000 + delayed 20003; 10002 declined; duplicates ignored)", b)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(`{"intent_id":"x","user_id":"u1","amount_minor":1,"currency":"UZS","status":"SUCCEEDED"}`)))
	req.Header.Set(adapters.SignatureHeader, "t=1,v1=00")
	rec := httptest.NewRecorder()
	hook.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("forged webhook answered %d, want 401", rec.Code)
	}
	checkInvariants(t, pool)
}
