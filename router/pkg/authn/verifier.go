package authn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// Refusals, one per reason.
var (
	ErrMalformed       = errors.New("token is malformed")
	ErrAlgNone         = errors.New("token is unsigned (alg none)")
	ErrAlgNotAllowed   = errors.New("token algorithm is not allowed")
	ErrUnknownKey      = errors.New("token signing key is unknown")
	ErrBadSignature    = errors.New("token signature does not verify")
	ErrExpired         = errors.New("token is expired")
	ErrNotYetValid     = errors.New("token is not valid yet")
	ErrWrongIssuer     = errors.New("token issuer is not accepted")
	ErrWrongAudience   = errors.New("token audience is not accepted")
	ErrMissingClaim    = errors.New("token lacks a required claim")
	ErrJWKSUnavailable = errors.New("signing keys are unavailable")
)

// KeyProvider finds a verification key by key id (KeySet does).
type KeyProvider interface {
	Key(ctx context.Context, kid string) (jwk.Key, error)
}

// Config says which tokens a Verifier accepts.
type Config struct {
	// Issuer, when set, must equal the iss claim.
	Issuer string
	// Audience, when set, must be one of the aud claim's values.
	Audience string
	// Leeway tolerates clock skew on exp and nbf (default 0).
	Leeway time.Duration
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// Verifier checks access tokens.
type Verifier struct {
	keys KeyProvider
	cfg  Config
}

// NewVerifier returns a Verifier over keys.
func NewVerifier(keys KeyProvider, cfg Config) *Verifier {
	if keys == nil {
		panic("authn: NewVerifier needs a key provider")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{keys: keys, cfg: cfg}
}

// allowed maps the accepted algorithms to the key type that must sign them. Pinning the
// key type stops RSA public keys being used as HMAC secrets and the like.
var allowed = map[string]struct {
	alg jwa.SignatureAlgorithm
	kty jwa.KeyType
}{
	"EdDSA": {jwa.EdDSA(), jwa.OKP()},
	"RS256": {jwa.RS256(), jwa.RSA()},
}

type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

type claims struct {
	Sub   string          `json:"sub"`
	Iss   string          `json:"iss"`
	Aud   json.RawMessage `json:"aud"`
	Exp   *json.Number    `json:"exp"`
	Nbf   *json.Number    `json:"nbf"`
	Roles []string        `json:"roles"`
}

// Verify checks token and returns the identity it carries.
func (v *Verifier) Verify(ctx context.Context, token string) (Identity, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return Identity{}, fmt.Errorf("%w: want three dot-separated parts", ErrMalformed)
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return Identity{}, fmt.Errorf("%w: header is not base64url", ErrMalformed)
	}
	var h header
	if err := json.Unmarshal(rawHeader, &h); err != nil {
		return Identity{}, fmt.Errorf("%w: header is not JSON", ErrMalformed)
	}
	if strings.EqualFold(h.Alg, "none") || h.Alg == "" {
		return Identity{}, ErrAlgNone
	}
	want, ok := allowed[h.Alg]
	if !ok {
		return Identity{}, fmt.Errorf("%w: %q", ErrAlgNotAllowed, h.Alg)
	}
	if parts[2] == "" {
		return Identity{}, fmt.Errorf("%w: no signature", ErrMalformed)
	}
	if h.Kid == "" {
		return Identity{}, fmt.Errorf("%w: no kid", ErrUnknownKey)
	}
	key, err := v.keys.Key(ctx, h.Kid)
	if err != nil {
		return Identity{}, err
	}
	if key.KeyType() != want.kty {
		return Identity{}, fmt.Errorf("%w: %s token names %s key %q", ErrBadSignature, h.Alg, key.KeyType(), h.Kid)
	}
	if keyAlg, ok := key.Algorithm(); ok && keyAlg.String() != h.Alg {
		return Identity{}, fmt.Errorf("%w: key %q is for %s", ErrBadSignature, h.Kid, keyAlg)
	}
	payload, err := jws.Verify([]byte(token), jws.WithKey(want.alg, key))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: key %q", ErrBadSignature, h.Kid)
	}
	var c claims
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return Identity{}, fmt.Errorf("%w: claims are not JSON", ErrMalformed)
	}
	if err := v.checkClaims(c); err != nil {
		return Identity{}, err
	}
	exp, _ := numericDate(*c.Exp) // checkClaims parsed it
	return Identity{UserID: c.Sub, Roles: c.Roles, KeyID: h.Kid, ExpiresAt: exp}, nil
}

func (v *Verifier) checkClaims(c claims) error {
	now := v.cfg.Now()
	if c.Sub == "" {
		return fmt.Errorf("%w: sub", ErrMissingClaim)
	}
	if c.Exp == nil {
		return fmt.Errorf("%w: exp", ErrMissingClaim)
	}
	exp, err := numericDate(*c.Exp)
	if err != nil {
		return fmt.Errorf("%w: exp: %v", ErrMalformed, err)
	}
	if !now.Before(exp.Add(v.cfg.Leeway)) {
		return fmt.Errorf("%w: at %s", ErrExpired, exp.UTC().Format(time.RFC3339))
	}
	if c.Nbf != nil {
		nbf, err := numericDate(*c.Nbf)
		if err != nil {
			return fmt.Errorf("%w: nbf: %v", ErrMalformed, err)
		}
		if now.Add(v.cfg.Leeway).Before(nbf) {
			return fmt.Errorf("%w: until %s", ErrNotYetValid, nbf.UTC().Format(time.RFC3339))
		}
	}
	if v.cfg.Issuer != "" && c.Iss != v.cfg.Issuer {
		return fmt.Errorf("%w: %q", ErrWrongIssuer, c.Iss)
	}
	if v.cfg.Audience != "" {
		var auds []string
		if len(c.Aud) > 0 {
			var one string
			if json.Unmarshal(c.Aud, &one) == nil {
				auds = []string{one}
			} else if json.Unmarshal(c.Aud, &auds) != nil {
				return fmt.Errorf("%w: aud", ErrMalformed)
			}
		}
		if !slices.Contains(auds, v.cfg.Audience) {
			return fmt.Errorf("%w: %v", ErrWrongAudience, auds)
		}
	}
	return nil
}

func numericDate(n json.Number) (time.Time, error) {
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, err
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), nil
}
