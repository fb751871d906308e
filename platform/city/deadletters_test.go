package city

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

// A poison event, through the router with the real notifications subgraph (the consumer)
// and analytics (the dead-letter admin) on the real Kafka: while the notifications store
// refuses it, the consumer dead-letters it after its retries; the admin sees the topic and
// the letter with the consumer's reason; a customer is refused (the router's FORBIDDEN);
// once the store is repaired, a double-clicked replay republishes it once and the
// customer's inbox gets it exactly once (a raw second republish is skipped by event id
// too); a discarded letter leaves the lists and cannot be replayed.
func TestDeadLetters_aPoisonEventIsParkedSeenReplayedOnceAfterTheRepairAndDiscarded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	city := startRealCity(t, ctx)
	drill := startDeadLetterDrill(t, ctx, city)
	admin, customer := drill.admin, drill.customer

	letter := drill.parkPoison(t, ctx, "the first drill")
	if letter.OriginalTopic != contracts.TypeNotificationRequested || letter.Topic != "notification.requested.dlq" ||
		letter.EventType != contracts.TypeNotificationRequested || letter.Key != customer.UserID ||
		!strings.Contains(letter.ConsumerGroup, "notifications") || letter.Attempts < 1 ||
		!strings.Contains(letter.Error, deadLetterDrillConstraint) || letter.FailedAt == "" ||
		!strings.Contains(letter.PayloadPreview, letter.EventID) || letter.ReplayState != "PENDING" {
		t.Fatalf("the letter as the admin sees it: %+v", letter)
	}
	var topics struct {
		DeadLetterTopics []struct {
			Name, OriginalTopic string
			Count, Pending      int
			OldestFailedAt      *string
		}
	}
	if err := admin.Do(ctx, `{ deadLetterTopics { name originalTopic count pending oldestFailedAt } }`, nil, &topics); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tp := range topics.DeadLetterTopics {
		if strings.Contains(tp.Name, city.run) {
			t.Errorf("topic %q shows the stack's prefix: the API must show logical names", tp.Name)
		}
		if tp.Name == "notification.requested.dlq" {
			found = tp.OriginalTopic == contracts.TypeNotificationRequested && tp.Count == 1 && tp.Pending == 1 && tp.OldestFailedAt != nil
		}
	}
	if !found {
		t.Fatalf("deadLetterTopics = %+v, want notification.requested.dlq with the one pending letter", topics.DeadLetterTopics)
	}

	// A customer is refused by the router's gate, and nothing moves.
	for _, q := range []string{`{ deadLetterTopics { name } }`, `mutation { replayDeadLetter(id: "` + letter.ID + `") { republished } }`,
		`mutation { discardDeadLetter(id: "` + letter.ID + `") { id } }`} {
		var gqlErr *GraphQLError
		if err := customer.Do(ctx, q, nil, nil); !errors.As(err, &gqlErr) || !gqlErr.Has("FORBIDDEN") {
			t.Errorf("a customer asking %s: %v, want FORBIDDEN", q, err)
		}
	}
	if l := drill.letter(t, ctx, letter.EventID); l == nil || l.ReplayState != "PENDING" {
		t.Fatalf("after the customer's attempts the letter is %+v, want still PENDING", l)
	}

	// Replaying before the repair would only park it again: repair first, then a double click.
	drill.repair(t, ctx)
	var wg sync.WaitGroup
	republished := make([]int, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			var out struct {
				ReplayDeadLetter struct{ Republished, AlreadyReplayed int }
			}
			errs[i] = admin.Do(ctx, `mutation($id: ID!) { replayDeadLetter(id: $id) { republished alreadyReplayed } }`,
				map[string]any{"id": letter.ID}, &out)
			republished[i] = out.ReplayDeadLetter.Republished
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if republished[0]+republished[1] != 1 {
		t.Fatalf("a double-clicked replay republished %v letters, want 1 in all", republished)
	}
	var all struct {
		ReplayDeadLetters struct{ Republished, AlreadyReplayed int }
	}
	if err := admin.Do(ctx, `mutation { replayDeadLetters(topic: "notification.requested.dlq") { republished alreadyReplayed } }`, nil, &all); err != nil {
		t.Fatal(err)
	}
	if all.ReplayDeadLetters.Republished != 0 || all.ReplayDeadLetters.AlreadyReplayed != 1 {
		t.Fatalf("replaying the topic afterwards: %+v, want nothing republished (the letter was replayed)", all.ReplayDeadLetters)
	}
	drill.awaitInbox(t, ctx, letter.EventID, "the first drill", 1)
	// Even a replay that bypasses the action log (events/consumer.Replay, the CLI's way)
	// changes nothing: the consumer skips the event id it applied.
	if n, err := consumer.Replay(ctx, endpoints.Kafka(), drill.producer, "notification.requested.dlq", letter.EventID); err != nil || n != 1 {
		t.Fatalf("raw replay: %d, %v", n, err)
	}
	drill.awaitConsumed(t, ctx)
	if got := drill.inboxCount(t, ctx, "the first drill"); got != 1 {
		t.Fatalf("the customer's inbox holds the replayed notification %d times, want exactly once", got)
	}
	if l := drill.letter(t, ctx, letter.EventID); l == nil || l.ReplayState != "REPLAYED" || l.ActedBy == nil || *l.ActedBy != admin.UserID {
		t.Fatalf("after the replay the letter is %+v, want REPLAYED by the admin", l)
	}

	// A second poison event, discarded: out of the lists, not replayable, never delivered.
	drill.breakStore(t, ctx)
	second := drill.parkPoison(t, ctx, "the second drill")
	drill.repair(t, ctx)
	var discarded struct {
		DiscardDeadLetter struct{ ID, ReplayState string }
	}
	if err := admin.Do(ctx, `mutation($id: ID!) { discardDeadLetter(id: $id) { id replayState } }`, map[string]any{"id": second.ID}, &discarded); err != nil {
		t.Fatal(err)
	}
	if discarded.DiscardDeadLetter.ReplayState != "DISCARDED" {
		t.Fatalf("discard answered %+v", discarded.DiscardDeadLetter)
	}
	if l := drill.letter(t, ctx, second.EventID); l != nil {
		t.Fatalf("the discarded letter is still listed: %+v", l)
	}
	var gqlErr *GraphQLError
	if err := admin.Do(ctx, `mutation($id: ID!) { replayDeadLetter(id: $id) { republished } }`, map[string]any{"id": second.ID}, nil); !errors.As(err, &gqlErr) || !gqlErr.Has("NOT_FOUND") {
		t.Fatalf("replaying a discarded letter: %v, want NOT_FOUND", err)
	}
	if err := admin.Do(ctx, `{ deadLetters(topic: "no-such-topic.dlq") { totalCount } }`, nil, nil); !errors.As(err, &gqlErr) || !gqlErr.Has("NOT_FOUND") {
		t.Fatalf("letters of an unknown topic: %v, want NOT_FOUND", err)
	}
	if got := drill.inboxCount(t, ctx, "the second drill"); got != 0 {
		t.Fatalf("the discarded event reached the inbox %d times", got)
	}
}

// deadLetterDrillConstraint is the check the drill adds to the notifications store to make
// it refuse the drill's notifications (a store that rejects a row: what an admin repairs).
const deadLetterDrillConstraint = "dead_letter_drill"

// deadLetterDrill is a city, an admin and a customer, and the notifications store the
// drill breaks and repairs.
type deadLetterDrill struct {
	city            *realCity
	admin, customer *Session
	store           *pgx.Conn
	producer        *kafka.Producer
	group           string
}

// adminLetter is a dead letter as deadLetters returns it.
type adminLetter struct {
	ID, Topic, OriginalTopic, Key, ConsumerGroup, Error, FailedAt, PayloadPreview, ReplayState string
	EventID, EventType                                                                         string
	Attempts                                                                                   int
	ActedBy                                                                                    *string
}

func startDeadLetterDrill(t *testing.T, ctx context.Context, city *realCity) *deadLetterDrill {
	t.Helper()
	// This process publishes the drill's events on the stack's topics.
	t.Setenv(kafka.TopicPrefixEnv, city.run+".")
	c := city.client
	admin := must(c.Register(ctx, city.run+"-dlq-admin@dizhtime.test", password, "Admin"))(t, "register the admin")
	if err := GrantAdminWith(city.Stack)(ctx, admin.Email); err != nil {
		t.Fatal(err)
	}
	admin = must(c.Login(ctx, admin.Email, password))(t, "the admin signs in again")
	customer := must(c.Register(ctx, city.run+"-dlq-customer@dizhtime.test", password, "Customer"))(t, "register the customer")
	store, err := pgx.Connect(ctx, city.DatabaseURL("notifications"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(context.Background()) })
	producer := kafka.NewProducer(endpoints.Kafka())
	t.Cleanup(func() { _ = producer.Close() })
	d := &deadLetterDrill{city: city, admin: admin, customer: customer, store: store, producer: producer,
		group: city.run + "-notifications." + contracts.TypeNotificationRequested}
	// The consumer group starts at the end of the topic: wait until it reads, by a
	// notification that arrives, before the drill's event may be lost to a late join.
	deadline := time.Now().Add(2 * time.Minute)
	for d.inboxCount(t, ctx, "warm-up") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the notifications consumer never delivered the warm-up notification")
		}
		d.publish(t, ctx, "warm-up")
		time.Sleep(2 * time.Second)
	}
	d.breakStore(t, ctx)
	return d
}

func (d *deadLetterDrill) breakStore(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := d.store.Exec(ctx, `ALTER TABLE notifications ADD CONSTRAINT `+deadLetterDrillConstraint+
		` CHECK (body NOT LIKE '%drill%') NOT VALID`); err != nil {
		t.Fatal(err)
	}
}

func (d *deadLetterDrill) repair(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := d.store.Exec(ctx, `ALTER TABLE notifications DROP CONSTRAINT `+deadLetterDrillConstraint); err != nil {
		t.Fatal(err)
	}
}

// publish sends the customer a security alert whose text is what, as a producer would.
func (d *deadLetterDrill) publish(t *testing.T, ctx context.Context, what string) string {
	t.Helper()
	e, err := events.New(ctx, "dead-letter-drill", d.customer.UserID, contracts.NotificationRequestedV1{
		NotificationID: uuid.NewString(), RecipientID: d.customer.UserID, Channel: contracts.ChannelPush,
		Template: "account.security_alert", Params: map[string]string{"What": what}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Message()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.producer.Publish(ctx, m); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// parkPoison publishes a notification the broken store refuses and returns its letter
// once the admin sees it.
func (d *deadLetterDrill) parkPoison(t *testing.T, ctx context.Context, what string) adminLetter {
	t.Helper()
	id := d.publish(t, ctx, what)
	deadline := time.Now().Add(90 * time.Second)
	for {
		if l := d.letter(t, ctx, id); l != nil {
			return *l
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s (%s) never reached the dead letters", id, what)
		}
		time.Sleep(time.Second)
	}
}

// letter is the listed letter of eventID in notification.requested.dlq, or nil.
func (d *deadLetterDrill) letter(t *testing.T, ctx context.Context, eventID string) *adminLetter {
	t.Helper()
	var out struct {
		DeadLetters struct {
			TotalCount int
			Edges      []struct{ Node adminLetter }
		}
	}
	err := d.admin.Do(ctx, `{ deadLetters(topic: "notification.requested.dlq", first: 100) { totalCount edges { node {
		id topic originalTopic key eventId eventType consumerGroup error attempts failedAt payloadPreview replayState actedBy } } } }`, nil, &out)
	var gqlErr *GraphQLError
	if errors.As(err, &gqlErr) && gqlErr.Has("NOT_FOUND") {
		return nil // no dead-letter topic yet
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range out.DeadLetters.Edges {
		if e.Node.EventID == eventID {
			return &e.Node
		}
	}
	return nil
}

// inboxCount is how many of the customer's notifications carry what.
func (d *deadLetterDrill) inboxCount(t *testing.T, ctx context.Context, what string) int {
	t.Helper()
	var out struct {
		User struct {
			Notifications struct {
				Edges []struct{ Node struct{ Body string } }
			}
		}
	}
	if err := d.customer.Do(ctx, `query($id: ID!) { user(id: $id) { notifications(first: 100) { edges { node { body } } } } }`,
		map[string]any{"id": d.customer.UserID}, &out); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range out.User.Notifications.Edges {
		if strings.Contains(e.Node.Body, what) {
			n++
		}
	}
	return n
}

// awaitInbox waits until the inbox holds want notifications carrying what.
func (d *deadLetterDrill) awaitInbox(t *testing.T, ctx context.Context, eventID, what string, want int) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for d.inboxCount(t, ctx, what) < want {
		if time.Now().After(deadline) {
			t.Fatalf("the replayed event %s (%s) never reached the inbox", eventID, what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// awaitConsumed waits until the notifications consumer committed everything on its topic.
func (d *deadLetterDrill) awaitConsumed(t *testing.T, ctx context.Context) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		lag, err := kafka.GroupLag(ctx, endpoints.Kafka(), d.group, contracts.TypeNotificationRequested)
		if err == nil && lag == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the notifications consumer still lags: %d, %v", lag, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
