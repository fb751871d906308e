package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// DeadLetterLog is where dead letters and the admins' actions on them live (Kafka: the
// <topic>.dlq topics and one action log topic).
type DeadLetterLog interface {
	// Sizes are how many messages each of names holds, for those that exist (a name the
	// map lacks is no topic).
	Sizes(ctx context.Context, names []string) (map[string]int64, error)
	// Letters are every letter of the dead-letter topic, in partition and offset order.
	Letters(ctx context.Context, topic string) ([]domain.DeadLetter, error)
	// Actions are the action log, in the order it was written.
	Actions(ctx context.Context) ([]domain.LetterAction, error)
	// Record appends actions to the action log and returns once it is durable.
	Record(ctx context.Context, actions ...domain.LetterAction) error
	// Republish sends letters back to their original topics, as they were first published.
	Republish(ctx context.Context, letters ...domain.DeadLetter) error
}

// DeadLetterTopic is one dead-letter topic's summary.
type DeadLetterTopic struct {
	Name, OriginalTopic string
	// Count is the letters not discarded; Pending of them are not replayed yet.
	Count, Pending int
	// Oldest and Newest are the first and last FailedAt of those (zero if none).
	Oldest, Newest time.Time
}

// Letter is a dead letter with its status.
type Letter struct {
	domain.DeadLetter
	Status domain.LetterStatus
}

// LetterPage is a page of a topic's letters (Relay: after a cursor, first n).
type LetterPage struct {
	Letters     []Letter
	HasNext     bool
	HasPrevious bool
	Total       int
}

// ReplayOutcome is what a replay did: Republished letters sent back by this call, and
// AlreadyReplayed letters an earlier replay had sent (left alone).
type ReplayOutcome struct {
	Republished, AlreadyReplayed int
	Letters                      []Letter
}

// DeadLetters lets admins see, replay and discard the events consumers parked on their
// topics' dead-letter topics. Kafka cannot delete one message, so discards and replays are
// recorded in an action log; a letter's state is the log folded (domain.FoldActions).
type DeadLetters struct {
	log DeadLetterLog
	// topics are the event topics whose dead-letter topics are shown (logical names).
	topics []string
	now    func() time.Time
}

// NewDeadLetters shows the dead-letter topics of topics.
func NewDeadLetters(log DeadLetterLog, topics []string) (*DeadLetters, error) {
	if log == nil || len(topics) == 0 {
		return nil, errors.New("dead letters: log and topics are required")
	}
	return &DeadLetters{log: log, topics: slices.Sorted(slices.Values(topics)), now: time.Now}, nil
}

// Topics summarizes every dead-letter topic that exists (admins only).
func (d *DeadLetters) Topics(ctx context.Context) ([]DeadLetterTopic, error) {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return nil, err
	}
	names := make([]string, len(d.topics))
	for i, t := range d.topics {
		names[i] = t + domain.DeadLetterSuffix
	}
	sizes, err := d.log.Sizes(ctx, names)
	if err != nil {
		return nil, graphqlerr.Internal(fmt.Errorf("dead-letter topics: %w", err))
	}
	folded, err := d.folded(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DeadLetterTopic, 0, len(sizes))
	for _, name := range names {
		size, ok := sizes[name]
		if !ok {
			continue
		}
		t := DeadLetterTopic{Name: name, OriginalTopic: name[:len(name)-len(domain.DeadLetterSuffix)]}
		if size == 0 { // nothing to read: most topics, most of the time
			out = append(out, t)
			continue
		}
		letters, err := d.log.Letters(ctx, name)
		if err != nil {
			return nil, graphqlerr.Internal(fmt.Errorf("letters of %s: %w", name, err))
		}
		for _, l := range letters {
			st := domain.StatusOf(folded, l.ID)
			if st.State == domain.LetterDiscarded {
				continue
			}
			t.Count++
			if st.State == domain.LetterPending {
				t.Pending++
			}
			if !l.FailedAt.IsZero() && (t.Oldest.IsZero() || l.FailedAt.Before(t.Oldest)) {
				t.Oldest = l.FailedAt
			}
			if l.FailedAt.After(t.Newest) {
				t.Newest = l.FailedAt
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// Letters is a page of topic's letters not discarded, oldest first (admins only).
func (d *DeadLetters) Letters(ctx context.Context, topic string, first int, after string) (LetterPage, error) {
	if _, err := authz.RequireRole(ctx, authz.RoleAdmin); err != nil {
		return LetterPage{}, err
	}
	if first < 1 || first > MaxLimit {
		return LetterPage{}, graphqlerr.BadUserInput("first", fmt.Sprintf("must be 1..%d", MaxLimit))
	}
	var from *domain.LetterID
	if after != "" {
		id, err := domain.ParseLetterID(after)
		if err != nil || id.Topic != topic {
			return LetterPage{}, graphqlerr.BadUserInput("after", "not a cursor of this topic")
		}
		from = &id
	}
	letters, err := d.visible(ctx, topic)
	if err != nil {
		return LetterPage{}, err
	}
	page := LetterPage{Total: len(letters)}
	for _, l := range letters {
		if from != nil && !from.Before(l.ID) {
			page.HasPrevious = true
			continue
		}
		if len(page.Letters) == first {
			page.HasNext = true
			break
		}
		page.Letters = append(page.Letters, l)
	}
	return page, nil
}

// Replay sends the letter back to its original topic with its original event id, once:
// a letter replayed already is left alone (admins only).
func (d *DeadLetters) Replay(ctx context.Context, id string) (ReplayOutcome, error) {
	who, err := authz.RequireRole(ctx, authz.RoleAdmin)
	if err != nil {
		return ReplayOutcome{}, err
	}
	l, err := d.letter(ctx, id)
	if err != nil {
		return ReplayOutcome{}, err
	}
	return d.replay(ctx, who, []Letter{l})
}

// ReplayTopic replays every pending letter of topic (admins only).
func (d *DeadLetters) ReplayTopic(ctx context.Context, topic string) (ReplayOutcome, error) {
	who, err := authz.RequireRole(ctx, authz.RoleAdmin)
	if err != nil {
		return ReplayOutcome{}, err
	}
	letters, err := d.visible(ctx, topic)
	if err != nil {
		return ReplayOutcome{}, err
	}
	return d.replay(ctx, who, letters)
}

// Discard puts the letter away: it leaves the lists and can no longer be replayed
// (admins only).
func (d *DeadLetters) Discard(ctx context.Context, id string) (Letter, error) {
	who, err := authz.RequireRole(ctx, authz.RoleAdmin)
	if err != nil {
		return Letter{}, err
	}
	l, err := d.letter(ctx, id)
	if err != nil {
		return Letter{}, err
	}
	a := domain.LetterAction{Letter: l.ID, Kind: domain.ActionDiscard, By: who.UserID, At: d.now().UTC()}
	if err := d.log.Record(ctx, a); err != nil {
		return Letter{}, graphqlerr.Internal(fmt.Errorf("discard %s: %w", l.ID, err))
	}
	l.Status = domain.LetterStatus{State: domain.LetterDiscarded, By: a.By, At: a.At}
	return l, nil
}

// replay claims the pending letters in the action log, reads the log back and republishes
// the letters whose first replay is this call's claim. The log is one partition, so every
// replica sees the same first claim: two replays at once (a double click, two admins, two
// replicas) republish a letter once. Should republishing fail, the claim is taken back.
func (d *DeadLetters) replay(ctx context.Context, who authz.Identity, letters []Letter) (ReplayOutcome, error) {
	claim, at := uuid.NewString(), d.now().UTC()
	var claims []domain.LetterAction
	var out ReplayOutcome
	for _, l := range letters {
		if l.Status.State == domain.LetterPending {
			claims = append(claims, domain.LetterAction{Letter: l.ID, Kind: domain.ActionReplay, Claim: claim, By: who.UserID, At: at})
		}
	}
	if len(claims) > 0 {
		if err := d.log.Record(ctx, claims...); err != nil {
			return ReplayOutcome{}, graphqlerr.Internal(fmt.Errorf("claim replays: %w", err))
		}
	}
	folded, err := d.folded(ctx)
	if err != nil {
		return ReplayOutcome{}, err
	}
	var won []domain.DeadLetter
	for i, l := range letters {
		st := domain.StatusOf(folded, l.ID)
		letters[i].Status = st
		if st.State == domain.LetterReplayed && st.Claim == claim {
			won = append(won, l.DeadLetter)
		} else if st.State == domain.LetterReplayed {
			out.AlreadyReplayed++
		}
	}
	if len(won) > 0 {
		if err := d.log.Republish(ctx, won...); err != nil {
			var undo []domain.LetterAction
			for _, l := range won {
				undo = append(undo, domain.LetterAction{Letter: l.ID, Kind: domain.ActionReplayFailed, Claim: claim, By: who.UserID, At: d.now().UTC()})
			}
			if uerr := d.log.Record(context.WithoutCancel(ctx), undo...); uerr != nil {
				err = errors.Join(err, fmt.Errorf("take the claims back: %w", uerr))
			}
			return ReplayOutcome{}, graphqlerr.Internal(fmt.Errorf("republish %d letters: %w", len(won), err))
		}
	}
	out.Republished = len(won)
	out.Letters = letters
	return out, nil
}

// letter finds a letter not discarded by its id, or NOT_FOUND.
func (d *DeadLetters) letter(ctx context.Context, id string) (Letter, error) {
	lid, err := domain.ParseLetterID(id)
	if err != nil {
		return Letter{}, graphqlerr.NotFound("no such dead letter")
	}
	letters, err := d.visible(ctx, lid.Topic)
	if err != nil {
		return Letter{}, err
	}
	for _, l := range letters {
		if l.ID == lid {
			return l, nil
		}
	}
	return Letter{}, graphqlerr.NotFound("no such dead letter (discarded, or never there)")
}

// visible are topic's letters not discarded, with their status; NOT_FOUND for a topic
// that is not a dead-letter topic of the platform's topics.
func (d *DeadLetters) visible(ctx context.Context, topic string) ([]Letter, error) {
	original, ok := strings.CutSuffix(topic, domain.DeadLetterSuffix)
	if !ok || !slices.Contains(d.topics, original) {
		return nil, graphqlerr.NotFound(fmt.Sprintf("no dead-letter topic %q", topic))
	}
	sizes, err := d.log.Sizes(ctx, []string{topic})
	if err != nil {
		return nil, graphqlerr.Internal(fmt.Errorf("dead-letter topic %s: %w", topic, err))
	}
	size, ok := sizes[topic]
	if !ok {
		return nil, graphqlerr.NotFound(fmt.Sprintf("no dead-letter topic %q", topic))
	}
	var raw []domain.DeadLetter
	if size > 0 {
		if raw, err = d.log.Letters(ctx, topic); err != nil {
			return nil, graphqlerr.Internal(fmt.Errorf("letters of %s: %w", topic, err))
		}
	}
	folded, err := d.folded(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Letter, 0, len(raw))
	for _, l := range raw {
		st := domain.StatusOf(folded, l.ID)
		if st.State != domain.LetterDiscarded {
			out = append(out, Letter{DeadLetter: l, Status: st})
		}
	}
	return out, nil
}

func (d *DeadLetters) folded(ctx context.Context) (map[domain.LetterID]domain.LetterStatus, error) {
	actions, err := d.log.Actions(ctx)
	if err != nil {
		return nil, graphqlerr.Internal(fmt.Errorf("dead-letter actions: %w", err))
	}
	return domain.FoldActions(actions), nil
}
