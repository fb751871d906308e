package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

type mail struct {
	ID, MessageID, Subject string
}

// mailTo lists what Mailpit received for addr (its HTTP API).
func mailTo(t *testing.T, addr string) []mail {
	t.Helper()
	resp, err := http.Get(mailpitURL() + "/api/v1/search?query=" + url.QueryEscape("to:"+addr))
	if err != nil {
		t.Fatalf("Mailpit is not reachable at %s (deploy/local/services.sh up mailpit): %v", mailpitURL(), err)
	}
	defer resp.Body.Close()
	var out struct{ Messages []mail }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}
