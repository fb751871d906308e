package mongooutbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/internal/testenv"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/events/outbox/mongooutbox"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/mongodb"
)

type menuChanged struct {
	topic string
	N     int `json:"n"`
}

func (m menuChanged) EventType() string { return m.topic }
func (m menuChanged) EventVersion() int { return 1 }

func TestMongoOutbox_realFerretDB(t *testing.T) {
	c, err := mongodb.Connect(context.Background(), endpoints.Mongo())
	if err != nil {
		t.Fatalf("MongoDB-wire server at %s not reachable (start it with `deploy/local/services.sh up ferretdb`): %v", endpoints.MongoEnv, err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	runMongoOutbox(t, c)
}

func TestMongoOutbox_embeddedFerretDBOnSQLite(t *testing.T) {
	e, err := mongodb.StartEmbedded(context.Background(), mongodb.EmbeddedOptions{SQLiteDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	c, err := mongodb.Connect(context.Background(), e.URI())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	runMongoOutbox(t, c)
}

func runMongoOutbox(t *testing.T, client *mongo.Client) {
	brokers := testenv.Kafka(t)
	pub := kafka.NewProducer(brokers)
	t.Cleanup(func() { _ = pub.Close() })
	db := client.Database(testenv.Name("outbox"))
	t.Cleanup(func() { _ = db.Drop(context.Background()) })
	restaurants := db.Collection("restaurants")
	ctx := context.Background()

	t.Run("events committed with the aggregate are published in order, once, and popped", func(t *testing.T) {
		topic := testenv.Topics(t, brokers, 3, "mongo.outbox")[0]
		ev := func(subject string, n int) events.Envelope {
			e, err := events.New(ctx, "restaurant", subject, menuChanged{topic: topic, N: n})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		for _, id := range []string{"r1", "r2"} {
			entries, err := mongooutbox.Entries(ev(id, 0))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := restaurants.InsertOne(ctx, bson.M{"_id": id, "name": id, "menu_version": 0, mongooutbox.Field: entries}); err != nil {
				t.Fatal(err)
			}
		}
		for n := 1; n < 5; n++ {
			for _, id := range []string{"r1", "r2"} {
				push, err := mongooutbox.Push(ev(id, n))
				if err != nil {
					t.Fatal(err)
				}
				// The state change and its event, in one single-document update.
				if _, err := restaurants.UpdateOne(ctx, bson.M{"_id": id},
					bson.M{"$inc": bson.M{"menu_version": 1}, "$push": push}); err != nil {
					t.Fatal(err)
				}
			}
		}
		r, err := mongooutbox.NewRelay(restaurants, pub, mongooutbox.RelayConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := r.RelayOnce(ctx); err != nil || n != 10 {
			t.Fatalf("RelayOnce = %d, %v; want 10", n, err)
		}
		if n, err := r.Backlog(ctx); err != nil || n != 0 {
			t.Fatalf("backlog after relaying = %d, %v", n, err)
		}
		got := testenv.Collect(t, brokers, topic).WaitFor(t, 10, 30*time.Second)
		last := map[string]int{}
		for _, m := range got {
			e, n := decode(t, m)
			if prev, ok := last[e.Subject]; ok && n != prev+1 {
				t.Errorf("%s: %d after %d", e.Subject, n, prev)
			}
			last[e.Subject] = n
		}
		var doc bson.M
		if err := restaurants.FindOne(ctx, bson.M{"_id": "r1"}).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if doc["menu_version"] != int32(4) {
			t.Errorf("state change lost: %v", doc)
		}
	})

	t.Run("a relay dying after publishing loses nothing and its duplicates keep their id", func(t *testing.T) {
		topic := testenv.Topics(t, brokers, 3, "mongo.outbox.crash")[0]
		var ids []string
		for n := range 3 {
			e, err := events.New(ctx, "restaurant", "r3", menuChanged{topic: topic, N: n})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
			push, _ := mongooutbox.Push(e)
			if _, err := restaurants.UpdateOne(ctx, bson.M{"_id": "r3"}, bson.M{"$push": push},
				optionsUpsert()); err != nil {
				t.Fatal(err)
			}
		}
		const lease = 3 * time.Second
		dying, _ := mongooutbox.NewRelay(restaurants, pub, mongooutbox.RelayConfig{Lease: lease})
		claimedBy := time.Now()
		dying.SetHook(func(string) error { return errors.New("relay process died") })
		if _, err := dying.RelayOnce(ctx); err == nil {
			t.Fatal("the crashing round succeeded")
		}
		// A second replica respects the dead one's lease until it expires.
		other, _ := mongooutbox.NewRelay(restaurants, pub, mongooutbox.RelayConfig{Lease: lease})
		if n, err := other.RelayOnce(ctx); err != nil || n != 0 {
			t.Fatalf("second relay published %d, %v while the lease was held", n, err)
		}
		time.Sleep(time.Until(claimedBy.Add(lease + 200*time.Millisecond)))
		if n, err := other.RelayOnce(ctx); err != nil || n != 3 {
			t.Fatalf("after the lease expired: %d, %v; want 3", n, err)
		}
		got := testenv.Collect(t, brokers, topic).WaitFor(t, 6, 30*time.Second)
		count := map[string]int{}
		for _, m := range got {
			e, _ := decode(t, m)
			count[e.ID]++
		}
		for _, id := range ids {
			if count[id] != 2 {
				t.Errorf("event %s arrived %d times, want twice (once per relay)", id, count[id])
			}
		}
	})
}

func decode(t *testing.T, m kafka.Message) (events.Envelope, int) {
	t.Helper()
	e, err := events.FromMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	var p menuChanged
	if err := json.Unmarshal(e.Data, &p); err != nil {
		t.Fatal(err)
	}
	return e, p.N
}

func optionsUpsert() *options.UpdateOptions { return options.Update().SetUpsert(true) }
