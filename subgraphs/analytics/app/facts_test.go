package app

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
)

// A batch large enough to decode on every CPU keeps the events' order and reports each
// unreadable event under its own index.
func TestBatchOf_largeBatchKeepsOrderAndBadIndexes(t *testing.T) {
	const n = 3 * parallelFrom
	at := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	envs := make([]events.Envelope, n)
	for i := range envs {
		id := fmt.Sprintf("o%06d", i)
		data, _ := json.Marshal(contracts.OrderStatusChangedV2{OrderID: id, From: "placed", To: "paid", ChangedAt: at.Add(time.Duration(i) * time.Second)})
		envs[i] = events.Envelope{ID: fmt.Sprintf("e%06d", i), Type: contracts.TypeOrderStatusChanged, Version: 2, Time: at, Data: data}
		if i%1000 == 7 {
			envs[i].Data = []byte(`{"order_id": 12}`)
		}
	}
	b, bad := BatchOf(envs)
	wantBad := 0
	for i := range envs {
		if i%1000 == 7 {
			wantBad++
			if bad[i] == nil {
				t.Errorf("event %d: want an undecodable error", i)
			}
		}
	}
	if len(bad) != wantBad || len(b.Facts) != n-wantBad {
		t.Fatalf("%d facts, %d bad; want %d, %d", len(b.Facts), len(bad), n-wantBad, wantBad)
	}
	j := 0
	for i := range envs {
		if i%1000 == 7 {
			continue
		}
		if f := b.Facts[j]; f.EventID != envs[i].ID || f.OrderID != fmt.Sprintf("o%06d", i) || !f.OccurredAt.Equal(at.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("fact %d = %s/%s, want event %d", j, f.EventID, f.OrderID, i)
		}
		j++
	}
}
