// Package mongotest gives tests an isolated MongoDB-wire database: on the real FerretDB
// server that deploy/local/services.sh runs (DIZHTIME_MONGO_URI), or on an embedded
// FerretDB over SQLite in a temporary directory. A missing server fails the test: it is
// never skipped.
package mongotest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/mongodb"
)

// Backend names a server kind and opens a fresh database on it.
type Backend struct {
	Name string
	Open func(t testing.TB) *mongo.Database
}

// Backends are the two servers every component suite runs against.
var Backends = []Backend{{"real FerretDB", Real}, {"embedded FerretDB on SQLite", Embedded}}

// Real opens a uniquely named database on the server at DIZHTIME_MONGO_URI and drops it
// when the test ends.
func Real(t testing.TB) *mongo.Database {
	t.Helper()
	c, err := mongodb.Connect(context.Background(), endpoints.Mongo())
	if err != nil {
		t.Fatalf("FerretDB not reachable at %s (start it: deploy/local/services.sh up ferretdb; eval \"$(deploy/local/services.sh env)\"): %v",
			endpoints.Mongo(), err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return fresh(t, c)
}

// Embedded starts FerretDB in-process on SQLite files in a temporary directory.
func Embedded(t testing.TB) *mongo.Database {
	t.Helper()
	e, err := mongodb.StartEmbedded(context.Background(), mongodb.EmbeddedOptions{SQLiteDir: t.TempDir()})
	if err != nil {
		t.Fatalf("embedded FerretDB: %v", err)
	}
	t.Cleanup(e.Close)
	c, err := mongodb.Connect(context.Background(), e.URI())
	if err != nil {
		t.Fatalf("embedded FerretDB: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return fresh(t, c)
}

func fresh(t testing.TB, c *mongo.Client) *mongo.Database {
	db := c.Database(fmt.Sprintf("restaurants_test_%d", rand.Int64N(1<<40)))
	t.Cleanup(func() { _ = db.Drop(context.Background()) })
	return db
}
