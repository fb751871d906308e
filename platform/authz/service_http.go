package authz

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"
)

var process struct {
	once sync.Once
	id   *ServiceIdentity
}

// ProcessServiceIdentity is this process's service identity, read once from the
// environment: the service name (EnvServiceName), its private key (EnvServiceKeyFile) and
// the keys it trusts (EnvServiceJWKSFile). Without a key file the process makes a key
// for itself that nobody else trusts: it then accepts a user only from itself, never
// from another process. Such a process without a service name plays the router for
// itself (tests that sign identities in-process; platform/routertest hands the same key
// to the router binary it starts). A key file that cannot be read is logged and treated
// the same way, so a bad deployment fails closed.
func ProcessServiceIdentity() *ServiceIdentity {
	process.once.Do(func() {
		name := os.Getenv(EnvServiceName)
		if name == "" {
			name = RouterService
		}
		if keyFile := os.Getenv(EnvServiceKeyFile); keyFile != "" {
			id, err := LoadServiceIdentity(name, keyFile, os.Getenv(EnvServiceJWKSFile))
			if err == nil {
				process.id = id
				return
			}
			slog.Error("service identity: cannot load the configured key; no other service will be trusted", "error", err)
		}
		key, err := GenerateServiceKey(name)
		if err != nil {
			panic("service identity: generate a key: " + err.Error())
		}
		id, err := NewServiceIdentity(name, key, nil)
		if err != nil {
			panic(err.Error())
		}
		process.id = id
	})
	return process.id
}

type serviceCallKey struct{}

// ServiceCallFrom returns the verified service call that carried the request, if any.
func ServiceCallFrom(ctx context.Context) (ServiceCall, bool) {
	c, ok := ctx.Value(serviceCallKey{}).(ServiceCall)
	return c, ok
}

// ClientIPFrom is the end client's address the router vouched for ("" when unknown).
func ClientIPFrom(ctx context.Context) string {
	c, _ := ServiceCallFrom(ctx)
	return c.ClientIP
}

// Middleware puts the identity the router vouched for into the request context, using
// the process's service identity (see MiddlewareFor).
func Middleware(next http.Handler) http.Handler {
	return MiddlewareFor(ProcessServiceIdentity(), next)
}

// MiddlewareFor verifies the service token of every request to a subgraph's GraphQL
// endpoint (HTTP and WebSocket upgrade alike). A valid token's user, if any, becomes the
// request's identity. A request with no token and no identity headers goes on
// anonymously (resolvers decide what anonymous callers get); a request whose token does
// not verify, or that claims an identity in X-DizhTime-* headers without one, is refused
// with 401 UNAUTHENTICATED: those headers are only ever believed inside a signed token.
func MiddlewareFor(svc *ServiceIdentity, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get(HeaderServiceToken)
		if token == "" {
			if r.Header.Get(HeaderUserID) != "" || r.Header.Get(HeaderRoles) != "" {
				refuse(w, r, ErrNoServiceToken)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		call, err := svc.Verify(token)
		if err != nil {
			refuse(w, r, err)
			return
		}
		ctx := context.WithValue(r.Context(), serviceCallKey{}, call)
		if call.User != nil {
			ctx = WithIdentity(ctx, *call.User)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// RequireService guards an internal API: only a request carrying a service token
// addressed to this process gets through; others get 401 UNAUTHENTICATED.
func RequireService(next http.Handler) http.Handler {
	return RequireServiceFor(ProcessServiceIdentity(), next)
}

// RequireServiceFor is RequireService with an explicit identity.
func RequireServiceFor(svc *ServiceIdentity, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call, err := svc.Verify(r.Header.Get(HeaderServiceToken))
		if err != nil {
			refuse(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), serviceCallKey{}, call)))
	})
}

// refuse answers 401 with a GraphQL error body; the reason goes to the log only.
func refuse(w http.ResponseWriter, r *http.Request, err error) {
	slog.InfoContext(r.Context(), "service token refused", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
	msg := "only the router may speak for a user"
	if errors.Is(err, ErrNoServiceToken) && r.Header.Get(HeaderUserID) == "" {
		msg = "a service credential is required"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]string{"code": "UNAUTHENTICATED"},
	}}})
}

// ServiceTransport signs every request it carries with a service token for Audience.
type ServiceTransport struct {
	// Audience is the callee's service name ("identity", "restaurants"...).
	Audience string
	// Identity signs (nil: ProcessServiceIdentity()).
	Identity *ServiceIdentity
	// Base carries the request (nil: http.DefaultTransport).
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t ServiceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	id := t.Identity
	if id == nil {
		id = ProcessServiceIdentity()
	}
	token, err := id.Sign(t.Audience, nil, "")
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Header.Set(HeaderServiceToken, token)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

// NewServiceClient is an HTTP client whose requests carry this process's service token
// for audience.
func NewServiceClient(audience string, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: ServiceTransport{Audience: audience}}
}
