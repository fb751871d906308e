package domain

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is a platform role.
type Role string

// The roles.
const (
	RoleCustomer        Role = "CUSTOMER"
	RoleDriver          Role = "DRIVER"
	RoleRestaurantStaff Role = "RESTAURANT_STAFF"
	RoleRestaurantOwner Role = "RESTAURANT_OWNER"
	RoleAdmin           Role = "ADMIN"
)

// AllRoles lists every role.
var AllRoles = []Role{RoleCustomer, RoleDriver, RoleRestaurantStaff, RoleRestaurantOwner, RoleAdmin}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(AllRoles, r) {
		return "", invalid("role", "unknown role")
	}
	return r, nil
}

// User is an account.
type User struct {
	ID           string
	Email        string
	Phone        string
	Name         string
	PasswordHash string
	Roles        []Role
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

// Disabled reports whether the account may no longer sign in.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// HasRole reports whether the user holds r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// AssignRole adds r (idempotent).
func (u *User) AssignRole(r Role) {
	if !u.HasRole(r) {
		u.Roles = append(u.Roles, r)
		slices.Sort(u.Roles)
	}
}

// RevokeRole removes r (idempotent).
func (u *User) RevokeRole(r Role) {
	u.Roles = slices.DeleteFunc(u.Roles, func(x Role) bool { return x == r })
}

// Disable stops the account from signing in.
func (u *User) Disable(at time.Time) {
	if u.DisabledAt == nil {
		u.DisabledAt = &at
	}
}

// Limits on client input.
const (
	MaxEmailLength    = 254
	MinPasswordLength = 10
	MaxPasswordLength = 128
	MaxNameLength     = 100
)

// NormalizeEmail validates an email address and returns its canonical form (trimmed,
// lower-cased), which is what uniqueness is decided on.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", invalid("email", "email is required")
	case len(s) > MaxEmailLength:
		return "", invalid("email", "email is too long")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		return "", invalid("email", "email is not a valid address")
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", invalid("email", "email is not a valid address")
	}
	for _, r := range s {
		if r > unicode.MaxASCII || unicode.IsSpace(r) || strings.ContainsRune(`'"\;<>()[],`, r) {
			return "", invalid("email", "email is not a valid address")
		}
	}
	return s, nil
}

// commonPasswords are refused outright; a breached-password list would go here.
var commonPasswords = []string{
	"password", "password1", "password123", "1234567890", "12345678910", "qwertyuiop",
	"letmein123", "iloveyou12", "welcome123", "admin12345", "abcdefghij", "0123456789",
}

// ValidatePassword applies the password rules (NIST 800-63B style: length over
// composition, no well-known passwords, not the email).
func ValidatePassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case password == "":
		return invalid("password", "password is required")
	case !utf8.ValidString(password):
		return invalid("password", "password is not valid UTF-8")
	case n < MinPasswordLength:
		return invalid("password", "password must have at least 10 characters")
	case len(password) > MaxPasswordLength:
		return invalid("password", "password must have at most 128 bytes")
	}
	lower := strings.ToLower(password)
	if slices.Contains(commonPasswords, lower) {
		return invalid("password", "password is too common")
	}
	if local, _, _ := strings.Cut(email, "@"); local != "" && strings.Contains(lower, local) && len(local) >= 4 {
		return invalid("password", "password must not contain the email")
	}
	distinct := map[rune]bool{}
	for _, r := range password {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return invalid("password", "password is too simple")
	}
	return nil
}

// NormalizeName validates a display name.
func NormalizeName(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", invalid("name", "name is required")
	case !utf8.ValidString(s):
		return "", invalid("name", "name is not valid UTF-8")
	case utf8.RuneCountInString(s) > MaxNameLength:
		return "", invalid("name", "name must have at most 100 characters")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", invalid("name", "name must not contain control characters")
		}
	}
	return s, nil
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// NormalizePhone validates an optional E.164 phone number ("" is allowed).
func NormalizePhone(s string) (string, error) {
	s = strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	if !e164.MatchString(s) {
		return "", invalid("phone", "phone must be in E.164 form, e.g. +15551234567")
	}
	return s, nil
}

// NewUser validates registration input and returns a user with the CUSTOMER role.
// passwordHash is computed by the caller (hashing is slow and needs no rules).
func NewUser(email, name, phone string, now time.Time) (*User, error) {
	var err error
	u := &User{CreatedAt: now, Roles: []Role{RoleCustomer}}
	if u.Email, err = NormalizeEmail(email); err != nil {
		return nil, err
	}
	if u.Name, err = NormalizeName(name); err != nil {
		return nil, err
	}
	if u.Phone, err = NormalizePhone(phone); err != nil {
		return nil, err
	}
	return u, nil
}
