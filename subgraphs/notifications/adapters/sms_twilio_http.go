package adapters

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
)

// TwilioSMS sends SMS through a Twilio-style Messages API (Twilio itself, or the
// providersandbox), passing the idempotency key as I-Twilio-Idempotency-Token.
type TwilioSMS struct {
	name, baseURL, account, token, from string
	client                              *http.Client
}

// NewTwilioSMS returns a sender; baseURL is e.g. https://api.twilio.com.
func NewTwilioSMS(name, baseURL, account, token, from string) *TwilioSMS {
	return &TwilioSMS{name: name, baseURL: strings.TrimRight(baseURL, "/"), account: account, token: token, from: from, client: &http.Client{}}
}

// Name implements app.Sender.
func (t *TwilioSMS) Name() string { return t.name }

// Send implements app.Sender.
func (t *TwilioSMS) Send(ctx context.Context, m app.Message) (string, error) {
	form := url.Values{"To": {m.To}, "From": {t.from}, "Body": {m.Text}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.baseURL+"/2010-04-01/Accounts/"+url.PathEscape(t.account)+"/Messages.json", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("I-Twilio-Idempotency-Token", m.IdempotencyKey)
	req.SetBasicAuth(t.account, t.token)
	resp, err := t.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s: %w", t.name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("%s: %s: %s", t.name, resp.Status, strings.TrimSpace(string(body)))
	}
	var out struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.SID == "" {
		return "", fmt.Errorf("%s: unreadable answer %q", t.name, body)
	}
	return out.SID, nil
}
