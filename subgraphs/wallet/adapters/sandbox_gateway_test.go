package adapters_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

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

func newWalletWith(t testing.TB, pool *pgxpool.Pool, g app.PaymentGateway, limits app.TopUpLimits) *app.Application {
	t.Helper()
	a, err := app.New(adapters.NewLedgerRepository(pool, nil), g, app.Config{Loyalty: domain.DefaultLoyalty,
		Split: domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}, TopUp: limits})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSandboxGateway_creditsSucceededTopUpsOnceAndNeverDeclinedOnes(t *testing.T) {
	_, _, pool := newWallet(t, 4)
	secret := []byte("0123456789abcdef")
	g := &adapters.SandboxGateway{Secret: secret, Delay: 50 * time.Millisecond}
	a := newWalletWith(t, pool, g, app.TopUpLimits{})
	hook := adapters.SandboxWebhook(secret, a)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	g.WebhookURL = srv.URL
	ctx := context.Background()
	ids := map[int64]string{}
	for _, minor := range []int64{5_000, 10_002, 20_003} {
		in, err := a.StartTopUp(ctx, "u1", domain.MustMoney(minor, "UZS"), "k"+string(rune('0'+minor%10)))
		if err != nil || in.Status != app.IntentPending {
			t.Fatalf("intent %d: %+v, %v", minor, in, err)
		}
		ids[minor] = in.ID
	}
	if _, err := a.StartTopUp(ctx, "u1", domain.MustMoney(1, "UZS"), "k0"); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("reusing an intent key with another amount: %v", err)
	}
	g.Wait()
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 25_003 {
		t.Errorf("wallet = %d, want 25003 (5000 + delayed 20003; 10002 declined; duplicates ignored)", b)
	}
	for minor, want := range map[int64]app.IntentStatus{5_000: app.IntentSucceeded, 10_002: app.IntentDeclined, 20_003: app.IntentSucceeded} {
		if in, err := a.TopUpIntent(ctx, ids[minor]); err != nil || in.Status != want {
			t.Errorf("intent of %d: %+v, %v; want %s", minor, in, err, want)
		}
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

// recordingGateway remembers the intents it was asked to collect and sends nothing: the
// test delivers the webhooks itself, in the order it likes.
type recordingGateway struct{ started []app.PaymentIntent }

func (*recordingGateway) Name() string { return adapters.SandboxName }
func (g *recordingGateway) CreateIntent(_ context.Context, in app.PaymentIntent) error {
	g.started = append(g.started, in)
	return nil
}

func TestTopUpIntent_survivesARestart_theSameKeyGivesTheSameIntent_anotherRequestIsAConflict(t *testing.T) {
	_, _, pool := newWallet(t, 4)
	ctx := context.Background()
	first := newWalletWith(t, pool, &recordingGateway{}, app.TopUpLimits{})
	in, err := first.StartTopUp(ctx, "u1", domain.MustMoney(7_000, "UZS"), "tap-1")
	if err != nil {
		t.Fatal(err)
	}
	// Another process (a restart, another replica), with a gateway that never saw the intent.
	g := &recordingGateway{}
	second := newWalletWith(t, pool, g, app.TopUpLimits{})
	again, err := second.StartTopUp(ctx, "u1", domain.MustMoney(7_000, "UZS"), "tap-1")
	if err != nil || again.ID != in.ID || again.Status != app.IntentPending {
		t.Fatalf("retry after restart: %+v, %v; want intent %s", again, err, in.ID)
	}
	if len(g.started) != 1 || g.started[0].ID != in.ID {
		t.Errorf("the retry asked the gateway for %+v, want the same intent (idempotent by id)", g.started)
	}
	if _, err := second.StartTopUp(ctx, "u1", domain.MustMoney(8_000, "UZS"), "tap-1"); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("the key with another amount: %v, want a conflict", err)
	}
	if other, err := second.StartTopUp(ctx, "u2", domain.MustMoney(8_000, "UZS"), "tap-1"); err != nil || other.ID == in.ID {
		t.Errorf("another user's key of the same name: %+v, %v; want a new intent", other, err)
	}
}

func TestApplyGatewayResult_creditsOnceWhateverTheNumberAndOrderOfDeliveries(t *testing.T) {
	_, _, pool := newWallet(t, 4)
	ctx := context.Background()
	a := newWalletWith(t, pool, &recordingGateway{}, app.TopUpLimits{})
	in, err := a.StartTopUp(ctx, "u1", domain.MustMoney(7_000, "UZS"), "tap-1")
	if err != nil {
		t.Fatal(err)
	}
	res := func(s app.IntentStatus) app.GatewayResult {
		return app.GatewayResult{Gateway: adapters.SandboxName, IntentID: in.ID, UserID: "u1", AmountMinor: 7_000, Currency: "UZS", Status: s}
	}
	for _, s := range []app.IntentStatus{app.IntentPending, app.IntentSucceeded, app.IntentSucceeded, app.IntentDeclined, app.IntentPending, app.IntentSucceeded} {
		if _, err := a.ApplyGatewayResult(ctx, res(s)); err != nil {
			t.Fatalf("deliver %s: %v", s, err)
		}
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 7_000 {
		t.Errorf("wallet = %d, want 7000 (credited once)", b)
	}
	if got, _ := a.TopUpIntent(ctx, in.ID); got.Status != app.IntentSucceeded {
		t.Errorf("intent %+v, want SUCCEEDED", got)
	}
	if _, err := a.ApplyGatewayResult(ctx, app.GatewayResult{IntentID: "pi_nope", Status: app.IntentSucceeded}); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a webhook for an unknown intent: %v, want not found", err)
	}
	checkInvariants(t, pool)
}

func TestApplyGatewayResult_aWebhookThatCannotBeAppliedMarksTheIntentFailedWithAReason(t *testing.T) {
	_, _, pool := newWallet(t, 4)
	ctx := context.Background()
	a := newWalletWith(t, pool, &recordingGateway{}, app.TopUpLimits{})
	in, err := a.StartTopUp(ctx, "u1", domain.MustMoney(7_000, "UZS"), "tap-1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.ApplyGatewayResult(ctx, app.GatewayResult{Gateway: adapters.SandboxName, IntentID: in.ID, UserID: "u1",
		AmountMinor: 1<<63 - 1, Currency: "UZS", Status: app.IntentSucceeded})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != app.IntentFailed || got.FailureReason == "" {
		t.Fatalf("intent after an unappliable webhook: %+v, want FAILED with a reason", got)
	}
	if read, _ := a.TopUpIntent(ctx, in.ID); read.Status != app.IntentFailed || read.FailureReason != got.FailureReason {
		t.Errorf("stored intent %+v", read)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 0 {
		t.Errorf("wallet = %d, want 0", b)
	}
	checkInvariants(t, pool)
}

func TestStartTopUp_refusesAmountsBeyondThePerOperationAndPerDayBounds(t *testing.T) {
	_, _, pool := newWallet(t, 4)
	ctx := context.Background()
	a := newWalletWith(t, pool, &recordingGateway{}, app.TopUpLimits{PerOperation: 10_000, PerDay: 25_000, IntentTTL: time.Hour})
	for _, minor := range []int64{1<<63 - 1, 10_001} {
		if _, err := a.StartTopUp(ctx, "u1", domain.MustMoney(minor, "UZS"), "big"); !domain.IsInputError(err) {
			t.Errorf("a top-up of %d: %v, want an input error", minor, err)
		}
	}
	for i, minor := range []int64{10_000, 10_000} {
		if _, err := a.StartTopUp(ctx, "u1", domain.MustMoney(minor, "UZS"), "day-"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.StartTopUp(ctx, "u1", domain.MustMoney(5_001, "UZS"), "day-c"); !domain.IsInputError(err) {
		t.Errorf("past the daily bound: %v, want an input error", err)
	}
	if _, err := a.StartTopUp(ctx, "u1", domain.MustMoney(5_000, "UZS"), "day-d"); err != nil {
		t.Errorf("up to the daily bound: %v", err)
	}
}

func TestTopUpIntent_expiresWhenTheGatewayNeverAnswers_andALateSuccessIsStillCredited(t *testing.T) {
	_, _, pool := newWallet(t, 4)
	ctx := context.Background()
	a := newWalletWith(t, pool, &recordingGateway{}, app.TopUpLimits{PerOperation: 10_000, PerDay: 25_000, IntentTTL: time.Millisecond})
	in, err := a.StartTopUp(ctx, "u1", domain.MustMoney(7_000, "UZS"), "tap-1")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	got, err := a.TopUpIntent(ctx, in.ID)
	if err != nil || got.Status != app.IntentExpired || got.FailureReason == "" {
		t.Fatalf("intent past its time: %+v, %v; want EXPIRED with a reason", got, err)
	}
	if _, err := a.ApplyGatewayResult(ctx, app.GatewayResult{Gateway: adapters.SandboxName, IntentID: in.ID, UserID: "u1",
		AmountMinor: 7_000, Currency: "UZS", Status: app.IntentSucceeded}); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, pool, "customer_wallet:u1:UZS"); b != 7_000 {
		t.Errorf("wallet = %d after the gateway confirmed late, want 7000", b)
	}
	checkInvariants(t, pool)
}
