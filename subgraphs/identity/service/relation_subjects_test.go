package service_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
)

func TestRelationSubjects_listsARestaurantsStaffWithItsOwnersOverHTTP(t *testing.T) {
	id := startIdentity(t, testConfig())
	do := id.direct(t)
	owner := register(t, do, uniqueEmail(), "correct horse battery")
	staff := register(t, do, uniqueEmail(), "correct horse battery")
	register(t, do, uniqueEmail(), "correct horse battery") // a stranger, not listed

	// The relation API answers services only: this test signs as one.
	service := authz.NewServiceClient("identity", 5*time.Second)
	body := `{"namespace":"restaurant","object":"77","relation":"owner","subject":"user:` + owner.User.ID + `"}`
	resp, err := service.Post(id.srv.URL+"/internal/relations", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("write owner tuple: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	wantNoErrors(t, id.do(t, &authz.Identity{UserID: owner.User.ID, Roles: []authz.Role{authz.RoleCustomer}},
		`mutation($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }`, map[string]any{"r": "77", "u": staff.User.ID}))

	subjects := func(q url.Values) (int, []string) {
		resp, err := service.Get(id.srv.URL + "/internal/relations/subjects?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Subjects []string }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Subjects
	}
	code, got := subjects(url.Values{"namespace": {"restaurant"}, "object": {"77"}, "relation": {"staff"}})
	want := []string{"user:" + owner.User.ID, "user:" + staff.User.ID}
	slices.Sort(want)
	if code != http.StatusOK || !slices.Equal(got, want) {
		t.Fatalf("staff of 77 = %d %v, want %v (owner and staff, no stranger)", code, got, want)
	}
	if code, got := subjects(url.Values{"namespace": {"restaurant"}, "object": {"77"}, "relation": {"owner"}}); code != http.StatusOK || len(got) != 1 {
		t.Fatalf("owners of 77 = %d %v", code, got)
	}
	if code, _ := subjects(url.Values{"namespace": {"restaurant"}, "object": {"77"}, "relation": {"god"}}); code != http.StatusBadRequest {
		t.Fatalf("an unknown relation answered %d", code)
	}
	// Who is staff where is not for anyone who can reach the port.
	unsigned, err := http.Get(id.srv.URL + "/internal/relations/subjects?" + url.Values{"namespace": {"restaurant"}, "object": {"77"}, "relation": {"staff"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	unsigned.Body.Close()
	if unsigned.StatusCode != http.StatusUnauthorized {
		t.Fatalf("an unsigned subjects call answered %d, want 401", unsigned.StatusCode)
	}
}
