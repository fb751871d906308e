package authn

import (
	"net/http"
	"strings"
	"time"
)

// Header names for the verified identity forwarded to subgraphs. They must match
// platform/authz (HeaderUserID, HeaderRoles).
const (
	HeaderUserID = "X-DizhTime-User-Id"
	HeaderRoles  = "X-DizhTime-Roles"
)

// identityHeaderPrefix covers the forwarded identity headers and any added later.
const identityHeaderPrefix = "X-Dizhtime-"

// Identity is the caller a token proved.
type Identity struct {
	UserID string
	Roles  []string
	// KeyID is the signing key that verified the token (for logs).
	KeyID string
	// ExpiresAt is the token's exp: a long-lived connection authenticated by it ends then.
	ExpiresAt time.Time
}

// StripIdentityHeaders removes every X-DizhTime-* header from h: only the router may
// set them, after verifying a token.
func StripIdentityHeaders(h http.Header) {
	for name := range h {
		if strings.HasPrefix(http.CanonicalHeaderKey(name), identityHeaderPrefix) {
			delete(h, name)
		}
	}
}

// SetIdentityHeaders writes id into h for the subgraphs (after StripIdentityHeaders).
func SetIdentityHeaders(h http.Header, id Identity) {
	h.Set(HeaderUserID, id.UserID)
	h.Set(HeaderRoles, strings.Join(id.Roles, ","))
}

// BearerToken returns the token of an "Authorization: Bearer <token>" header.
func BearerToken(h http.Header) (string, bool) {
	v := h.Get("Authorization")
	scheme, token, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// TokenFromInitPayload returns the token a WebSocket client sent in connection_init:
// {"Authorization": "Bearer <t>"}, {"authorization": ...}, {"headers": {"Authorization":
// ...}} (what GraphiQL and some clients send), {"authToken": "<t>"} or {"token": "<t>"}.
func TokenFromInitPayload(payload map[string]any) (string, bool) {
	if headers, ok := payload["headers"].(map[string]any); ok {
		if tok, ok := TokenFromInitPayload(map[string]any{"Authorization": headers["Authorization"], "authorization": headers["authorization"]}); ok {
			return tok, true
		}
	}
	for _, key := range []string{"Authorization", "authorization"} {
		if s, ok := payload[key].(string); ok {
			return BearerToken(http.Header{"Authorization": {s}})
		}
	}
	for _, key := range []string{"authToken", "token"} {
		if s, ok := payload[key].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s), true
		}
	}
	return "", false
}
