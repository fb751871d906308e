package authz

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Service identity: who is calling a subgraph, proved, not asserted.
//
// Every DizhTime process holds an Ed25519 signing key of its own (kid = its service name)
// and the public keys of the services it trusts (one JWKS file written by whoever deploys
// the set: platform/stack for `make run` and the end-to-end tests). A call from one
// service to another carries a short-lived JWT in HeaderServiceToken: iss = the caller,
// aud = the callee, signed with the caller's key. The router is the one service whose
// tokens may speak for a user: it puts the identity it verified (sub, roles) and the
// client's address into the token it signs per upstream request.
//
// A signed token per request, not mutual TLS: it rides the plain HTTP and WebSocket
// connections the router and subgraphs already use (no listener, dialer or URL changes),
// it binds the user and client address to the credential that proves the sender, and
// its audience stops a token captured at one subgraph being replayed at another.

// HeaderServiceToken carries the caller's service token. The router strips every
// X-DizhTime-* header a client sends, this one included.
const HeaderServiceToken = "X-DizhTime-Service-Token"

// RouterService is the service name of the router: the one issuer trusted with a user's
// identity.
const RouterService = "router"

// ServiceTokenTTL is how long a service token lives: long enough for clock skew between
// hosts, short enough that a captured token is soon worthless.
const ServiceTokenTTL = 60 * time.Second

// Environment variables a process reads its service identity from (platform/stack sets
// them for every process it starts).
const (
	EnvServiceName     = "DIZHTIME_SERVICE"
	EnvServiceKeyFile  = "DIZHTIME_SERVICE_KEY_FILE"
	EnvServiceJWKSFile = "DIZHTIME_SERVICE_JWKS_FILE"
)

// Claim names beyond the registered ones.
const (
	claimRoles    = "roles"
	claimClientIP = "cip"
)

// Refusals of a service token.
var (
	ErrNoServiceToken      = errors.New("no service token")
	ErrUntrustedService    = errors.New("service token is signed by a key this service does not trust")
	ErrInvalidServiceToken = errors.New("service token does not verify")
)

// ServiceIdentity is this process's service key and the public keys it trusts.
type ServiceIdentity struct {
	name string
	key  jwk.Key // private
	now  func() time.Time

	mu        sync.RWMutex
	trusted   jwk.Set  // public keys by kid (= service name); includes our own
	audiences []string // names this process answers to: its own, plus AnswerAs
}

// ServiceCall is what a verified service token says.
type ServiceCall struct {
	// Caller is the service that signed the token.
	Caller string
	// User is the identity the router vouches for (nil: anonymous, or a service's own call).
	User *Identity
	// ClientIP is the end client's address the router saw ("" when not a client request).
	ClientIP string
}

// NewServiceIdentity makes an identity from a private key and the trusted public keys.
// Its own public key is always trusted.
func NewServiceIdentity(name string, key jwk.Key, trusted jwk.Set) (*ServiceIdentity, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("service identity: empty service name")
	}
	if key == nil {
		return nil, errors.New("service identity: no key")
	}
	if kid, _ := key.KeyID(); kid != name {
		return nil, fmt.Errorf("service identity: key id %q is not the service name %q", kid, name)
	}
	pub, err := key.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("service identity %s: public key: %w", name, err)
	}
	set := jwk.NewSet()
	if trusted != nil {
		for i := range trusted.Len() {
			k, _ := trusted.Key(i)
			if kid, _ := k.KeyID(); kid == name {
				continue // ours replaces whatever the file says about us
			}
			if err := set.AddKey(k); err != nil {
				return nil, fmt.Errorf("service identity %s: trusted key: %w", name, err)
			}
		}
	}
	if err := set.AddKey(pub); err != nil {
		return nil, fmt.Errorf("service identity %s: own public key: %w", name, err)
	}
	return &ServiceIdentity{name: name, key: key, trusted: set, audiences: []string{name}, now: time.Now}, nil
}

// Trust adds (or replaces) a service's public key; its kid names the service.
func (s *ServiceIdentity) Trust(pub jwk.Key) error {
	kid, _ := pub.KeyID()
	if kid == "" || kid == s.name {
		return fmt.Errorf("service identity %s: cannot trust a key with kid %q", s.name, kid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.trusted.LookupKeyID(kid); ok {
		_ = s.trusted.RemoveKey(old)
	}
	return s.trusted.AddKey(pub)
}

// AnswerAs makes tokens addressed to names acceptable too: for a process that serves
// several subgraphs (the in-process subgraphs of a test behind a real router).
func (s *ServiceIdentity) AnswerAs(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		if !slices.Contains(s.audiences, n) {
			s.audiences = append(s.audiences, n)
		}
	}
}

// GenerateServiceKey returns a new Ed25519 private key named for service.
func GenerateServiceKey(service string) (jwk.Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	key, err := jwk.Import(priv)
	if err != nil {
		return nil, err
	}
	if err := key.Set(jwk.KeyIDKey, service); err != nil {
		return nil, err
	}
	if err := key.Set(jwk.AlgorithmKey, jwa.EdDSA()); err != nil {
		return nil, err
	}
	return key, nil
}

// LoadServiceIdentity reads the private key file (a JWK) and the trusted JWKS file.
func LoadServiceIdentity(name, keyFile, jwksFile string) (*ServiceIdentity, error) {
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("service key: %w", err)
	}
	key, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("service key %s: %w", keyFile, err)
	}
	var trusted jwk.Set
	if jwksFile != "" {
		raw, err := os.ReadFile(jwksFile)
		if err != nil {
			return nil, fmt.Errorf("trusted service keys: %w", err)
		}
		if trusted, err = jwk.Parse(raw); err != nil {
			return nil, fmt.Errorf("trusted service keys %s: %w", jwksFile, err)
		}
	}
	return NewServiceIdentity(name, key, trusted)
}

// ServiceKeyFiles are the files WriteServiceKeys wrote.
type ServiceKeyFiles struct {
	// Keys maps each service to its private key file.
	Keys map[string]string
	// JWKS holds every service's public key.
	JWKS string
}

// Env is the environment that gives service its identity (EnvServiceKeyFile and
// EnvServiceJWKSFile; the service name comes from DIZHTIME_SERVICE).
func (f ServiceKeyFiles) Env(service string) []string {
	return []string{EnvServiceKeyFile + "=" + f.Keys[service], EnvServiceJWKSFile + "=" + f.JWKS}
}

// WriteServiceKeys creates a key per service in dir (private keys 0600) and one JWKS of
// their public halves. Deployments run it once per set of processes (platform/stack
// does, at every start: the keys live as long as the processes).
func WriteServiceKeys(dir string, services []string) (ServiceKeyFiles, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ServiceKeyFiles{}, err
	}
	files := ServiceKeyFiles{Keys: map[string]string{}, JWKS: filepath.Join(dir, "services.jwks.json")}
	public := jwk.NewSet()
	for _, s := range services {
		key, err := GenerateServiceKey(s)
		if err != nil {
			return ServiceKeyFiles{}, fmt.Errorf("service key %s: %w", s, err)
		}
		raw, err := json.Marshal(key)
		if err != nil {
			return ServiceKeyFiles{}, err
		}
		path := filepath.Join(dir, s+".jwk")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			return ServiceKeyFiles{}, err
		}
		files.Keys[s] = path
		pub, err := key.PublicKey()
		if err != nil {
			return ServiceKeyFiles{}, err
		}
		if err := public.AddKey(pub); err != nil {
			return ServiceKeyFiles{}, err
		}
	}
	raw, err := json.Marshal(public)
	if err != nil {
		return ServiceKeyFiles{}, err
	}
	if err := os.WriteFile(files.JWKS, raw, 0o644); err != nil {
		return ServiceKeyFiles{}, err
	}
	return files, nil
}

// PrivateKey is the signing key (to hand to a process that must speak with it: the
// router binary a test starts, see platform/routertest).
func (s *ServiceIdentity) PrivateKey() jwk.Key { return s.key }

// Name is the service this identity belongs to.
func (s *ServiceIdentity) Name() string { return s.name }

// Sign returns a token for a call to audience. user and clientIP are set only by the
// router (other services' user claims are ignored by the callee) and by tests that play
// the router against an in-process subgraph.
func (s *ServiceIdentity) Sign(audience string, user *Identity, clientIP string) (string, error) {
	now := s.now()
	b := jwt.NewBuilder().Issuer(s.name).Audience([]string{audience}).
		IssuedAt(now).Expiration(now.Add(ServiceTokenTTL))
	if user != nil {
		roles := make([]string, len(user.Roles))
		for i, r := range user.Roles {
			roles[i] = string(r)
		}
		b = b.Subject(user.UserID).Claim(claimRoles, roles)
	}
	if clientIP != "" {
		b = b.Claim(claimClientIP, clientIP)
	}
	tok, err := b.Build()
	if err != nil {
		return "", err
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA(), s.key))
	if err != nil {
		return "", fmt.Errorf("sign service token for %s: %w", audience, err)
	}
	return string(signed), nil
}

// Verify checks a token addressed to this service: signed by a trusted service's key,
// iss naming that service, aud naming us, not expired. The user it carries is kept only
// when the signer is the router (or this very process, which holds its own key).
func (s *ServiceIdentity) Verify(token string) (ServiceCall, error) {
	if token == "" {
		return ServiceCall{}, ErrNoServiceToken
	}
	msg, err := jws.Parse([]byte(token))
	if err != nil || len(msg.Signatures()) != 1 {
		return ServiceCall{}, fmt.Errorf("%w: malformed", ErrInvalidServiceToken)
	}
	hdr := msg.Signatures()[0].ProtectedHeaders()
	kid, _ := hdr.KeyID()
	if alg, _ := hdr.Algorithm(); alg != jwa.EdDSA() {
		return ServiceCall{}, fmt.Errorf("%w: algorithm %s", ErrInvalidServiceToken, alg)
	}
	s.mu.RLock()
	pub, ok := s.trusted.LookupKeyID(kid)
	audiences := s.audiences
	s.mu.RUnlock()
	if !ok || kid == "" {
		return ServiceCall{}, fmt.Errorf("%w: %q", ErrUntrustedService, kid)
	}
	tok, err := jwt.Parse([]byte(token), jwt.WithKey(jwa.EdDSA(), pub),
		jwt.WithIssuer(kid), jwt.WithRequiredClaim("exp"), jwt.WithRequiredClaim("aud"),
		jwt.WithClock(jwt.ClockFunc(s.now)), jwt.WithAcceptableSkew(5*time.Second))
	if err != nil {
		return ServiceCall{}, fmt.Errorf("%w: from %s: %v", ErrInvalidServiceToken, kid, err)
	}
	// A token this very process signed is accepted whatever service it addressed: only
	// this process holds the key (tests host several subgraphs in one process).
	aud, _ := tok.Audience()
	if kid != s.name && !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(audiences, a) }) {
		return ServiceCall{}, fmt.Errorf("%w: from %s: addressed to %v, not %v", ErrInvalidServiceToken, kid, aud, audiences)
	}
	call := ServiceCall{Caller: kid}
	if kid != RouterService && kid != s.name {
		return call, nil
	}
	if sub, ok := tok.Subject(); ok && sub != "" {
		id := Identity{UserID: sub}
		var roles []any
		_ = tok.Get(claimRoles, &roles)
		for _, r := range roles {
			if role, _ := r.(string); Role(role).Valid() && !slices.Contains(id.Roles, Role(role)) {
				id.Roles = append(id.Roles, Role(role))
			}
		}
		call.User = &id
	}
	var ip string
	if tok.Get(claimClientIP, &ip) == nil {
		call.ClientIP = ip
	}
	return call, nil
}
