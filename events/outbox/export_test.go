package outbox

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// SetHook installs a test hook called at "claimed", "published" and "marked"; an error
// aborts the round there, as a crash would.
func (r *Relay) SetHook(h func(ctx context.Context, point string) error) { r.hook = h }

// BacklogGauge exposes the backlog gauge of schema.
func (m *Metrics) BacklogGauge(schema string) prometheus.Gauge {
	return m.backlog.WithLabelValues(schema)
}

// SelectClaimedSQL is the query a round reads its claimed partitions' rows with.
var SelectClaimedSQL = selectClaimed

// ClaimPartitionsSQL is the query a round claims its partitions with.
const ClaimPartitionsSQL = claimPartitions

// CleanupSQL is the statement the housekeeper deletes old sent rows with ($1: Retention
// in seconds).
const CleanupSQL = cleanupSQL
