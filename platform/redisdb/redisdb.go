// Package redisdb connects to Redis (go-redis/v9) and offers the small typed structures the
// subgraphs keep there, such as a geo set of live positions. Embedded starts miniredis, the
// laptop default, which passes the same contract tests as a real server.
package redisdb

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Connect returns a client for addr after a successful PING.
func Connect(ctx context.Context, addr string) (*redis.Client, error) {
	c := redis.NewClient(&redis.Options{
		Addr:         addr,
		DialTimeout:  3 * time.Second,
		ReadTimeout:  2 * time.Second,
		WriteTimeout: 2 * time.Second,
	})
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := c.Ping(pingCtx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis %s: ping: %w", addr, err)
	}
	return c, nil
}

// Check is a readiness check for c.
func Check(c redis.UniversalClient) func(context.Context) error {
	return func(ctx context.Context) error { return c.Ping(ctx).Err() }
}
