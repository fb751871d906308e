package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// cachedJWKS verifies tokens the way a verifier with a JWKS cache does: only against the
// set it last fetched, refetched on a period, never on an unknown key. A token signed by
// a key that was not published a period before it signed fails here.
type cachedJWKS struct {
	url string
	mu  sync.Mutex
	set jwk.Set
}

func (c *cachedJWKS) refresh(t *testing.T) {
	resp, err := http.Get(c.url)
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	set, err := jwk.Parse(raw)
	if err != nil {
		t.Errorf("jwks: %v: %s", err, raw)
		return
	}
	c.mu.Lock()
	c.set = set
	c.mu.Unlock()
}

func (c *cachedJWKS) verify(token string) (string, error) {
	c.mu.Lock()
	set := c.set
	c.mu.Unlock()
	msg, err := jws.Parse([]byte(token))
	if err != nil {
		return "", err
	}
	kid, _ := msg.Signatures()[0].ProtectedHeaders().KeyID()
	_, err = jws.Verify([]byte(token), jws.WithKeySet(set, jws.WithRequireKid(true)))
	return kid, err
}

func TestSigningKeys_rotateThemselvesUnderLiveTrafficWithoutAFailedSignInOrToken(t *testing.T) {
	cfg := testConfig()
	cfg.KeyLifetime = 1500 * time.Millisecond
	cfg.KeyPublishAhead = 700 * time.Millisecond
	cfg.AccessTTL = 3 * time.Second
	id := startIdentity(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	rotationDone := make(chan struct{})
	go func() {
		defer close(rotationDone)
		_ = id.svc.App.RunKeyRotation(ctx, func(err error) { t.Errorf("rotation: %v", err) })
	}()
	defer func() { cancel(); <-rotationDone }()

	jwks := &cachedJWKS{url: id.srv.URL + "/.well-known/jwks.json"}
	jwks.refresh(t)
	stopRefresh := make(chan struct{})
	refreshed := make(chan struct{})
	go func() {
		defer close(refreshed)
		for {
			select {
			case <-stopRefresh:
				return
			case <-time.After(250 * time.Millisecond): // well inside the publish-ahead
				jwks.refresh(t)
			}
		}
	}()
	defer func() { close(stopRefresh); <-refreshed }()

	do := func(q string, v map[string]any) *routertest.Response { return id.do(t, nil, q, v) }
	email := uniqueEmail()
	register(t, do, email, "correct horse battery")
	type issued struct {
		token string
		exp   time.Time
	}
	var live []issued
	kids := map[string]bool{}
	deadline := time.Now().Add(6 * time.Second) // four lifetimes: several rotations
	signIns := 0
	for time.Now().Before(deadline) {
		resp := do(loginMutation, map[string]any{"e": email, "p": "correct horse battery"})
		if len(resp.Errors) > 0 {
			t.Fatalf("sign-in %d failed during rotation: %+v", signIns, resp.Errors)
		}
		signIns++
		tok := decodeField(t, resp, "login").AccessToken
		kid, err := jwks.verify(tok)
		if err != nil {
			t.Fatalf("a fresh token (key %s) does not verify against the published keys: %v", kid, err)
		}
		kids[kid] = true
		live = append(live, issued{tok, time.Now().Add(cfg.AccessTTL)})
		// Every earlier token still inside its lifetime still verifies: old keys stay
		// published until their tokens expire.
		for _, old := range live {
			if time.Until(old.exp) > 200*time.Millisecond {
				if kid, err := jwks.verify(old.token); err != nil {
					t.Fatalf("an unexpired token signed by %s stopped verifying: %v", kid, err)
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(kids) < 3 {
		t.Fatalf("%d sign-ins were signed by %d keys in 6 s with 1.5 s lifetimes: the keys did not rotate", signIns, len(kids))
	}
	t.Logf("%d sign-ins, %d signing keys, no failure", signIns, len(kids))
}

func TestRegister_theAccessTokenNamesTheNewAccount(t *testing.T) {
	id := startIdentity(t, testConfig())
	reg := register(t, id.direct(t), uniqueEmail(), "correct horse battery")
	msg, err := jws.Parse([]byte(reg.AccessToken))
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(msg.Payload(), &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Sub == "" || claims.Sub != reg.User.ID {
		t.Fatalf("the registration's token names %q, the account is %q", claims.Sub, reg.User.ID)
	}
}
