package redisdb

import (
	"fmt"

	"github.com/alicebob/miniredis/v2"
)

// Embedded is an in-process Redis (miniredis) for the laptop run.
type Embedded struct {
	srv *miniredis.Miniredis
}

// StartEmbedded starts miniredis on addr ("127.0.0.1:0" picks a free port).
func StartEmbedded(addr string) (*Embedded, error) {
	srv := miniredis.NewMiniRedis()
	if err := srv.StartAddr(addr); err != nil {
		return nil, fmt.Errorf("start embedded redis on %s: %w", addr, err)
	}
	return &Embedded{srv: srv}, nil
}

// Addr is the host:port clients connect to.
func (e *Embedded) Addr() string { return e.srv.Addr() }

// Close stops the server.
func (e *Embedded) Close() { e.srv.Close() }
