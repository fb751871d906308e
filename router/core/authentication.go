package core

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/dizhtime/dizhtime/router/pkg/authn"
	"github.com/dizhtime/dizhtime/router/pkg/config"
)

// CodeUnauthenticated is the code of every refused token, whatever the reason: the
// reason (expired, forged, unknown key...) goes to logs, not to the client.
const CodeUnauthenticated = "UNAUTHENTICATED"

// authenticator turns a request's credentials into a verified identity.
//
// Every entry point calls it after stripping X-DizhTime-* from the client's headers, so
// the only identity a subgraph ever sees is one this router verified. With auth off it
// verifies nothing and every request is anonymous.
type authenticator struct {
	verifier *authn.Verifier // nil: auth is off
	required bool
	logger   *slog.Logger
}

func newAuthenticator(cfg config.Auth, logger *slog.Logger) *authenticator {
	a := &authenticator{required: cfg.Required, logger: logger}
	if cfg.Enabled() {
		a.verifier = authn.NewVerifier(authn.NewKeySet(cfg.JWKSURL), authn.Config{
			Issuer: cfg.Issuer, Audience: cfg.Audience, Leeway: 5 * time.Second,
		})
	}
	return a
}

var (
	errNoToken      = errors.New("an access token is required")
	errTokenExpired = errors.New("the access token expired")
)

// authenticate verifies token (present says whether the client sent one). It returns
// nil and no error for an anonymous caller when anonymous access is allowed.
func (a *authenticator) authenticate(ctx context.Context, token string, present bool) (*authn.Identity, error) {
	if a == nil || a.verifier == nil {
		return nil, nil
	}
	if !present {
		if a.required {
			return nil, errNoToken
		}
		return nil, nil
	}
	id, err := a.verifier.Verify(ctx, token)
	if err != nil {
		withTrace(ctx, a.logger).Info("access token refused", "reason", err)
		return nil, err
	}
	return &id, nil
}

// authenticateHTTP strips client-sent identity headers and verifies the Bearer token.
func (a *authenticator) authenticateHTTP(r *http.Request) (*authn.Identity, error) {
	authn.StripIdentityHeaders(r.Header)
	// Another scheme (Basic...) is not ours to verify: the caller is anonymous.
	token, present := authn.BearerToken(r.Header)
	return a.authenticate(r.Context(), token, present)
}

// unauthenticated is the client's view of a refused credential.
func unauthenticated(err error) clientError {
	msg := "the access token is not valid"
	switch {
	case errors.Is(err, errNoToken):
		msg = "an access token is required"
	case errors.Is(err, authn.ErrExpired), errors.Is(err, errTokenExpired):
		msg = "the access token expired"
	case errors.Is(err, authn.ErrJWKSUnavailable):
		msg = "the access token could not be verified"
	}
	return newError(CodeUnauthenticated, msg)
}

// writeUnauthenticated answers a refused credential on plain HTTP: 401 with a
// WWW-Authenticate challenge (RFC 6750), as Cosmo and Apollo Router do.
func writeUnauthenticated(w http.ResponseWriter, err error) {
	challenge := `Bearer realm="dizhtime"`
	if !errors.Is(err, errNoToken) {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeErrors(w, http.StatusUnauthorized, unauthenticated(err))
}
