// Package authn verifies DizhTime access tokens for the router and carries the verified
// identity to subgraphs.
//
// A KeySet fetches the identity service's JWKS (/.well-known/jwks.json), caches it, and
// re-fetches when a token names a key id it does not know (signing keys rotate), at most
// once per MinRefreshInterval so a flood of made-up kids cannot turn the router into a
// JWKS hammer. A Verifier accepts only EdDSA and RS256 compact JWS tokens signed by a key
// of that set, with a valid exp (required), nbf, iss and aud; every refusal is a distinct
// error (ErrMalformed, ErrAlgNone, ErrAlgNotAllowed, ErrUnknownKey, ErrBadSignature,
// ErrExpired, ErrNotYetValid, ErrWrongIssuer, ErrWrongAudience, ErrMissingClaim) so logs
// and metrics can tell an expired token from a forged one. Clients only ever see
// UNAUTHENTICATED.
//
// The verified identity travels to subgraphs in HeaderUserID and HeaderRoles. The
// router must call StripIdentityHeaders on every incoming request before adding its own,
// so that a client cannot forge them.
//
// Library: github.com/lestrrat-go/jwx/v3 parses the JWKS and checks signatures; it is
// maintained, covers JWK/JWS/JWT fully and lets us pin the algorithm per key instead of
// trusting the token's header. Claims are checked here, so each failure has its own error.
package authn
