package city

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/routertest"
)

// gate is what the router asks of a caller before a root field runs: the field's
// @authenticated / @requiresScopes in its subgraph's SDL. The subgraph's own checks
// (ownership through relation tuples, "itself or an admin") are the second gate.
type gate struct {
	authenticated bool
	// anyRole: the caller needs one of these roles (scopes); empty: any signed-in caller.
	anyRole []string
}

var (
	public        = gate{}
	authenticated = gate{authenticated: true}
)

func roles(r ...string) gate { return gate{authenticated: true, anyRole: r} }

func (g gate) String() string {
	switch {
	case !g.authenticated:
		return "public"
	case len(g.anyRole) == 0:
		return "@authenticated"
	}
	return "@requiresScopes(" + strings.Join(g.anyRole, " | ") + ")"
}

// allows reports whether the router lets caller through.
func (g gate) allows(caller matrixRole) bool {
	if !g.authenticated {
		return true
	}
	if caller.session == nil {
		return false
	}
	return len(g.anyRole) == 0 || slices.ContainsFunc(g.anyRole, func(r string) bool { return slices.Contains(caller.session.Roles, r) })
}

// gates is the table: one row per root field and subscription of the supergraph. A field
// the supergraph has and this table lacks fails the test; so does a row for a field that
// is gone.
var gates = map[string]gate{
	// identity
	"Query.user": authenticated, "Query.me": authenticated,
	"Mutation.register": public, "Mutation.login": public, "Mutation.refresh": public, "Mutation.logout": public,
	"Mutation.changePassword": authenticated,
	"Mutation.assignRole":     roles("ADMIN"), "Mutation.revokeRole": roles("ADMIN"), "Mutation.disableUser": roles("ADMIN"),
	"Mutation.addRestaurantStaff": authenticated, "Mutation.removeRestaurantStaff": authenticated,
	"Mutation.grantRelation": roles("ADMIN"), "Query.restaurantTeam": authenticated,
	"Query.users": roles("ADMIN"), "Query.roleChanges": roles("ADMIN"),
	// restaurants
	"Query.restaurant": public, "Query.restaurants": public, "Query.menuItem": public, "Query.quote": public,
	"Mutation.createRestaurant": roles("RESTAURANT_OWNER", "ADMIN"),
	"Mutation.updateRestaurant": authenticated, "Mutation.pauseRestaurant": authenticated, "Mutation.resumeRestaurant": authenticated,
	"Mutation.updateMenu": authenticated, "Mutation.changePrices": authenticated, "Mutation.setMenuItemAvailability": authenticated,
	"Mutation.setOpeningHours": authenticated,
	// orders
	"Query.order": authenticated, "Mutation.placeOrder": authenticated,
	"Mutation.acceptOrder": authenticated, "Mutation.rejectOrder": authenticated, "Mutation.markPreparing": authenticated,
	"Mutation.markReady": authenticated, "Mutation.cancelOrder": authenticated,
	"Subscription.orderUpdated": authenticated, "Subscription.restaurantOrders": authenticated,
	// dispatch
	"Query.driver": authenticated, "Query.delivery": authenticated,
	"Mutation.goOnline": roles("DRIVER"), "Mutation.goOffline": roles("DRIVER"), "Mutation.updateLocation": roles("DRIVER"),
	"Mutation.acceptOffer": roles("DRIVER"), "Mutation.declineOffer": roles("DRIVER"),
	"Mutation.markEnrouteToPickup": roles("DRIVER"), "Mutation.markArrivedAtPickup": roles("DRIVER"), "Mutation.markPickedUp": roles("DRIVER"),
	"Mutation.markEnrouteToDropoff": roles("DRIVER"), "Mutation.markArrivedAtDropoff": roles("DRIVER"), "Mutation.markDelivered": roles("DRIVER"),
	"Mutation.unassignDelivery": roles("DRIVER"), "Mutation.cancelDelivery": roles("ADMIN"),
	"Subscription.deliveryTracking": authenticated, "Subscription.driverOffers": roles("DRIVER"), "Subscription.driversInArea": roles("ADMIN"),
	// wallet
	"Query.wallet": authenticated, "Query.redeemPointsPreview": authenticated,
	"Query.topUpIntent": authenticated,
	"Mutation.topUp":    authenticated, "Mutation.adminAdjustBalance": roles("ADMIN"), "Mutation.refundOrder": roles("ADMIN"),
	"Query.walletAuditVerification": roles("ADMIN"),
	// notifications
	"Query.notificationDeliveries":   roles("ADMIN"),
	"Mutation.markNotificationsRead": authenticated, "Mutation.markAllNotificationsRead": authenticated,
	"Mutation.archiveNotifications": authenticated, "Mutation.updateNotificationSettings": authenticated,
	"Subscription.myNotifications": authenticated,
	// analytics (owners read their own restaurants' figures: a relation check in the subgraph)
	"Query.salesSeries": authenticated, "Query.salesBreakdown": authenticated, "Query.orderFunnel": authenticated,
	"Query.deliveryTimes": authenticated, "Query.cancellationAndRefundRates": authenticated, "Query.topDishes": authenticated,
	"Query.driverUtilisation": roles("ADMIN"), "Subscription.liveMetrics": roles("ADMIN"),
	"Query.deadLetterTopics": roles("ADMIN"), "Query.deadLetters": roles("ADMIN"),
	"Mutation.replayDeadLetter": roles("ADMIN"), "Mutation.replayDeadLetters": roles("ADMIN"), "Mutation.discardDeadLetter": roles("ADMIN"),
	// search
	"Query.searchRestaurants": public, "Query.searchDishes": public, "Query.suggest": public,
}

// credentialFields answer UNAUTHENTICATED for a made-up credential: that is their job,
// not a lost identity.
var credentialFields = []string{"Mutation.login", "Mutation.refresh", "Mutation.logout", "Mutation.changePassword"}

type matrixRole struct {
	name    string
	session *Session // nil: anonymous
}

// rootField is one field of Query, Mutation or Subscription with the operation that
// calls it: made-up arguments of the right types, selecting only __typename.
type rootField struct {
	key       string // "Mutation.placeOrder"
	operation string
}

// rootFields reads schema/supergraph.graphql (what the router serves).
func rootFields(t *testing.T) []rootField {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, "schema", "supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := parser.ParseSchema(&ast.Source{Name: "supergraph.graphql", Input: string(src)})
	if err != nil {
		t.Fatalf("parse the supergraph: %v", err)
	}
	defs := map[string]*ast.Definition{}
	for _, d := range doc.Definitions {
		defs[d.Name] = d
	}
	var out []rootField
	for _, opType := range []string{"Query", "Mutation", "Subscription"} {
		d := defs[opType]
		if d == nil {
			continue
		}
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "_") {
				continue // _service, _entities: federation's, not the clients'
			}
			var args []string
			for _, a := range f.Arguments {
				if a.Type.NonNull && a.DefaultValue == nil {
					args = append(args, a.Name+": "+sampleValue(defs, a.Type, 0))
				}
			}
			call := f.Name
			if len(args) > 0 {
				call += "(" + strings.Join(args, ", ") + ")"
			}
			if rt := defs[f.Type.Name()]; rt != nil && (rt.Kind == ast.Object || rt.Kind == ast.Interface || rt.Kind == ast.Union) {
				call += " { __typename }"
			}
			out = append(out, rootField{key: opType + "." + f.Name, operation: strings.ToLower(opType) + " { " + call + " }"})
		}
	}
	return out
}

// sampleValue is a literal of type t: well-formed, pointing at nothing that exists.
func sampleValue(defs map[string]*ast.Definition, t *ast.Type, depth int) string {
	if t.Elem != nil {
		return "[" + sampleValue(defs, t.Elem, depth) + "]"
	}
	switch t.NamedType {
	case "ID":
		return `"00000000-0000-0000-0000-000000000001"`
	case "String":
		return `"matrix"`
	case "Int":
		return "1"
	case "Float":
		return "1.5"
	case "Boolean":
		return "true"
	}
	d := defs[t.NamedType]
	switch {
	case d == nil || d.Kind == ast.Scalar:
		return `"1"`
	case d.Kind == ast.Enum:
		return d.EnumValues[0].Name
	case d.Kind == ast.InputObject && depth < 6:
		var fields []string
		for _, f := range d.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+sampleValue(defs, f.Type, depth+1))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	return "null"
}

// matrixResult is what one call got.
type matrixResult struct {
	status int
	codes  []string
	data   json.RawMessage
}

// call posts operation as session (nil: anonymous). A subscription is asked over SSE:
// a refusal is the response itself; an allowed one is a stream, read until its first
// event or a short pause (a subscription may rightly wait for events).
func call(ctx context.Context, url string, session *Session, operation string) (matrixResult, error) {
	body, _ := json.Marshal(map[string]any{"query": operation})
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return matrixResult{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	subscription := strings.HasPrefix(operation, "subscription")
	if subscription {
		req.Header.Set("Accept", "text/event-stream")
	}
	if session != nil {
		req.Header.Set("Authorization", "Bearer "+session.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return matrixResult{}, err
	}
	defer resp.Body.Close()
	res := matrixResult{status: resp.StatusCode}
	raw := []byte{}
	if subscription && strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		timer := time.NewTimer(3 * time.Second)
		defer timer.Stop()
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break read
				}
				if d, ok := strings.CutPrefix(l, "data:"); ok && strings.TrimSpace(d) != "" {
					raw = []byte(d)
					break read
				}
			case <-timer.C:
				break read
			}
		}
		cancel()
	} else {
		raw, _ = io.ReadAll(resp.Body)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return res, nil
	}
	var out struct {
		Data   json.RawMessage `json:"data"`
		Errors any             `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return res, fmt.Errorf("answer is not JSON: %s", raw)
	}
	res.data = out.Data
	res.codes = collectCodes(out.Errors, nil)
	return res, nil
}

// collectCodes gathers every extensions code in errs, the subgraph's own nested under the
// router's SUBGRAPH_ERROR included, the router's first.
func collectCodes(v any, codes []string) []string {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			codes = collectCodes(e, codes)
		}
	case map[string]any:
		if c, ok := v["code"].(string); ok {
			codes = append(codes, c)
		}
		for k, e := range v {
			if k != "code" {
				codes = collectCodes(e, codes)
			}
		}
	}
	return codes
}

// shown is the code a table cell shows: the subgraph's own when the router wrapped it.
func (r matrixResult) shown() string {
	for i := len(r.codes) - 1; i >= 0; i-- {
		if r.codes[i] != "SUBGRAPH_ERROR" {
			return r.codes[i]
		}
	}
	if len(r.codes) > 0 {
		return r.codes[0]
	}
	return ""
}

// TestAccessMatrix_everyRoleAgainstEveryRootFieldThroughTheRouter asks every root field and
// subscription of the supergraph, as every role, through the router against the real
// subgraphs. A caller the field's gate refuses gets the router's 401 UNAUTHENTICATED
// (anonymous) or 403 FORBIDDEN (lacking the role) and no data; a caller it admits reaches
// the subgraph with its identity (never UNAUTHENTICATED there). It then tries each
// subgraph's port directly with forged identity headers, over HTTP and a WebSocket
// upgrade, and identity's relation API without a service credential: all refused.
func TestAccessMatrix_everyRoleAgainstEveryRootFieldThroughTheRouter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	fields := rootFields(t)
	have := map[string]bool{}
	for _, f := range fields {
		have[f.key] = true
		if _, ok := gates[f.key]; !ok {
			t.Errorf("%s has no row in the access matrix: add its gate to gates (and its directive to the SDL)", f.key)
		}
	}
	for key := range gates {
		if !have[key] {
			t.Errorf("the access matrix has a row for %s, which the supergraph no longer has", key)
		}
	}
	if t.Failed() {
		return
	}

	city := startRealCity(t, ctx)
	c := city.client
	admin := must(c.Register(ctx, city.run+"-admin@dizhtime.test", password, "Admin"))(t, "register admin")
	if err := GrantAdminWith(city.Stack)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	admin = must(c.Login(ctx, admin.Email, password))(t, "admin signs in again")
	account := func(name, role string) *Session {
		s := must(c.Register(ctx, city.run+"-"+name+"@dizhtime.test", password, name))(t, "register "+name)
		if role != "" && role != "CUSTOMER" {
			if err := admin.AssignRole(ctx, s.UserID, role); err != nil {
				t.Fatal(err)
			}
			s = must(c.Login(ctx, s.Email, password))(t, name+" signs in again")
		}
		return s
	}
	customer, otherCustomer := account("customer", "CUSTOMER"), account("other-customer", "CUSTOMER")
	driver, otherDriver := account("driver", "DRIVER"), account("other-driver", "DRIVER")
	owner := account("owner", "RESTAURANT_OWNER")
	staff := account("staff", "RESTAURANT_STAFF")
	restaurantID := must(owner.CreateRestaurant(ctx, NewRestaurant{
		Name: "Matrix " + city.run, Cuisines: []string{"pizza"}, At: Point{Lat: 10, Lng: 10},
		Dishes: []NewDish{{Name: "Pizza", PriceMinor: 50_000}},
	}))(t, "owner creates a restaurant")
	// The owner of another restaurant: owns one, but not the matrix's.
	otherOwner := account("other-owner", "RESTAURANT_OWNER")
	must(otherOwner.CreateRestaurant(ctx, NewRestaurant{
		Name: "Other " + city.run, Cuisines: []string{"sushi"}, At: Point{Lat: 11, Lng: 11},
		Dishes: []NewDish{{Name: "Maki", PriceMinor: 40_000}},
	}))(t, "the other owner creates a restaurant")
	if err := owner.Do(ctx, `mutation($r: ID!, $u: ID!) { addRestaurantStaff(restaurantId: $r, userId: $u) }`,
		map[string]any{"r": restaurantID, "u": staff.UserID}, nil); err != nil {
		t.Fatal(err)
	}
	matrixRoles := []matrixRole{
		{"anonymous", nil}, {"CUSTOMER", customer}, {"other CUSTOMER", otherCustomer},
		{"DRIVER", driver}, {"other DRIVER", otherDriver}, {"RESTAURANT_STAFF", staff},
		{"RESTAURANT_OWNER of another restaurant", otherOwner}, {"ADMIN", admin},
	}

	sort.Slice(fields, func(i, j int) bool { return fields[i].key < fields[j].key })
	var table strings.Builder
	fmt.Fprintf(&table, "| field | gate | %s |\n|---|---|%s\n", strings.Join(roleNames(matrixRoles), " | "), strings.Repeat("---|", len(matrixRoles)))
	for _, f := range fields {
		g := gates[f.key]
		fmt.Fprintf(&table, "| %s | %s |", f.key, g)
		for _, r := range matrixRoles {
			res, err := call(ctx, city.RouterURL, r.session, f.operation)
			if err != nil {
				t.Errorf("%s as %s: %v", f.key, r.name, err)
				continue
			}
			cell := "allowed"
			if c := res.shown(); c != "" {
				cell = "allowed→" + c
			}
			switch {
			case !g.allows(r):
				want, status := "FORBIDDEN", http.StatusForbidden
				if r.session == nil {
					want, status = "UNAUTHENTICATED", http.StatusUnauthorized
				}
				if res.status != status || !slices.Contains(res.codes, want) || (len(res.data) > 0 && string(res.data) != "null") {
					t.Errorf("%s as %s: want the router's %d %s and no data, got %d %v %s", f.key, r.name, status, want, res.status, res.codes, res.data)
				}
				cell = want
			case res.status == http.StatusUnauthorized || res.status == http.StatusForbidden:
				t.Errorf("%s as %s: the router refused (%d %v) a caller its gate admits", f.key, r.name, res.status, res.codes)
			case r.session != nil && slices.Contains(res.codes, "UNAUTHENTICATED") && !slices.Contains(credentialFields, f.key):
				t.Errorf("%s as %s: the subgraph saw no identity (UNAUTHENTICATED): %v", f.key, r.name, res.codes)
			}
			fmt.Fprintf(&table, " %s |", cell)
		}
		table.WriteString("\n")
	}
	t.Logf("access matrix (%d root fields x %d roles):\n%s", len(fields), len(matrixRoles), table.String())

	t.Run("no caller reads another user's data", func(t *testing.T) {
		for _, probe := range []struct {
			who   *Session
			query string
			vars  map[string]any
			want  string
		}{
			{otherCustomer, `query($id: ID!) { user(id: $id) { email } }`, map[string]any{"id": customer.UserID}, customer.Email},
			{otherCustomer, `query($id: ID!) { wallet(userId: $id) { userId } }`, map[string]any{"id": customer.UserID}, customer.UserID},
			{otherDriver, `query($id: ID!) { driver(id: $id) { id } }`, map[string]any{"id": driver.UserID}, driver.UserID},
			{customer, `query($id: ID!) { user(id: $id) { email } }`, map[string]any{"id": owner.UserID}, owner.Email},
		} {
			var out json.RawMessage
			err := probe.who.Do(ctx, probe.query, probe.vars, &out)
			if strings.Contains(string(out), probe.want) {
				t.Errorf("%s read %q with %s: %s", probe.who.Email, probe.want, probe.query, out)
			}
			var gqlErr *GraphQLError
			if err == nil || !(errors.As(err, &gqlErr) && (gqlErr.Has("FORBIDDEN") || gqlErr.Has("NOT_FOUND"))) {
				t.Errorf("%s asking %s: want FORBIDDEN or NOT_FOUND, got %v", probe.who.Email, probe.query, err)
			}
		}
		// The ADMIN may: the probes above fail for want of a right, not of data.
		var out json.RawMessage
		if err := admin.Do(ctx, `query($id: ID!) { user(id: $id) { email } }`, map[string]any{"id": customer.UserID}, &out); err != nil || !strings.Contains(string(out), customer.Email) {
			t.Errorf("admin reading the customer: %v %s", err, out)
		}
	})

	t.Run("forged identity headers straight to each subgraph are refused", func(t *testing.T) {
		for _, sg := range city.Subgraphs {
			addr, err := sg.Addr()
			if err != nil {
				t.Fatal(err)
			}
			url := "http://" + addr + "/query"
			forged := http.Header{}
			forged.Set(authz.HeaderUserID, admin.UserID)
			forged.Set(authz.HeaderRoles, "ADMIN")
			forged.Set(authz.HeaderServiceToken, "eyJhbGciOiJFZERTQSIsImtpZCI6InJvdXRlciJ9.eyJzdWIiOiJ4In0.c2ln")
			headersOnly := forged.Clone()
			headersOnly.Del(authz.HeaderServiceToken)
			for name, h := range map[string]http.Header{"headers": headersOnly, "token": forged} {
				status, body := post(t, ctx, url, `{"query":"{ __typename }"}`, h)
				if status != http.StatusUnauthorized || !strings.Contains(body, "UNAUTHENTICATED") {
					t.Errorf("%s with forged %s: %d %s", sg.Name, name, status, body)
				}
				if st := upgrade(t, ctx, url, h); st != http.StatusUnauthorized {
					t.Errorf("%s WebSocket upgrade with forged %s: status %d, want 401", sg.Name, name, st)
				}
			}
			// The same port answers a plain anonymous request: the refusal is the forgery's.
			if status, body := post(t, ctx, url, `{"query":"{ __typename }"}`, nil); status != http.StatusOK {
				t.Errorf("%s anonymous: %d %s", sg.Name, status, body)
			}
			if sg.Name == "identity" {
				tuple := `{"namespace":"restaurant","object":"` + restaurantID + `","relation":"owner","subject":"user:` + otherCustomer.UserID + `"}`
				if status, body := post(t, ctx, "http://"+addr+"/internal/relations", tuple, forged); status != http.StatusUnauthorized {
					t.Errorf("unauthenticated relation write: %d %s", status, body)
				}
				if status, body := post(t, ctx, "http://"+addr+"/internal/relations/check?namespace=restaurant&object="+restaurantID+"&relation=owner&subject=user:"+owner.UserID, "", nil); status != http.StatusUnauthorized {
					t.Errorf("unauthenticated relation check: %d %s", status, body)
				}
			}
			if sg.Name == "restaurants" {
				if status, body := post(t, ctx, "http://"+addr+"/internal/quote", `{}`, nil); status != http.StatusUnauthorized {
					t.Errorf("unauthenticated quote API: %d %s", status, body)
				}
			}
		}
	})
}

func roleNames(rs []matrixRole) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.name
	}
	return out
}

// post sends body (GET when body is empty) with h and returns the status and body.
func post(t *testing.T, ctx context.Context, url, body string, h http.Header) (int, string) {
	t.Helper()
	method := http.MethodPost
	if body == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// upgrade asks for a graphql-transport-ws WebSocket with h and returns the status.
func upgrade(t *testing.T, ctx context.Context, url string, h http.Header) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	req.Header.Set("Sec-WebSocket-Protocol", "graphql-transport-ws")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
