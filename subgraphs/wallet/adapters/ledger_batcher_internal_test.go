package adapters

import (
	"slices"
	"testing"
)

func pending(accts ...string) *pendingPost { return &pendingPost{accts: accts} }

func names(ps []*pendingPost, all map[*pendingPost]string) []string {
	var out []string
	for _, p := range ps {
		out = append(out, all[p])
	}
	return out
}

// Batches in flight at once never share an account, and an operation passed over for a
// busy account holds back every later operation on its accounts (per-account order).
func TestTakeLocked_batchesInFlightShareNoAccount_andPerAccountOrderIsKept(t *testing.T) {
	a1, b1, a2, c1, bc, d1 := pending("w:a", "e:1"), pending("w:b", "e:2"), pending("w:a", "e:3"),
		pending("w:c", "e:4"), pending("w:b", "w:c"), pending("w:d", "e:5")
	all := map[*pendingPost]string{a1: "a1", b1: "b1", a2: "a2", c1: "c1", bc: "bc", d1: "d1"}
	b := &postBatcher{cfg: BatchConfig{MaxBatch: 64}.withDefaults()}
	b.queue = []*pendingPost{a1, b1, a2}
	first, held := b.takeLocked(1)
	if got := names(first, all); !slices.Equal(got, []string{"a1", "b1", "a2"}) {
		t.Fatalf("first batch %v: operations on one wallet go together", got)
	}
	b.queue = append(b.queue, pending("w:a", "e:6"), c1, bc, d1)
	all[b.queue[0]] = "a3"
	second, _ := b.takeLocked(2)
	// a3 waits for w:a; bc waits for w:b (in flight); c1 is older than bc and shares no
	// busy account, so it goes; d1 goes.
	if got := names(second, all); !slices.Equal(got, []string{"c1", "d1"}) {
		t.Fatalf("second batch %v, want [c1 d1]", got)
	}
	if got := names(b.queue, all); !slices.Equal(got, []string{"a3", "bc"}) {
		t.Fatalf("left queued %v, want [a3 bc]", got)
	}
	b.freeLocked(held)
	// The first batch is done: a3 goes; bc still waits for w:c (second batch in flight).
	third, _ := b.takeLocked(3)
	if got := names(third, all); !slices.Equal(got, []string{"a3"}) {
		t.Fatalf("third batch %v, want [a3]", got)
	}
}

// An operation passed over holds its other accounts too: a later operation on one of
// them does not overtake it (else it could wait for ever behind newer batches).
func TestTakeLocked_aWaitingOperationIsNotOvertakenOnItsAccounts(t *testing.T) {
	b := &postBatcher{cfg: BatchConfig{MaxBatch: 64}.withDefaults(), busy: map[string]accountHold{"w:x": {flusher: 1, batches: 1}}}
	xy, y := pending("w:x", "w:y"), pending("w:y", "e:1")
	b.queue = []*pendingPost{xy, y}
	if batch, _ := b.takeLocked(2); len(batch) != 0 {
		t.Fatalf("took %d operations; both must wait for w:x", len(batch))
	}
	if len(b.queue) != 2 || b.queue[0] != xy || b.queue[1] != y {
		t.Fatal("the queue's order changed")
	}
}

func TestTakeLocked_takesAtMostMaxBatch(t *testing.T) {
	b := &postBatcher{cfg: BatchConfig{MaxBatch: 2}.withDefaults()}
	b.queue = []*pendingPost{pending("w:a"), pending("w:b"), pending("w:c")}
	batch, held := b.takeLocked(1)
	if len(batch) != 2 || len(b.queue) != 1 || len(held) != 2 {
		t.Fatalf("batch %d, queued %d, held %v", len(batch), len(b.queue), held)
	}
}

// A flusher's own batches in flight hold nothing back from it (its connection runs them
// in order), only from the others; an account is free once every batch holding it is done.
func TestTakeLocked_aFlushersOwnBatchesInFlightDoNotHoldItBack(t *testing.T) {
	b := &postBatcher{cfg: BatchConfig{MaxBatch: 64}.withDefaults()}
	b.queue = []*pendingPost{pending("w:a", "e:1")}
	first, held1 := b.takeLocked(1)
	b.queue = []*pendingPost{pending("w:a", "e:2")}
	if batch, _ := b.takeLocked(2); len(batch) != 0 {
		t.Fatal("flusher 2 took an operation on w:a while flusher 1's batch holds it")
	}
	second, held2 := b.takeLocked(1)
	if len(first) != 1 || len(second) != 1 {
		t.Fatalf("flusher 1 took %d then %d operations, want 1 and 1", len(first), len(second))
	}
	b.queue = []*pendingPost{pending("w:a", "e:3")}
	b.freeLocked(held1)
	if batch, _ := b.takeLocked(2); len(batch) != 0 {
		t.Fatal("flusher 2 took w:a while flusher 1's second batch still holds it")
	}
	b.freeLocked(held2)
	if batch, _ := b.takeLocked(2); len(batch) != 1 {
		t.Fatal("w:a is free once both of flusher 1's batches are done")
	}
	if len(b.busy) != 2 || b.busy["w:a"] != (accountHold{flusher: 2, batches: 1}) {
		t.Fatalf("busy %v, want w:a and e:3 held once by flusher 2", b.busy)
	}
}
