package demo

import (
	"testing"

	"github.com/google/uuid"
)

func TestOwners_areFortyDistinctAccountsWithTheSameIdsOnEveryCall(t *testing.T) {
	a, b := Owners(), Owners()
	if len(a) != 40 {
		t.Fatalf("roster has %d owners, want 40", len(a))
	}
	ids, emails := map[string]bool{}, map[string]bool{}
	for i, o := range a {
		if o != b[i] {
			t.Fatalf("owner %d differs between calls: %+v vs %+v", i+1, o, b[i])
		}
		if _, err := uuid.Parse(o.ID); err != nil {
			t.Fatalf("owner %d id %q is not a UUID: %v", i+1, o.ID, err)
		}
		if ids[o.ID] || emails[o.Email] || o.Name == "" {
			t.Fatalf("owner %d (%+v) repeats an id or email, or has no name", i+1, o)
		}
		ids[o.ID], emails[o.Email] = true, true
	}
	// Seeded data of earlier runs names these ids: they may never change.
	if a[0].Email != "owner1@demo.dizhtime.local" || a[0].ID != "9c850f8f-8a75-5388-8e5a-5f9e9cc827f7" {
		t.Fatalf("first owner changed: %+v", a[0])
	}
}
