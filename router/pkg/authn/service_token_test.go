package authn_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"strconv"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
)

func newServiceSigner(t *testing.T, now *time.Time) (*authn.ServiceSigner, jwk.Key) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwk.Import(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := key.Set(jwk.KeyIDKey, "router"); err != nil {
		t.Fatal(err)
	}
	s, err := authn.NewServiceSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	pubKey, err := jwk.Import(pub)
	if err != nil {
		t.Fatal(err)
	}
	return s.WithClock(func() time.Time { return *now }), pubKey
}

// The router reuses a signed upstream token for identical claims for half its life, so a
// reused token always leaves with at least 30 s of validity, and never hands one user's,
// role set's, address's or subgraph's token to another.
func TestServiceSigner_reusesATokenOnlyForIdenticalClaimsAndOnlyWhileItHasHalfItsLifeLeft(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s, pub := newServiceSigner(t, &now)
	alice := &authn.Identity{UserID: "alice", Roles: []string{"CUSTOMER"}}
	sign := func(subgraph string, user *authn.Identity, ip string) string {
		t.Helper()
		tok, err := s.Sign(subgraph, user, ip)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	first := sign("orders", alice, "10.0.0.1")
	now = now.Add(29 * time.Second)
	if again := sign("orders", alice, "10.0.0.1"); again != first {
		t.Fatal("a token for identical claims was signed anew 29 s later; want it reused")
	}
	parsed, err := jwt.Parse([]byte(first), jwt.WithKey(jwa.EdDSA(), pub), jwt.WithClock(jwt.ClockFunc(func() time.Time { return now })))
	if err != nil {
		t.Fatalf("the reused token does not verify at the time it is reused: %v", err)
	}
	if exp, _ := parsed.Expiration(); exp.Sub(now) < 30*time.Second {
		t.Fatalf("the reused token has %s left, want at least 30 s", exp.Sub(now))
	}

	others := map[string]string{
		"another subgraph": sign("wallet", alice, "10.0.0.1"),
		"another address":  sign("orders", alice, "10.0.0.2"),
		"another user":     sign("orders", &authn.Identity{UserID: "bob", Roles: []string{"CUSTOMER"}}, "10.0.0.1"),
		"another role set": sign("orders", &authn.Identity{UserID: "alice", Roles: []string{"CUSTOMER", "ADMIN"}}, "10.0.0.1"),
		"anonymous":        sign("orders", nil, "10.0.0.1"),
	}
	for name, tok := range others {
		if tok == first {
			t.Errorf("%s got alice's orders token", name)
		}
	}
	bob, err := jwt.Parse([]byte(others["another user"]), jwt.WithKey(jwa.EdDSA(), pub), jwt.WithClock(jwt.ClockFunc(func() time.Time { return now })))
	if err != nil {
		t.Fatal(err)
	}
	if sub, _ := bob.Subject(); sub != "bob" {
		t.Fatalf("bob's token names %q", sub)
	}

	now = now.Add(2 * time.Second) // 31 s after the first signature
	if fresh := sign("orders", alice, "10.0.0.1"); fresh == first {
		t.Fatal("a token past half its life was reused; want a fresh one")
	}
}

func BenchmarkServiceSigner_sameIdentity(b *testing.B) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	key, _ := jwk.Import(priv)
	_ = key.Set(jwk.KeyIDKey, "router")
	s, err := authn.NewServiceSigner(key)
	if err != nil {
		b.Fatal(err)
	}
	user := &authn.Identity{UserID: "alice", Roles: []string{"CUSTOMER"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign("orders", user, "10.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

// The cost of a signature the cache cannot save (a new identity each time).
func BenchmarkServiceSigner_newIdentityEachTime(b *testing.B) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	key, _ := jwk.Import(priv)
	_ = key.Set(jwk.KeyIDKey, "router")
	s, err := authn.NewServiceSigner(key)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		user := &authn.Identity{UserID: "user-" + strconv.Itoa(i), Roles: []string{"CUSTOMER"}}
		if _, err := s.Sign("orders", user, "10.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}
