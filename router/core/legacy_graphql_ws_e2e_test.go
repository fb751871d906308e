package core_test

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLegacyGraphQLWS_anApolloSubscriptionsTransportWSClientGetsEveryEventFromTheFirst
// subscribes through the router with Apollo's subscriptions-transport-ws client (the legacy
// graphql-ws protocol, router/clients/legacy-subscribe.mjs), the way it really behaves: it
// sends start right behind connection_init, without waiting for connection_ack. Every event
// of the stream arrives, the first ones included, then complete; a second client on the
// same operation gets its own full stream too.
func TestLegacyGraphQLWS_anApolloSubscriptionsTransportWSClientGetsEveryEventFromTheFirst(t *testing.T) {
	dir := clientsDir(t, "subscriptions-transport-ws")
	issuer := newTokenIssuer(t)
	r := startRouter(t, "graphql-transport-ws", withAuth(issuer, true))
	token := issuer.token(t, "7", 10*time.Minute, "CUSTOMER")
	wsURL := "ws" + strings.TrimPrefix(r.URL, "http")
	const query = `subscription { reviewAdded(upc: "1", count: 3, intervalMs: 1) { body } }`
	for i := 1; i <= 3; i++ {
		cmd := exec.Command("node", filepath.Join(dir, "legacy-subscribe.mjs"), wsURL, token, query, "{}", "20")
		cmd.Dir = dir
		cmd.Stderr = &testLogWriter{t: t}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("client %d: %v\n%s", i, err, out)
		}
		var bodies []string
		completed := false
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			var ev struct {
				Data *struct {
					ReviewAdded struct{ Body string }
				}
				Errors   json.RawMessage
				Error    string
				Complete bool
			}
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatalf("client %d printed %q", i, sc.Text())
			}
			switch {
			case ev.Error != "" || len(ev.Errors) > 0:
				t.Fatalf("client %d: %s", i, sc.Text())
			case ev.Data != nil:
				bodies = append(bodies, ev.Data.ReviewAdded.Body)
			case ev.Complete:
				completed = true
			}
		}
		if strings.Join(bodies, ",") != "event 1,event 2,event 3" || !completed {
			t.Errorf("client %d got %v (complete %v); want event 1..3 then complete\n%s", i, bodies, completed, out)
		}
	}
}
