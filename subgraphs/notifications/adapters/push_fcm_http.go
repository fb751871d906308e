package adapters

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/dizhtime/dizhtime/subgraphs/notifications/app"
)

// FCMPush sends push messages through an FCM-style HTTP v1 API (FCM itself, or the
// providersandbox). FCM takes no idempotency key; it travels in the message's data
// (idempotency_key) so the app on the device can drop a duplicate.
type FCMPush struct {
	name, baseURL, project, token string
	client                        *http.Client
}

// NewFCMPush returns a sender; baseURL is e.g. https://fcm.googleapis.com.
func NewFCMPush(name, baseURL, project, token string) *FCMPush {
	return &FCMPush{name: name, baseURL: strings.TrimRight(baseURL, "/"), project: project, token: token, client: &http.Client{}}
}

// Name implements app.Sender.
func (f *FCMPush) Name() string { return f.name }

// Send implements app.Sender.
func (f *FCMPush) Send(ctx context.Context, m app.Message) (string, error) {
	payload, _ := json.Marshal(map[string]any{"message": map[string]any{
		"token":        m.To,
		"notification": map[string]string{"title": m.Subject, "body": m.Text},
		"data":         map[string]string{"idempotency_key": m.IdempotencyKey},
	}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.baseURL+"/v1/projects/"+url.PathEscape(f.project)+"/messages:send", bytes.NewReader(payload))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if f.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.token)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%s: %w", f.name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("%s: %s: %s", f.name, resp.Status, strings.TrimSpace(string(body)))
	}
	var out struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Name == "" {
		return "", fmt.Errorf("%s: unreadable answer %q", f.name, body)
	}
	return out.Name, nil
}
