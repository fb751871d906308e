package adapters

import (
	"context"
	"time"
)

// RaiseHint lets tests simulate a writer that raised a hint and died.
func RaiseHint(ctx context.Context, r *RestaurantsRepository, id string, version int64) error {
	return r.raiseHint(ctx, id, version)
}

// SetLeaseTimeout changes a relay's LeaseTimeout between rounds.
func SetLeaseTimeout(r *OutboxRelay, d time.Duration) { r.cfg.LeaseTimeout = d }

// LeaseSize is how many documents r's next round leases.
func LeaseSize(r *OutboxRelay) int { return int(r.leaseSize.Load()) }
