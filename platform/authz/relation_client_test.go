package authz_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
)

func TestRelationClient_asksTheCheckAPIAndCachesTheAnswerForItsTTL(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		q := r.URL.Query()
		if r.URL.Path != "/internal/relations/check" {
			http.NotFound(w, r)
			return
		}
		allowed := q.Get("namespace") == "restaurant" && q.Get("object") == "42" &&
			q.Get("relation") == "staff" && q.Get("subject") == "user:7"
		_ = json.NewEncoder(w).Encode(map[string]bool{"allowed": allowed})
	}))
	defer srv.Close()

	now := time.Unix(1000, 0)
	c := authz.NewRelationClient(srv.URL, authz.WithTTL(2*time.Second), authz.WithClock(func() time.Time { return now }))
	yes := authz.Tuple{Namespace: "restaurant", Object: "42", Relation: "staff", Subject: "user:7"}
	no := authz.Tuple{Namespace: "restaurant", Object: "43", Relation: "staff", Subject: "user:7"}
	for range 3 {
		if ok, err := c.Check(context.Background(), yes); err != nil || !ok {
			t.Fatalf("check yes = %v, %v", ok, err)
		}
		if ok, err := c.Check(context.Background(), no); err != nil || ok {
			t.Fatalf("check no = %v, %v", ok, err)
		}
	}
	if calls.Load() != 2 {
		t.Errorf("%d calls within the TTL, want 2", calls.Load())
	}
	now = now.Add(3 * time.Second)
	_, _ = c.Check(context.Background(), yes)
	if calls.Load() != 3 {
		t.Errorf("%d calls after the TTL, want 3", calls.Load())
	}
}

func TestRelationClient_failsWhenTheServiceAnswersWithAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	_, err := authz.NewRelationClient(srv.URL).Check(context.Background(), authz.Tuple{Namespace: "restaurant", Object: "1", Relation: "staff", Subject: "user:1"})
	if err == nil {
		t.Fatal("no error")
	}
}
