package mongodb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/mongodb"
)

func TestMongoContract_realFerretDBServer(t *testing.T) {
	c, err := mongodb.Connect(context.Background(), endpoints.Mongo())
	if err != nil {
		t.Fatalf("MongoDB-wire server not reachable (start it with `deploy/local/services.sh up ferretdb`): %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	runMongoContract(t, c)
}

func TestMongoContract_embeddedFerretDBOnSQLite(t *testing.T) {
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
	runMongoContract(t, c)
}

type menuItem struct {
	ID         string   `bson:"_id"`
	Restaurant string   `bson:"restaurant"`
	Name       string   `bson:"name"`
	PriceMinor int64    `bson:"price_minor"`
	Tags       []string `bson:"tags"`
	Version    int      `bson:"version"`
}

func runMongoContract(t *testing.T, c *mongo.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := c.Database(fmt.Sprintf("contract_%d", rand.Int64N(1<<40)))
	t.Cleanup(func() { _ = db.Drop(context.Background()) })
	items := db.Collection("menu_items")

	_, err := items.InsertMany(ctx, []any{
		menuItem{ID: "plov", Restaurant: "r1", Name: "Plov", PriceMinor: 4500000, Tags: []string{"signature"}, Version: 1},
		menuItem{ID: "lagman", Restaurant: "r1", Name: "Lagman", PriceMinor: 3500000, Tags: []string{"spicy"}, Version: 1},
		menuItem{ID: "pizza", Restaurant: "r2", Name: "Pizza", PriceMinor: 6000000, Tags: []string{"vegan"}, Version: 1},
	})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}

	t.Run("finds by filter in sort order", func(t *testing.T) {
		cur, err := items.Find(ctx, bson.M{"restaurant": "r1"}, options.Find().SetSort(bson.D{{Key: "price_minor", Value: 1}}))
		if err != nil {
			t.Fatal(err)
		}
		var got []menuItem
		if err := cur.All(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "lagman" || got[1].ID != "plov" || got[1].Tags[0] != "signature" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("a duplicate id is refused", func(t *testing.T) {
		_, err := items.InsertOne(ctx, menuItem{ID: "plov", Restaurant: "r9"})
		if !mongo.IsDuplicateKeyError(err) {
			t.Fatalf("err = %v, want duplicate key", err)
		}
	})
	t.Run("a versioned update matches only the current version", func(t *testing.T) {
		res, err := items.UpdateOne(ctx, bson.M{"_id": "pizza", "version": 1},
			bson.M{"$set": bson.M{"price_minor": 6500000}, "$inc": bson.M{"version": 1}})
		if err != nil || res.ModifiedCount != 1 {
			t.Fatalf("first update: %v, %+v", err, res)
		}
		res, err = items.UpdateOne(ctx, bson.M{"_id": "pizza", "version": 1}, bson.M{"$set": bson.M{"price_minor": 1}})
		if err != nil || res.MatchedCount != 0 {
			t.Fatalf("stale update matched: %v, %+v", err, res)
		}
		var got menuItem
		if err := items.FindOne(ctx, bson.M{"_id": "pizza"}).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.PriceMinor != 6500000 || got.Version != 2 {
			t.Fatalf("got %+v", got)
		}
	})
}
