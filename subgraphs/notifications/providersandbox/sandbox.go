// Package providersandbox is a stand-in for the SMS and push providers notifications sends
// through: a Twilio-style Messages API and an FCM-style HTTP v1 send API that record what
// they would send instead of sending it. Like the real ones it dedupes by idempotency key
// (Twilio's I-Twilio-Idempotency-Token header; for FCM, the message's
// data.idempotency_key, which the real FCM does not dedupe on). Failing makes it answer
// 503 to every send, to exercise fallback providers. GET /sent lists what it recorded.
package providersandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sent is one message the sandbox would have sent.
type Sent struct {
	ID             string    `json:"id"`
	API            string    `json:"api"` // twilio or fcm
	To             string    `json:"to"`
	Title          string    `json:"title,omitempty"`
	Body           string    `json:"body"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	At             time.Time `json:"at"`
}

// Server is the sandbox.
type Server struct {
	mu      sync.Mutex
	sent    []Sent
	byKey   map[string]Sent
	seq     atomic.Int64
	failing atomic.Bool
	calls   atomic.Int64
}

// New returns an empty sandbox.
func New() *Server { return &Server{byKey: map[string]Sent{}} }

// SetFailing makes every send fail (503) or work again.
func (s *Server) SetFailing(f bool) { s.failing.Store(f) }

// Sent returns what was recorded, oldest first.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent{}, s.sent...)
}

// Calls counts send requests, duplicates and failures included.
func (s *Server) Calls() int64 { return s.calls.Load() }

func (s *Server) record(m Sent) (Sent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.IdempotencyKey != "" {
		if prev, ok := s.byKey[m.IdempotencyKey]; ok {
			return prev, true
		}
	}
	m.At = time.Now().UTC()
	s.sent = append(s.sent, m)
	if m.IdempotencyKey != "" {
		s.byKey[m.IdempotencyKey] = m
	}
	return m, false
}

// Handler serves POST /2010-04-01/Accounts/{sid}/Messages.json (form: To, Body),
// POST /v1/projects/{project}/messages:send (JSON), GET /sent and POST /failing?on=true|false.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", func(w http.ResponseWriter, r *http.Request) {
		s.calls.Add(1)
		if s.failing.Load() {
			http.Error(w, `{"code":20503,"message":"sandbox is failing"}`, http.StatusServiceUnavailable)
			return
		}
		if err := r.ParseForm(); err != nil || r.PostForm.Get("To") == "" || r.PostForm.Get("Body") == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"code":21604,"message":"To and Body are required"}`))
			return
		}
		m, dup := s.record(Sent{ID: fmt.Sprintf("SM%032d", s.seq.Add(1)), API: "twilio", To: r.PostForm.Get("To"),
			Body: r.PostForm.Get("Body"), IdempotencyKey: r.Header.Get("I-Twilio-Idempotency-Token")})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"sid": m.ID, "status": "queued", "to": m.To, "duplicate": dup})
	})
	mux.HandleFunc("POST /v1/projects/{project}/{send}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("send") != "messages:send" {
			http.NotFound(w, r)
			return
		}
		s.calls.Add(1)
		if s.failing.Load() {
			http.Error(w, `{"error":{"code":503,"status":"UNAVAILABLE"}}`, http.StatusServiceUnavailable)
			return
		}
		var body struct {
			Message struct {
				Token        string                       `json:"token"`
				Notification struct{ Title, Body string } `json:"notification"`
				Data         map[string]string            `json:"data"`
			} `json:"message"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body); err != nil || body.Message.Token == "" {
			http.Error(w, `{"error":{"code":400,"status":"INVALID_ARGUMENT"}}`, http.StatusBadRequest)
			return
		}
		m, _ := s.record(Sent{ID: fmt.Sprintf("projects/%s/messages/%d", r.PathValue("project"), s.seq.Add(1)), API: "fcm",
			To: body.Message.Token, Title: body.Message.Notification.Title, Body: body.Message.Notification.Body,
			IdempotencyKey: body.Message.Data["idempotency_key"]})
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"name": m.ID})
	})
	mux.HandleFunc("GET /sent", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Sent())
	})
	mux.HandleFunc("POST /failing", func(w http.ResponseWriter, r *http.Request) {
		s.SetFailing(strings.EqualFold(r.URL.Query().Get("on"), "true"))
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}
