package adapters

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// SandboxGateway is the in-repo payment gateway: it takes payment intents and reports
// their outcome with HMAC-SHA256-signed webhooks, like a real provider. Simulations, by
// the amount's last four digits: ...0002 is declined, ...0003 succeeds after Delay;
// everything else succeeds at once (the webhook is still asynchronous). The intents
// themselves are rows in the wallet's database (app.StartTopUp); the sandbox only keeps,
// per process, which intents it has already scheduled a webhook for.
type SandboxGateway struct {
	Secret     []byte
	WebhookURL string
	Delay      time.Duration
	Client     *http.Client
	Logger     *slog.Logger

	mu        sync.Mutex
	scheduled map[string]bool // intent ids
	wg        sync.WaitGroup
}

// SandboxName is the gateway's name in clearing accounts.
const SandboxName = "sandbox"

// SignatureHeader carries "t=<unix seconds>,v1=<hex hmac of t.body>".
const SignatureHeader = "X-Sandbox-Signature"

func (g *SandboxGateway) Name() string { return SandboxName }

// CreateIntent schedules the intent's webhook, once per intent id in this process (a
// second process may send it again: the wallet applies each intent once).
func (g *SandboxGateway) CreateIntent(ctx context.Context, in app.PaymentIntent) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.scheduled == nil {
		g.scheduled = map[string]bool{}
	}
	if g.scheduled[in.ID] {
		return nil
	}
	g.scheduled[in.ID] = true
	outcome, delay := app.IntentSucceeded, time.Duration(0)
	switch in.Amount.Minor() % 10000 {
	case 2:
		outcome = app.IntentDeclined
	case 3:
		delay = g.Delay
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		time.Sleep(delay)
		g.send(in, outcome)
	}()
	return nil
}

// Wait blocks until every scheduled webhook was sent (tests, shutdown).
func (g *SandboxGateway) Wait() { g.wg.Wait() }

// WebhookEvent is the webhook body.
type WebhookEvent struct {
	IntentID    string `json:"intent_id"`
	UserID      string `json:"user_id"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
}

func (g *SandboxGateway) send(in app.PaymentIntent, status app.IntentStatus) {
	ev := WebhookEvent{IntentID: in.ID, UserID: in.UserID, AmountMinor: in.Amount.Minor(),
		Currency: string(in.Amount.Currency()), Status: string(status)}
	if status == app.IntentDeclined {
		ev.Reason = "card declined (sandbox: amount ends in 0002)"
	}
	g.Deliver(ev)
}

// Deliver posts one signed webhook, retrying (boundedly) until the wallet answers 2xx.
func (g *SandboxGateway) Deliver(ev WebhookEvent) {
	body, _ := json.Marshal(ev)
	client := g.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	for attempt := range 5 { // a real provider retries webhooks too
		req, _ := http.NewRequest(http.MethodPost, g.WebhookURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(SignatureHeader, Sign(g.Secret, time.Now(), body))
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode < 300 {
				return
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if g.Logger != nil {
			g.Logger.Warn("sandbox webhook failed", "intent", ev.IntentID, "attempt", attempt+1, "error", err)
		}
		time.Sleep(time.Duration(100<<attempt) * time.Millisecond)
	}
}

// Sign computes the signature header for body at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// ErrBadSignature: the webhook was not signed with the shared secret, or is too old.
var ErrBadSignature = errors.New("webhook signature invalid")

// VerifySignature checks header against body (constant-time) and refuses signatures older
// than tolerance (replays).
func VerifySignature(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp outside tolerance", ErrBadSignature)
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return ErrBadSignature
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "."))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// GatewayResults is what the webhook handler needs from the application.
type GatewayResults interface {
	ApplyGatewayResult(ctx context.Context, res app.GatewayResult) (app.PaymentIntent, error)
}

// SandboxWebhook verifies the sandbox's signed webhooks and applies them to their intents
// (each intent once, whatever the number and order of deliveries). It answers 2xx once
// the result is recorded, including as a FAILED intent, so the gateway stops retrying;
// 5xx only when the wallet could not record anything (the gateway retries).
func SandboxWebhook(secret []byte, wallet GatewayResults) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		if err := VerifySignature(secret, r.Header.Get(SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev WebhookEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		_, err = wallet.ApplyGatewayResult(r.Context(), app.GatewayResult{Gateway: SandboxName, IntentID: ev.IntentID,
			UserID: ev.UserID, AmountMinor: ev.AmountMinor, Currency: ev.Currency, Status: app.IntentStatus(ev.Status), Reason: ev.Reason})
		switch {
		case errors.Is(err, domain.ErrNotFound):
			http.Error(w, "unknown intent", http.StatusNotFound)
		case err != nil:
			http.Error(w, "could not apply the result", http.StatusInternalServerError) // the gateway retries
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
}
