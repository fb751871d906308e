package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/identity/domain"
)

func TestNormalizeEmail_lowerCasesValidAddressesAndRefusesTheRest(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{" Ada@Example.COM ", "ada@example.com", true},
		{"a.b+tag@sub.example.org", "a.b+tag@sub.example.org", true},
		{"", "", false},
		{"no-at-sign", "", false},
		{"a@localhost", "", false},
		{"Ada <ada@example.com>", "", false},
		{"a'; DROP TABLE users;--@example.com", "", false},
		{"ada@exa mple.com", "", false},
		{strings.Repeat("a", 250) + "@example.com", "", false},
	}
	for _, c := range cases {
		got, err := domain.NormalizeEmail(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v", c.in, got, err)
		}
	}
}

func TestValidatePassword_refusesShortCommonSimpleAndOversizedPasswords(t *testing.T) {
	cases := []struct {
		pw string
		ok bool
	}{
		{"correct horse battery", true},
		{"", false},
		{"short1!", false},
		{"password123", false},
		{"aaaaaaaaaaaa", false},
		{strings.Repeat("xy1!", 40), false},
		{"ada.lovelace-2024", false}, // contains the email's local part
	}
	for _, c := range cases {
		err := domain.ValidatePassword(c.pw, "ada.lovelace@example.com")
		if (err == nil) != c.ok {
			t.Errorf("ValidatePassword(%q) = %v", c.pw, err)
		}
		var in *domain.InputError
		if err != nil && !errors.As(err, &in) {
			t.Errorf("%q: not an input error: %v", c.pw, err)
		}
	}
}

func TestNewUser_validatesNameAndPhoneAndStartsAsCustomer(t *testing.T) {
	u, err := domain.NewUser("ada@example.com", " Ada ", "+44 20 7946 0958", time.Now())
	if err != nil || u.Name != "Ada" || u.Phone != "+442079460958" || !u.HasRole(domain.RoleCustomer) {
		t.Fatalf("got %+v, %v", u, err)
	}
	for _, bad := range [][3]string{
		{"ada@example.com", "", ""},
		{"ada@example.com", strings.Repeat("n", 101), ""},
		{"ada@example.com", "Ada\x00", ""},
		{"ada@example.com", "Ada", "12345"},
	} {
		if _, err := domain.NewUser(bad[0], bad[1], bad[2], time.Now()); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestPasswordHash_verifiesTheRightPasswordAndKeepsItsParameters(t *testing.T) {
	p := domain.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}
	h, err := domain.HashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %s", h)
	}
	if err := domain.VerifyPassword("correct horse battery", h); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := domain.VerifyPassword("wrong horse battery", h); !errors.Is(err, domain.ErrPasswordMismatch) {
		t.Errorf("wrong password: %v", err)
	}
	if !domain.NeedsRehash(h, domain.DefaultArgon2) || domain.NeedsRehash(h, p) {
		t.Error("NeedsRehash is wrong")
	}
	if err := domain.VerifyPassword("x", "$2a$10$bcrypt"); !errors.Is(err, domain.ErrMalformedPassHash) {
		t.Errorf("malformed: %v", err)
	}
}

func TestRefreshToken_tellsReuseFromRevocationAndExpiry(t *testing.T) {
	now := time.Now()
	past := now.Add(-time.Minute)
	cases := []struct {
		tok  domain.RefreshToken
		want error
	}{
		{domain.RefreshToken{ExpiresAt: now.Add(time.Hour)}, nil},
		{domain.RefreshToken{ExpiresAt: now.Add(time.Hour), RotatedAt: &past}, domain.ErrRefreshReused},
		{domain.RefreshToken{ExpiresAt: now.Add(time.Hour), RevokedAt: &past}, domain.ErrRefreshRevoked},
		{domain.RefreshToken{ExpiresAt: past}, domain.ErrRefreshExpired},
	}
	for i, c := range cases {
		if err := c.tok.CheckUsable(now); !errors.Is(err, c.want) {
			t.Errorf("case %d: %v, want %v", i, err, c.want)
		}
	}
}

func TestNewTuple_acceptsKnownRelationsOnly(t *testing.T) {
	if _, err := domain.NewTuple("restaurant", "42", "owner", "user:7"); err != nil {
		t.Error(err)
	}
	for _, bad := range [][4]string{
		{"restaurant", "42", "admin", "user:7"},
		{"restaurant", "42; DROP", "staff", "user:7"},
		{"Restaurant", "42", "staff", "user:7"},
		{"restaurant", "42", "staff", "7"},
	} {
		if _, err := domain.NewTuple(bad[0], bad[1], bad[2], bad[3]); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	staff, _ := domain.NewTuple("restaurant", "42", "staff", "user:7")
	if got := domain.Implied(staff); len(got) != 1 || got[0].Relation != "owner" {
		t.Errorf("Implied = %v", got)
	}
}
