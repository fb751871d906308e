package authn

import (
	"fmt"
	"net/http"
	"os"
	"time"

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

// serviceTokenTTL bounds a captured token's use; each upstream request gets a fresh one.
const serviceTokenTTL = 60 * time.Second

// ServiceSigner signs what the router forwards to a subgraph: a JWT with iss "router",
// aud the subgraph's name, the verified user (sub, roles) and the client's address (cip),
// valid for a minute. Subgraphs verify it with the router's public key (platform/authz).
type ServiceSigner struct {
	key jwk.Key
	now func() time.Time
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
	return &ServiceSigner{key: key, now: time.Now}, nil
}

// Sign returns the token for one upstream request to subgraph on behalf of user (nil:
// anonymous) from clientIP ("" when unknown).
func (s *ServiceSigner) Sign(subgraph string, user *Identity, clientIP string) (string, error) {
	now := s.now()
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
