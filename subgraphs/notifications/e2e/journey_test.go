package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/city"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/platform/stack"
)

// subgraphs an order needs up to READY_FOR_PICKUP, plus notifications.
var subgraphs = []string{"identity", "restaurants", "orders", "wallet", "notifications"}

const password = "correct horse battery staple"

func mailpitURL() string {
	if v := os.Getenv("DIZHTIME_MAILPIT_URL"); v != "" {
		return v
	}
	return "http://127.0.0.1:8025"
}

func mailpitSMTP() string {
	if v := os.Getenv("DIZHTIME_MAILPIT_SMTP_ADDR"); v != "" {
		return v
	}
	return "127.0.0.1:1025"
}

type realStack struct {
	*stack.Stack
	run string
}

func startStack(t *testing.T, ctx context.Context) *realStack {
	t.Helper()
	root, err := routertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for name, addr := range map[string]string{"Kafka": endpoints.Kafka()[0], "Redis": endpoints.Redis(), "Mailpit SMTP": mailpitSMTP()} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("%s is not reachable at %s (deploy/local/services.sh up): %v", name, addr, err)
		}
		_ = c.Close()
	}
	versions, err := contracts.SchemaVersions()
	if err != nil {
		t.Fatal(err)
	}
	var specs []kafka.TopicSpec
	for eventType := range versions {
		specs = append(specs, kafka.TopicSpec{Name: eventType})
	}
	if err := kafka.EnsureTopics(ctx, endpoints.Kafka(), specs...); err != nil {
		t.Fatal(err)
	}
	all, err := stack.ReadSupergraph(filepath.Join(root, "supergraph.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var picked []stack.Subgraph
	for _, s := range all {
		if slices.Contains(subgraphs, s.Name) {
			picked = append(picked, s)
		}
	}
	if len(picked) != len(subgraphs) {
		t.Fatalf("supergraph.yaml lists %d of the subgraphs %v", len(picked), subgraphs)
	}
	addrs, err := stack.FreeAddrs(len(picked) + 1)
	if err != nil {
		t.Fatal(err)
	}
	byName, identityAddr := map[string]string{}, ""
	for i, s := range picked {
		byName[s.Name] = addrs[i]
		if s.Name == "identity" {
			identityAddr = addrs[i]
		}
	}
	routerAddr := addrs[len(picked)]
	moved, err := stack.Relocate(picked, root, byName)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	supergraph := filepath.Join(dir, "supergraph.yaml")
	if err := stack.WriteSupergraph(supergraph, moved); err != nil {
		t.Fatal(err)
	}
	routerYAML := filepath.Join(dir, "router.yaml")
	if err := os.WriteFile(routerYAML, []byte(fmt.Sprintf("listen_addr: %s\nsupergraph_file: %q\n%s", routerAddr, supergraph,
		routertest.AuthYAML("http://"+identityAddr, "https://identity.dizhtime.local", "dizhtime"))), 0o644); err != nil {
		t.Fatal(err)
	}
	run := fmt.Sprintf("ntf%d", time.Now().UnixNano()%1_000_000_000_000)
	dbPrefix := "dizhtime_" + run + "_"
	s, err := stack.Start(ctx, stack.Options{
		RepoRoot: root, SupergraphFile: supergraph, RouterConfig: routerYAML, RouterAddr: routerAddr,
		WorkDir: dir, PostgresURL: endpoints.Postgres(), DatabasePrefix: dbPrefix,
		Env: []string{
			"DIZHTIME_REDIS_ADDR=" + endpoints.Redis(),
			"DIZHTIME_KAFKA_BROKERS=" + strings.Join(endpoints.Kafka(), ","),
			"DIZHTIME_MONGO_URI=" + endpoints.Mongo(),
			"DIZHTIME_RESTAURANTS_MONGO_DATABASE=" + run + "_restaurants",
			"DIZHTIME_IDENTITY_REDIS_KEY_PREFIX=" + run + ":identity:",
			"DIZHTIME_ORDERS_CONSUMER_GROUP_PREFIX=" + run + "-orders",
			"DIZHTIME_ORDERS_CONSUME_FROM_BEGINNING=false",
			"DIZHTIME_WALLET_CONSUMER_GROUP_PREFIX=" + run + "-wallet",
			"DIZHTIME_WALLET_CONSUME_FROM_LATEST=true",
			"DIZHTIME_NOTIFICATIONS_CONSUMER_GROUP_PREFIX=" + run + "-notifications",
			"DIZHTIME_NOTIFICATIONS_CONSUME_FROM_BEGINNING=false",
			"DIZHTIME_NOTIFICATIONS_SMTP_ADDR=" + mailpitSMTP(),
			"DIZHTIME_LOG_LEVEL=info",
		},
		ReadyTimeout: 2 * time.Minute,
	})
	t.Cleanup(func() {
		if s != nil {
			s.Stop()
		}
		if t.Failed() {
			for _, name := range append(append([]string{}, subgraphs...), "router") {
				if tail := stack.Tail(filepath.Join(dir, "logs", name+".log"), 15); tail != "" {
					t.Logf("--- %s log (last lines):\n%s", name, tail)
				}
			}
		}
		dropDatabases(t, dbPrefix)
	})
	if err != nil {
		t.Fatalf("start the stack: %v", err)
	}
	return &realStack{Stack: s, run: run}
}

func dropDatabases(t *testing.T, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, endpoints.Postgres())
	if err != nil {
		t.Logf("drop test databases: %v", err)
		return
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, prefix)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Logf("drop test databases: %v", err)
		return
	}
	for _, n := range names {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Logf("drop %s: %v", n, err)
		}
	}
}

// waitForNotificationConsumers publishes probe events (about nobody this run knows) until
// every notifications consumer group of the run has processed one: the groups start at
// the newest offset, so from then on they see everything.
func waitForNotificationConsumers(t *testing.T, ctx context.Context, s *realStack) {
	t.Helper()
	conn, err := pgx.Connect(ctx, s.DatabaseURL("notifications"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	producer := kafka.NewProducer(endpoints.Kafka())
	defer producer.Close()
	publish := func(subject string, p events.Payload) {
		ev, err := events.New(ctx, "e2e", subject, p)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := ev.Message()
		if err := producer.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var n int
		_ = conn.QueryRow(ctx, `SELECT count(DISTINCT consumer) FROM processed_events`).Scan(&n)
		if n == 6 {
			return
		}
		probe := "probe-" + uuid.NewString()
		publish(probe, contracts.OrderCreatedV2{OrderID: probe, CustomerID: probe, RestaurantID: probe})
		publish(probe, contracts.OrderStatusChangedV2{OrderID: probe, To: contracts.OrderPaid})
		publish(probe, contracts.PaymentRefundedV1{OrderID: probe, CustomerID: probe, Amount: contracts.Money{Currency: "UZS"}})
		publish(probe, contracts.DispatchAssignedV1{OrderID: probe, DriverID: probe})
		publish(probe, contracts.DeliveryStatusChangedV1{OrderID: probe, To: contracts.DeliveryConfirmed})
		publish(probe, contracts.NotificationRequestedV1{RecipientID: probe, Template: "promo.offer", Params: map[string]string{"Headline": "p", "Details": "p"}})
		time.Sleep(time.Second)
	}
	t.Fatal("the notifications consumers did not start within 2 minutes")
}

type inboxPage struct {
	Me struct {
		UnreadCount   int
		Notifications struct {
			Edges []struct {
				Cursor string
				Node   struct {
					ID, Kind, Title, OrderID string
					Sequence                 int
					Read, Archived           bool
					Deliveries               []struct{ Channel, Status string }
				}
			}
			PageInfo struct{ HasNextPage bool }
		}
	}
}

const inboxQuery = `query Inbox($first: Int, $after: String, $unread: Boolean) { me { unreadCount
	notifications(first: $first, after: $after, unreadOnly: $unread) { edges { cursor node { id sequence kind title orderId read archived deliveries { channel status } } } pageInfo { hasNextPage } } } }`

func inbox(t *testing.T, ctx context.Context, s *city.Session, vars map[string]any) inboxPage {
	t.Helper()
	var p inboxPage
	if err := s.Do(ctx, inboxQuery, vars, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNotificationsJourney_anOrdersTransitionsFillTheCustomersInboxLiveInOrder_andMailpit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	s := startStack(t, ctx)
	c := city.NewClient(s.RouterURL)
	waitForNotificationConsumers(t, ctx, s)

	admin, err := c.Register(ctx, s.run+"-admin@dizhtime.test", password, "Admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := city.GrantAdminWith(s.Stack)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	if admin, err = c.Login(ctx, admin.Email, password); err != nil {
		t.Fatal(err)
	}
	owner, err := c.Register(ctx, s.run+"-owner@dizhtime.test", password, "Owner")
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.AssignRole(ctx, owner.UserID, "RESTAURANT_OWNER"); err != nil {
		t.Fatal(err)
	}
	if owner, err = c.Login(ctx, owner.Email, password); err != nil {
		t.Fatal(err)
	}
	restaurantID, err := owner.CreateRestaurant(ctx, city.NewRestaurant{Name: "Plov " + s.run, Cuisines: []string{"uzbek"},
		At: city.Point{Lat: 41.31, Lng: 69.28}, Dishes: []city.NewDish{{Name: "Plov", PriceMinor: 45_000}}})
	if err != nil {
		t.Fatal(err)
	}
	var menu struct {
		Restaurant struct {
			Menu struct {
				Categories []struct{ Items []struct{ ID string } }
			}
		}
	}
	if err := owner.Do(ctx, `query($id: ID!) { restaurant(id: $id) { menu { categories { items { id } } } } }`, map[string]any{"id": restaurantID}, &menu); err != nil {
		t.Fatal(err)
	}
	dishID := menu.Restaurant.Menu.Categories[0].Items[0].ID

	customer, err := c.Register(ctx, s.run+"-customer@dizhtime.test", password, "Customer")
	if err != nil {
		t.Fatal(err)
	}
	custEmail := s.run + "-customer@example.test"
	if err := customer.Do(ctx, `mutation($in: NotificationSettingsInput!) { updateNotificationSettings(input: $in) { email } }`,
		map[string]any{"in": map[string]any{"email": custEmail, "locale": "en"}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := customer.TopUp(ctx, city.Money{AmountMinor: 1_000_000, Currency: "UZS"}, s.run+"-topup"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the top-up is credited", 60*time.Second, func() bool {
		w, err := customer.Wallet(ctx)
		return err == nil && w.Balances["UZS"] == 1_000_000
	})

	live, err := customer.Subscribe(ctx, `subscription { myNotifications(since: 0) { unreadCount notification { sequence kind orderId } } }`, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	order, err := customer.PlaceOrder(ctx, restaurantID, dishID, 2, city.Point{Lat: 41.30, Lng: 69.27}, s.run+"-order")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the order is paid", 60*time.Second, func() bool {
		st, err := customer.OrderStatus(ctx, order.ID)
		return err == nil && st == "PAID"
	})
	for _, m := range []string{"acceptOrder", "markPreparing", "markReady"} {
		if _, err := owner.MoveOrder(ctx, m, order.ID); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	want := []string{"order.placed", "order.paid", "order.accepted", "order.preparing", "order.ready_for_pickup"}
	var got []string
	for i := range want {
		resp, err := live.Next(ctx)
		if err != nil {
			t.Fatalf("myNotifications after %v: %v", got, err)
		}
		var ev struct {
			MyNotifications struct {
				UnreadCount  int
				Notification struct {
					Sequence      int
					Kind, OrderID string
				}
			}
		}
		if err := resp.Decode(&ev); err != nil || len(resp.Errors) > 0 {
			t.Fatalf("event %s: %v %+v", resp.Data, err, resp.Errors)
		}
		n := ev.MyNotifications.Notification
		if n.Sequence != i+1 || n.OrderID != order.ID || ev.MyNotifications.UnreadCount < i+1 {
			t.Fatalf("event %d = %+v", i, ev.MyNotifications)
		}
		got = append(got, n.Kind)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("live %v, want %v", got, want)
	}

	// The inbox through the router: identity's me, notifications' User.notifications.
	page := inbox(t, ctx, customer, map[string]any{"first": 2})
	edges := page.Me.Notifications.Edges
	if page.Me.UnreadCount != 5 || len(edges) != 2 || edges[0].Node.Kind != "order.ready_for_pickup" || !page.Me.Notifications.PageInfo.HasNextPage {
		t.Fatalf("first page %+v", page.Me)
	}
	rest := inbox(t, ctx, customer, map[string]any{"first": 10, "after": edges[1].Cursor}).Me.Notifications.Edges
	if len(rest) != 3 || rest[2].Node.Kind != "order.placed" {
		t.Fatalf("second page %+v", rest)
	}
	var read struct {
		MarkNotificationsRead []struct{ Read bool }
	}
	if err := customer.Do(ctx, `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) { read } }`, map[string]any{"ids": []string{edges[0].Node.ID}}, &read); err != nil || !read.MarkNotificationsRead[0].Read {
		t.Fatalf("markNotificationsRead: %+v %v", read, err)
	}
	if err := customer.Do(ctx, `mutation($ids: [ID!]!) { archiveNotifications(ids: $ids) { archived } }`, map[string]any{"ids": []string{rest[2].Node.ID}}, nil); err != nil {
		t.Fatal(err)
	}
	unread := inbox(t, ctx, customer, map[string]any{"first": 10, "unread": true}).Me
	if unread.UnreadCount != 3 || len(unread.Notifications.Edges) != 3 {
		t.Fatalf("after one read and one archived: %+v", unread)
	}
	// Someone else's notification is NOT_FOUND, never changed.
	err = owner.Do(ctx, `mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) { id } }`, map[string]any{"ids": []string{rest[0].Node.ID}}, nil)
	if ge, ok := err.(*city.GraphQLError); !ok || !ge.Has("NOT_FOUND") {
		t.Fatalf("the owner marked the customer's notification: %v", err)
	}
	var all struct{ MarkAllNotificationsRead int }
	if err := customer.Do(ctx, `mutation { markAllNotificationsRead }`, nil, &all); err != nil || all.MarkAllNotificationsRead != 3 {
		t.Fatalf("markAllNotificationsRead = %+v %v", all, err)
	}
	if n := inbox(t, ctx, customer, map[string]any{"first": 10}).Me.UnreadCount; n != 0 {
		t.Fatalf("unread after markAll: %d", n)
	}

	// The owner is the restaurant's staff (identity's rewrite): the new order is in their inbox.
	ownerInbox := inbox(t, ctx, owner, map[string]any{"first": 10}).Me.Notifications.Edges
	if len(ownerInbox) != 1 || ownerInbox[0].Node.Kind != "restaurant.order.new" || ownerInbox[0].Node.OrderID != order.ID {
		t.Fatalf("owner inbox %+v", ownerInbox)
	}

	// And each transition is an email in Mailpit.
	eventually(t, "the five emails reach Mailpit", 60*time.Second, func() bool { return len(mailTo(t, custEmail)) == 5 })
	subjects := []string{}
	for _, m := range mailTo(t, custEmail) {
		subjects = append(subjects, m.Subject)
	}
	slices.Sort(subjects)
	for _, kind := range []string{"accepted", "paid", "placed", "ready", "being prepared"} {
		if !slices.ContainsFunc(subjects, func(s string) bool { return strings.Contains(s, kind) }) {
			t.Fatalf("no %q email among %q", kind, subjects)
		}
	}
	eventually(t, "the newest entry's email shows as sent", 30*time.Second, func() bool {
		d := inbox(t, ctx, customer, map[string]any{"first": 1}).Me.Notifications.Edges[0].Node.Deliveries
		return slices.ContainsFunc(d, func(x struct{ Channel, Status string }) bool { return x.Channel == "EMAIL" && x.Status == "SENT" })
	})
}

func eventually(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
