package domain_test

import (
	"errors"
	"testing"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

func TestFoldActions_theFirstReplayWinsAFailedOneFreesTheLetterAndADiscardIsFinal(t *testing.T) {
	a := domain.LetterID{Topic: "order.created.dlq", Partition: 0, Offset: 3}
	act := func(kind domain.ActionKind, claim string) domain.LetterAction {
		return domain.LetterAction{Letter: a, Kind: kind, Claim: claim, By: "admin"}
	}
	for _, tc := range []struct {
		name  string
		log   []domain.LetterAction
		state domain.ReplayState
		claim string
	}{
		{"no action", nil, domain.LetterPending, ""},
		{"one replay", []domain.LetterAction{act(domain.ActionReplay, "c1")}, domain.LetterReplayed, "c1"},
		{"a double click: the first claim wins", []domain.LetterAction{act(domain.ActionReplay, "c1"), act(domain.ActionReplay, "c2")}, domain.LetterReplayed, "c1"},
		{"a failed replay frees it", []domain.LetterAction{act(domain.ActionReplay, "c1"), act(domain.ActionReplayFailed, "c1")}, domain.LetterPending, ""},
		{"another claim's failure changes nothing", []domain.LetterAction{act(domain.ActionReplay, "c1"), act(domain.ActionReplayFailed, "c2")}, domain.LetterReplayed, "c1"},
		{"replayed again after a failure", []domain.LetterAction{act(domain.ActionReplay, "c1"), act(domain.ActionReplayFailed, "c1"), act(domain.ActionReplay, "c3")}, domain.LetterReplayed, "c3"},
		{"discarded", []domain.LetterAction{act(domain.ActionDiscard, "")}, domain.LetterDiscarded, ""},
		{"a replay after a discard changes nothing", []domain.LetterAction{act(domain.ActionDiscard, ""), act(domain.ActionReplay, "c1")}, domain.LetterDiscarded, ""},
		{"a replayed letter may be put away", []domain.LetterAction{act(domain.ActionReplay, "c1"), act(domain.ActionDiscard, "")}, domain.LetterDiscarded, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := domain.StatusOf(domain.FoldActions(tc.log), a)
			if got.State != tc.state || got.Claim != tc.claim {
				t.Fatalf("status = %+v, want %s claimed by %q", got, tc.state, tc.claim)
			}
		})
	}
}

func TestParseLetterID_readsWhatStringWritesAndRefusesTheRest(t *testing.T) {
	id := domain.LetterID{Topic: "payment.refund.requested.dlq", Partition: 2, Offset: 1234}
	if got, err := domain.ParseLetterID(id.String()); err != nil || got != id {
		t.Fatalf("round trip of %s = %+v, %v", id, got, err)
	}
	for _, bad := range []string{"", "matrix", "00000000-0000-0000-0000-000000000001", "order.created/0/1", "order.created.dlq/x/1",
		"order.created.dlq/0/-1", "order.created.dlq/0/", "/0/1"} {
		if _, err := domain.ParseLetterID(bad); !errors.Is(err, domain.ErrNotALetter) {
			t.Errorf("ParseLetterID(%q) = %v, want ErrNotALetter", bad, err)
		}
	}
}
