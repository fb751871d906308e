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
	first, held := b.takeLocked()
	if got := names(first, all); !slices.Equal(got, []string{"a1", "b1", "a2"}) {
		t.Fatalf("first batch %v: operations on one wallet go together", got)
	}
	b.queue = append(b.queue, pending("w:a", "e:6"), c1, bc, d1)
	all[b.queue[0]] = "a3"
	second, _ := b.takeLocked()
	// a3 waits for w:a; bc waits for w:b (in flight); c1 is older than bc and shares no
	// busy account, so it goes; d1 goes.
	if got := names(second, all); !slices.Equal(got, []string{"c1", "d1"}) {
		t.Fatalf("second batch %v, want [c1 d1]", got)
	}
	if got := names(b.queue, all); !slices.Equal(got, []string{"a3", "bc"}) {
		t.Fatalf("left queued %v, want [a3 bc]", got)
	}
	for _, a := range held {
		delete(b.busy, a)
	}
	// The first batch is done: a3 goes; bc still waits for w:c (second batch in flight).
	third, _ := b.takeLocked()
	if got := names(third, all); !slices.Equal(got, []string{"a3"}) {
		t.Fatalf("third batch %v, want [a3]", got)
	}
}

// An operation passed over holds its other accounts too: a later operation on one of
// them does not overtake it (else it could wait for ever behind newer batches).
func TestTakeLocked_aWaitingOperationIsNotOvertakenOnItsAccounts(t *testing.T) {
	b := &postBatcher{cfg: BatchConfig{MaxBatch: 64}.withDefaults(), busy: map[string]bool{"w:x": true}}
	xy, y := pending("w:x", "w:y"), pending("w:y", "e:1")
	b.queue = []*pendingPost{xy, y}
	if batch, _ := b.takeLocked(); len(batch) != 0 {
		t.Fatalf("took %d operations; both must wait for w:x", len(batch))
	}
	if len(b.queue) != 2 || b.queue[0] != xy || b.queue[1] != y {
		t.Fatal("the queue's order changed")
	}
}

func TestTakeLocked_takesAtMostMaxBatch(t *testing.T) {
	b := &postBatcher{cfg: BatchConfig{MaxBatch: 2}.withDefaults()}
	b.queue = []*pendingPost{pending("w:a"), pending("w:b"), pending("w:c")}
	batch, held := b.takeLocked()
	if len(batch) != 2 || len(b.queue) != 1 || len(held) != 2 {
		t.Fatalf("batch %d, queued %d, held %v", len(batch), len(b.queue), held)
	}
}
