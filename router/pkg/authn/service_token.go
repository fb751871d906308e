package authn

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// HeaderServiceToken carries the token the router signs for each upstream request. It
// must match platform/authz.HeaderServiceToken; it starts with X-DizhTime- so
// StripIdentityHeaders removes any copy a client sends.
const HeaderServiceToken = "X-DizhTime-Service-Token"

// routerService is the router's service name: the iss of its tokens and the kid of its
// key, the one issuer subgraphs trust with a user's identity.
const routerService = "router"

// serviceTokenTTL bounds a captured token's use.
const serviceTokenTTL = 60 * time.Second

// serviceTokenReuse is how long one signed token serves further requests with the same
// claims (subgraph, user, roles, client address): half its life, so a reused token always
// has at least 30 s left when it leaves. Signing costs an Ed25519 signature plus JSON per
// fetch; the claims are identical for a user's burst of requests, so the token can be too.
const serviceTokenReuse = serviceTokenTTL / 2

// serviceTokenCacheSize bounds the reuse cache (one entry per subgraph × identity × address).
const serviceTokenCacheSize = 16384

type cachedServiceToken struct {
	token    string
	signedAt time.Time
}

// ServiceSigner signs what the router forwards to a subgraph: a JWT with iss "router",
// aud the subgraph's name, the verified user (sub, roles) and the client's address (cip),
// valid for a minute. Subgraphs verify it with the router's public key (platform/authz).
type ServiceSigner struct {
	key   jwk.Key
	now   func() time.Time
	cache *lru.Cache[string, cachedServiceToken]
}

// LoadServiceSigner reads the router's private key (a JWK whose kid is "router").
func LoadServiceSigner(path string) (*ServiceSigner, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("router service key: %w", err)
	}
	key, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("router service key %s: %w", path, err)
	}
	return NewServiceSigner(key)
}

// NewServiceSigner signs with key (an Ed25519 private JWK whose kid is "router").
func NewServiceSigner(key jwk.Key) (*ServiceSigner, error) {
	if kid, _ := key.KeyID(); kid != routerService {
		return nil, fmt.Errorf("router service key: kid is %q, want %q", kid, routerService)
	}
	if key.KeyType() != jwa.OKP() {
		return nil, fmt.Errorf("router service key: want an Ed25519 (OKP) key, got %s", key.KeyType())
	}
	cache, err := lru.New[string, cachedServiceToken](serviceTokenCacheSize)
	if err != nil {
		return nil, err
	}
	return &ServiceSigner{key: key, now: time.Now, cache: cache}, nil
}

// WithClock makes s read time from now (tests).
func (s *ServiceSigner) WithClock(now func() time.Time) *ServiceSigner {
	s.now = now
	return s
}

// Sign returns the token for one upstream request to subgraph on behalf of user (nil:
// anonymous) from clientIP ("" when unknown). A token signed for the same claims less than
// serviceTokenReuse ago is returned again instead of signing anew.
func (s *ServiceSigner) Sign(subgraph string, user *Identity, clientIP string) (string, error) {
	now := s.now()
	key := serviceTokenKey(subgraph, user, clientIP)
	if c, ok := s.cache.Get(key); ok && now.Sub(c.signedAt) < serviceTokenReuse && !now.Before(c.signedAt) {
		return c.token, nil
	}
	token, err := s.sign(now, subgraph, user, clientIP)
	if err != nil {
		return "", err
	}
	s.cache.Add(key, cachedServiceToken{token: token, signedAt: now})
	return token, nil
}

// serviceTokenKey names the claims a token carries; two requests with the same key get
// interchangeable tokens.
func serviceTokenKey(subgraph string, user *Identity, clientIP string) string {
	var b strings.Builder
	b.WriteString(subgraph)
	b.WriteByte(0)
	b.WriteString(clientIP)
	b.WriteByte(0)
	if user != nil {
		b.WriteByte('u')
		b.WriteString(user.UserID)
		for _, r := range user.Roles {
			b.WriteByte(0)
			b.WriteString(r)
		}
	}
	return b.String()
}

func (s *ServiceSigner) sign(now time.Time, subgraph string, user *Identity, clientIP string) (string, error) {
	b := jwt.NewBuilder().Issuer(routerService).Audience([]string{subgraph}).
		IssuedAt(now).Expiration(now.Add(serviceTokenTTL))
	if user != nil {
		roles := user.Roles
		if roles == nil {
			roles = []string{}
		}
		b = b.Subject(user.UserID).Claim("roles", roles)
	}
	if clientIP != "" {
		b = b.Claim("cip", clientIP)
	}
	tok, err := b.Build()
	if err != nil {
		return "", err
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA(), s.key))
	if err != nil {
		return "", fmt.Errorf("sign upstream token for %s: %w", subgraph, err)
	}
	return string(signed), nil
}

// SetServiceToken puts a token for subgraph into h (after StripIdentityHeaders).
func (s *ServiceSigner) SetServiceToken(h http.Header, subgraph string, user *Identity, clientIP string) error {
	token, err := s.Sign(subgraph, user, clientIP)
	if err != nil {
		return err
	}
	h.Set(HeaderServiceToken, token)
	return nil
}
