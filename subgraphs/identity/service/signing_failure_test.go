package service_test

import (
	"context"
	"testing"

	"github.com/dizhtime/dizhtime/platform/routertest"
)

// TestSigningFailure_leavesNoHalfRegisteredAccountNorAUsedUpRefreshToken breaks identity's
// signing for real (its signing-key table goes away under the running service, as a lost
// table or a revoked grant would) and asks through the router: register, login and refresh
// each fail with INTERNAL and change nothing: no account row, no refresh token, the presented
// refresh token not used up. Once signing works again the same email registers, the account
// signs in, and the very refresh token that failed is exchanged (no reuse alarm).
func TestSigningFailure_leavesNoHalfRegisteredAccountNorAUsedUpRefreshToken(t *testing.T) {
	id, r := startWithRouter(t, nil)
	ctx := context.Background()
	do := func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, nil) }
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := id.pool.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	breakSigning := func() {
		t.Helper()
		if _, err := id.pool.Exec(ctx, `ALTER TABLE signing_keys RENAME TO signing_keys_gone`); err != nil {
			t.Fatal(err)
		}
	}
	mendSigning := func() {
		t.Helper()
		if _, err := id.pool.Exec(ctx, `ALTER TABLE signing_keys_gone RENAME TO signing_keys`); err != nil {
			t.Fatal(err)
		}
	}
	const pw = "correct horse battery"
	existing := register(t, do, uniqueEmail(), pw)
	login := decodeField(t, do(loginMutation, map[string]any{"e": existing.User.Email, "p": pw}), "login")
	tokensBefore := count(`SELECT count(*) FROM refresh_tokens WHERE user_id::text = $1`, existing.User.ID)
	fresh := uniqueEmail()

	breakSigning()
	reg := do(registerMutation, map[string]any{"in": map[string]any{"email": fresh, "password": pw, "name": "Half"}})
	wantCode(t, reg, "INTERNAL")
	if n := count(`SELECT count(*) FROM users WHERE email = $1`, fresh); n != 0 {
		t.Fatalf("a registration that could not be signed left %d account(s) for %s", n, fresh)
	}
	wantCode(t, do(loginMutation, map[string]any{"e": existing.User.Email, "p": pw}), "INTERNAL")
	wantCode(t, do(refreshMutation, map[string]any{"t": login.RefreshToken}), "INTERNAL")
	if n := count(`SELECT count(*) FROM refresh_tokens WHERE user_id::text = $1`, existing.User.ID); n != tokensBefore {
		t.Fatalf("failed sign-ins and refresh stored refresh tokens: %d, had %d", n, tokensBefore)
	}
	if n := count(`SELECT count(*) FROM refresh_tokens WHERE user_id::text = $1 AND (rotated_at IS NOT NULL OR revoked_at IS NOT NULL)`, existing.User.ID); n != 0 {
		t.Fatalf("a failed refresh used up or revoked %d refresh token(s)", n)
	}

	mendSigning()
	again := register(t, do, fresh, pw)
	if again.User.Email != fresh || again.AccessToken == "" {
		t.Fatalf("registering %s again after signing recovered: %+v", fresh, again)
	}
	if got := decodeField(t, do(loginMutation, map[string]any{"e": fresh, "p": pw}), "login"); got.User.ID != again.User.ID {
		t.Fatalf("the retried registration signs in as %s, registered %s", got.User.ID, again.User.ID)
	}
	rotated := decodeField(t, do(refreshMutation, map[string]any{"t": login.RefreshToken}), "refresh")
	if rotated.AccessToken == "" || rotated.RefreshToken == "" || rotated.RefreshToken == login.RefreshToken {
		t.Fatalf("the refresh token whose exchange failed does not work now: %+v", rotated)
	}
}
