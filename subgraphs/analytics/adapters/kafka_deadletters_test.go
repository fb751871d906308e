package adapters_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// One contract for the dead-letter admin on the real broker and on the embedded one
// (kfake, what `make run` uses): the letters are listed with what the consumer's headers
// say, paged; two replays of one letter at once republish it once, to its original topic,
// with its event id; a discarded letter leaves the lists and cannot be replayed; only an
// admin may do any of it.
func TestKafkaDeadLetters_listsReplaysOnceAndDiscards_onTheRealBrokerAndTheEmbeddedOne(t *testing.T) {
	backends := []struct {
		name    string
		brokers func(t *testing.T) []string
	}{
		{"kafka", func(t *testing.T) []string {
			prefix := fmt.Sprintf("dlqtest%d.", rand.Int64N(1<<40))
			t.Setenv(kafka.TopicPrefixEnv, prefix)
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if _, err := kafka.DeleteTopicsWithPrefix(ctx, endpoints.Kafka(), prefix); err != nil {
					t.Logf("delete the test's topics: %v", err)
				}
			})
			return endpoints.Kafka()
		}},
		{"embedded", func(t *testing.T) []string {
			t.Setenv(kafka.TopicPrefixEnv, "")
			e, err := kafka.StartEmbedded(kafka.EmbeddedOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(e.Close)
			return e.Brokers()
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { deadLetterContract(t, b.brokers(t)) })
	}
}

func deadLetterContract(t *testing.T, brokers []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := authz.WithIdentity(ctx, authz.Identity{UserID: "admin-1", Roles: []authz.Role{authz.RoleAdmin}})
	customer := authz.WithIdentity(ctx, authz.Identity{UserID: "cust-1", Roles: []authz.Role{authz.RoleCustomer}})
	topic := contracts.TypeOrderCreated
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 3},
		kafka.TopicSpec{Name: consumer.DLQTopic(topic), Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	log := adapters.NewKafkaDeadLetters(brokers)
	defer log.Close()
	dl, err := app.NewDeadLetters(log, []string{topic, contracts.TypePaymentFailed})
	if err != nil {
		t.Fatal(err)
	}

	// Two events a consumer gave up on, as events/consumer parks them.
	producer := kafka.NewProducer(brokers)
	defer producer.Close()
	failedAt := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	var ids []string
	for i := range 2 {
		e, err := events.New(ctx, "orders", fmt.Sprintf("order-%d", i), contracts.OrderCreatedV2{OrderID: fmt.Sprintf("order-%d", i),
			Total: contracts.Money{AmountMinor: 1000, Currency: "UZS"}, PlacedAt: failedAt})
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.Message()
		if err != nil {
			t.Fatal(err)
		}
		m.Topic = consumer.DLQTopic(topic)
		m.Headers[consumer.HeaderDLQReason] = "wallet of customer: connection refused"
		m.Headers[consumer.HeaderDLQAttempts] = "5"
		m.Headers[consumer.HeaderDLQConsumer] = "wallet.order.created"
		m.Headers[consumer.HeaderDLQOriginalTopic] = topic
		m.Headers[consumer.HeaderDLQOriginalPartition] = "2"
		m.Headers[consumer.HeaderDLQOriginalOffset] = strconv.Itoa(40 + i)
		m.Headers[consumer.HeaderDLQFailedAt] = failedAt.Add(time.Duration(i) * time.Minute).Format(time.RFC3339Nano)
		if err := producer.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}

	topics, err := dl.Topics(admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(topics) != 1 || topics[0].Name != "order.created.dlq" || topics[0].OriginalTopic != topic ||
		topics[0].Count != 2 || topics[0].Pending != 2 || !topics[0].Oldest.Equal(failedAt) || !topics[0].Newest.Equal(failedAt.Add(time.Minute)) {
		t.Fatalf("topics = %+v, want order.created.dlq alone (payment.failed.dlq does not exist) with 2 pending letters, failed %v..+1m", topics, failedAt)
	}
	first, err := dl.Letters(admin, "order.created.dlq", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Letters) != 1 || !first.HasNext || first.HasPrevious || first.Total != 2 {
		t.Fatalf("first page = %+v", first)
	}
	l := first.Letters[0]
	if l.EventID != ids[0] || l.EventType != topic || l.OriginalTopic != topic || l.OriginalPartition != 2 || l.OriginalOffset != 40 ||
		l.ConsumerGroup != "wallet.order.created" || l.Attempts != 5 || !strings.Contains(l.Error, "connection refused") ||
		string(l.Key) != "order-0" || !strings.Contains(l.Preview(600), ids[0]) || l.Status.State != domain.LetterPending {
		t.Fatalf("letter = %+v", l)
	}
	second, err := dl.Letters(admin, "order.created.dlq", 1, l.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Letters) != 1 || second.HasNext || !second.HasPrevious || second.Letters[0].EventID != ids[1] {
		t.Fatalf("second page = %+v", second)
	}

	// A double click: two replays of the first letter at once republish it once.
	var wg sync.WaitGroup
	outcomes := make([]app.ReplayOutcome, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { outcomes[i], errs[i] = dl.Replay(admin, l.ID.String()) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if got := outcomes[0].Republished + outcomes[1].Republished; got != 1 {
		t.Fatalf("two replays at once republished %d letters, want 1: %+v", got, outcomes)
	}
	again, err := dl.Replay(admin, l.ID.String())
	if err != nil || again.Republished != 0 || again.AlreadyReplayed != 1 || again.Letters[0].Status.State != domain.LetterReplayed || again.Letters[0].Status.By != "admin-1" {
		t.Fatalf("replaying again = %+v, %v; want left alone, REPLAYED by admin-1", again, err)
	}
	var back []kafka.Message
	if err := kafka.ReadToEnd(ctx, brokers, topic, func(m kafka.Message) error { back = append(back, m); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0].Headers[events.HeaderID] != ids[0] || string(back[0].Key) != "order-0" ||
		back[0].Headers[consumer.HeaderReplayedFrom] == "" || back[0].Headers[consumer.HeaderDLQReason] != "" {
		t.Fatalf("the original topic holds %d messages (%+v), want the first letter once, with its event id and without dlq headers", len(back), back)
	}
	if _, err := events.FromMessage(back[0]); err != nil {
		t.Fatalf("the republished message is not the event: %v", err)
	}

	// Discard the second: out of the lists, never replayed.
	if d, err := dl.Discard(admin, second.Letters[0].ID.String()); err != nil || d.Status.State != domain.LetterDiscarded {
		t.Fatalf("discard = %+v, %v", d, err)
	}
	page, err := dl.Letters(admin, "order.created.dlq", 20, "")
	if err != nil || page.Total != 1 || len(page.Letters) != 1 || page.Letters[0].EventID != ids[0] {
		t.Fatalf("after the discard: %+v, %v", page, err)
	}
	if _, err := dl.Replay(admin, second.Letters[0].ID.String()); graphqlerr.CodeOf(err) != graphqlerr.CodeNotFound {
		t.Fatalf("replaying a discarded letter: %v, want NOT_FOUND", err)
	}
	if all, err := dl.ReplayTopic(admin, "order.created.dlq"); err != nil || all.Republished != 0 || all.AlreadyReplayed != 1 {
		t.Fatalf("replaying the topic = %+v, %v; want nothing republished (one replayed, one discarded)", all, err)
	}
	if topics, err := dl.Topics(admin); err != nil || topics[0].Count != 1 || topics[0].Pending != 0 {
		t.Fatalf("topics after = %+v, %v", topics, err)
	}

	for name, call := range map[string]func() error{
		"topics":  func() error { _, err := dl.Topics(customer); return err },
		"letters": func() error { _, err := dl.Letters(customer, "order.created.dlq", 5, ""); return err },
		"replay":  func() error { _, err := dl.Replay(customer, l.ID.String()); return err },
		"discard": func() error { _, err := dl.Discard(customer, l.ID.String()); return err },
	} {
		if err := call(); graphqlerr.CodeOf(err) != graphqlerr.CodeForbidden {
			t.Errorf("%s as a customer: %v, want FORBIDDEN", name, err)
		}
	}
	for _, name := range []string{"payment.failed.dlq", "order.created", "matrix", "secret.dlq"} {
		if _, err := dl.Letters(admin, name, 5, ""); graphqlerr.CodeOf(err) != graphqlerr.CodeNotFound {
			t.Errorf("letters of %q: %v, want NOT_FOUND", name, err)
		}
	}
	if _, err := dl.Replay(admin, "00000000-0000-0000-0000-000000000001"); graphqlerr.CodeOf(err) != graphqlerr.CodeNotFound {
		t.Errorf("replaying a made-up id: %v, want NOT_FOUND", err)
	}
}
