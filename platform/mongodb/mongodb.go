// Package mongodb connects to a MongoDB-wire server (mongo-driver v1: a real MongoDB in
// production, FerretDB in tests) and runs FerretDB in-process as the laptop default.
package mongodb

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
)

// Connect returns a client for uri after a successful ping of the primary.
func Connect(ctx context.Context, uri string) (*mongo.Client, error) {
	opts := options.Client().ApplyURI(uri).
		SetConnectTimeout(5 * time.Second).
		SetServerSelectionTimeout(5 * time.Second).
		SetTimeout(10 * time.Second)
	c, err := mongo.Connect(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("mongo %s: connect: %w", uri, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pingCtx, readpref.Primary()); err != nil {
		_ = c.Disconnect(context.Background())
		return nil, fmt.Errorf("mongo %s: ping: %w", uri, err)
	}
	return c, nil
}

// Check is a readiness check for c.
func Check(c *mongo.Client) func(context.Context) error {
	return func(ctx context.Context) error { return c.Ping(ctx, readpref.Primary()) }
}
