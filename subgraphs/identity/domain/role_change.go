package domain

import (
	"errors"
	"slices"
	"time"
)

// ErrLastAdmin: the change would leave the platform without an active ADMIN.
var ErrLastAdmin = errors.New("the last active admin keeps the ADMIN role and the account")

// RoleChangeKind says what happened to an account's rights.
type RoleChangeKind string

// The kinds of role change the audit records.
const (
	RoleGranted  RoleChangeKind = "GRANTED"
	RoleRevoked  RoleChangeKind = "REVOKED"
	UserDisabled RoleChangeKind = "DISABLED"
)

// RoleChange is one audited change of an account's rights: Role is empty for DISABLED.
type RoleChange struct {
	UserID  string
	Role    Role
	Kind    RoleChangeKind
	ActorID string
	At      time.Time
}

// RoleChanges lists what changed from before to after (granted and revoked roles, and
// the account being disabled), done by actorID at at.
func RoleChanges(before, after *User, actorID string, at time.Time) []RoleChange {
	var out []RoleChange
	for _, r := range AllRoles {
		had, has := slices.Contains(before.Roles, r), slices.Contains(after.Roles, r)
		switch {
		case !had && has:
			out = append(out, RoleChange{UserID: after.ID, Role: r, Kind: RoleGranted, ActorID: actorID, At: at})
		case had && !has:
			out = append(out, RoleChange{UserID: after.ID, Role: r, Kind: RoleRevoked, ActorID: actorID, At: at})
		}
	}
	if !before.Disabled() && after.Disabled() {
		out = append(out, RoleChange{UserID: after.ID, Kind: UserDisabled, ActorID: actorID, At: at})
	}
	return out
}

// ActiveAdmin reports whether u is an ADMIN who may sign in.
func (u *User) ActiveAdmin() bool { return u.HasRole(RoleAdmin) && !u.Disabled() }

// Clone is a deep copy of u.
func (u *User) Clone() *User {
	c := *u
	c.Roles = slices.Clone(u.Roles)
	if u.DisabledAt != nil {
		t := *u.DisabledAt
		c.DisabledAt = &t
	}
	return &c
}

// UserSearch narrows the admin's user list: Prefix (lower case) matches the start of the
// email or of the name; Role, when set, keeps holders of it. After is the last email of
// the previous page; First is the page size.
type UserSearch struct {
	Prefix string
	Role   Role
	After  string
	First  int
}
