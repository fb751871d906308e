package service_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// The restaurant dashboard's staff screen: the owner lists the team (the relation tuples
// restaurant:<id>#owner and #staff), adds and removes staff; nobody else reads the list.
func TestThroughTheRouter_anOwnerListsAddsAndRemovesTheRestaurantsStaff(t *testing.T) {
	id, r := startWithRouter(t, nil)
	do := func(q string, v map[string]any) *routertest.Response { return r.Do(t, q, v, nil) }
	owner := register(t, do, uniqueEmail(), "correct horse battery")
	cook := register(t, do, uniqueEmail(), "correct horse battery")
	stranger := register(t, do, uniqueEmail(), "correct horse battery")
	restaurant := "team-" + strings.ToLower(owner.User.ID[:8])
	service := authz.NewServiceClient("identity", 5*time.Second)
	resp, err := service.Post(strings.TrimSuffix(id.url, "/query")+"/internal/relations", "application/json",
		strings.NewReader(`{"namespace":"restaurant","object":"`+restaurant+`","relation":"owner","subject":"user:`+owner.User.ID+`"}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("write owner tuple: %v %v", resp.Status, err)
	}
	resp.Body.Close()

	const team = `query($r: ID!) { restaurantTeam(restaurantId: $r) { relation user { id name email } } }`
	const add = `mutation($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }`
	const remove = `mutation($r: ID!, $u: ID!) { removeRestaurantStaff(restaurantId: $r, userId: $u) }`
	as := func(p authPayload) http.Header { return routertest.Bearer(p.AccessToken) }
	list := func(who authPayload) string {
		t.Helper()
		resp := r.Do(t, team, map[string]any{"r": restaurant}, as(who))
		wantNoErrors(t, resp)
		return string(resp.Data)
	}

	if got := list(owner); !strings.Contains(got, `"relation":"OWNER","user":{"id":"`+owner.User.ID+`"`) || strings.Contains(got, `"STAFF"`) {
		t.Fatalf("a new restaurant's team = %s, want its owner alone", got)
	}
	wantNoErrors(t, r.Do(t, add, map[string]any{"r": restaurant, "u": cook.User.ID}, as(owner)))
	got := list(owner)
	if !strings.Contains(got, `{"relation":"STAFF","user":{"id":"`+cook.User.ID+`"`) || strings.Index(got, `"OWNER"`) > strings.Index(got, `"STAFF"`) {
		t.Fatalf("team after adding the cook = %s, want owner then the cook as staff", got)
	}
	if strings.Contains(got, stranger.User.ID) {
		t.Fatalf("the team lists a stranger: %s", got)
	}
	// Staff and strangers may not read or change the team; a malformed id is the caller's error.
	wantCode(t, r.Do(t, team, map[string]any{"r": restaurant}, as(cook)), "FORBIDDEN")
	wantCode(t, r.Do(t, team, map[string]any{"r": restaurant}, as(stranger)), "FORBIDDEN")
	wantCode(t, r.Do(t, team, map[string]any{"r": restaurant}, nil), "UNAUTHENTICATED")
	wantCode(t, r.Do(t, team, map[string]any{"r": "a b#c"}, as(owner)), "BAD_USER_INPUT")
	wantCode(t, r.Do(t, add, map[string]any{"r": restaurant, "u": stranger.User.ID}, as(cook)), "FORBIDDEN")

	wantNoErrors(t, r.Do(t, remove, map[string]any{"r": restaurant, "u": cook.User.ID}, as(owner)))
	if got := list(owner); strings.Contains(got, cook.User.ID) {
		t.Fatalf("team after removing the cook = %s", got)
	}
}
