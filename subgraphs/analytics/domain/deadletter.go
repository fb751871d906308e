package domain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DeadLetterSuffix ends every dead-letter topic's name: <topic>.dlq (events/consumer).
const DeadLetterSuffix = ".dlq"

// ReplayState is where a dead letter stands: parked, sent back to its topic, or put away.
type ReplayState string

const (
	LetterPending   ReplayState = "PENDING"
	LetterReplayed  ReplayState = "REPLAYED"
	LetterDiscarded ReplayState = "DISCARDED"
)

// LetterID names one dead letter by its place: the dead-letter topic's logical name (no
// stack prefix), partition and offset, e.g. "order.created.dlq/0/12". The place never
// changes, so the id is stable for as long as the letter is kept.
type LetterID struct {
	Topic     string
	Partition int
	Offset    int64
}

func (id LetterID) String() string {
	return id.Topic + "/" + strconv.Itoa(id.Partition) + "/" + strconv.FormatInt(id.Offset, 10)
}

// Before orders letters of one topic by partition, then offset.
func (id LetterID) Before(o LetterID) bool {
	if id.Partition != o.Partition {
		return id.Partition < o.Partition
	}
	return id.Offset < o.Offset
}

// ErrNotALetter is a string that names no dead letter.
var ErrNotALetter = errors.New("not a dead-letter id")

// ParseLetterID reads LetterID.String's form.
func ParseLetterID(s string) (LetterID, error) {
	rest, off, ok := cutLast(s)
	if !ok {
		return LetterID{}, fmt.Errorf("%w: %q", ErrNotALetter, s)
	}
	topic, part, ok := cutLast(rest)
	if !ok || !strings.HasSuffix(topic, DeadLetterSuffix) {
		return LetterID{}, fmt.Errorf("%w: %q", ErrNotALetter, s)
	}
	p, err1 := strconv.Atoi(part)
	o, err2 := strconv.ParseInt(off, 10, 64)
	if err1 != nil || err2 != nil || p < 0 || o < 0 {
		return LetterID{}, fmt.Errorf("%w: %q", ErrNotALetter, s)
	}
	return LetterID{Topic: topic, Partition: p, Offset: o}, nil
}

func cutLast(s string) (before, after string, ok bool) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 || i == len(s)-1 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

// DeadLetter is an event a consumer gave up on, as its dead-letter topic holds it: the
// original message (key, value, headers) and why it was parked.
type DeadLetter struct {
	ID                LetterID
	OriginalTopic     string
	OriginalPartition int
	OriginalOffset    int64
	Key               []byte
	Value             []byte
	Headers           map[string]string
	EventID           string
	EventType         string
	ConsumerGroup     string
	Error             string
	Attempts          int
	// FailedAt is zero when the letter does not say (a hand-made one).
	FailedAt time.Time
}

// Preview is the first max bytes of the letter's value, cut at a rune boundary.
func (l DeadLetter) Preview(max int) string {
	v := l.Value
	if len(v) <= max {
		return strings.ToValidUTF8(string(v), "?")
	}
	cut := max
	for cut > 0 && v[cut]&0xC0 == 0x80 {
		cut--
	}
	return strings.ToValidUTF8(string(v[:cut]), "?") + "…"
}

// LetterAction is one thing an admin did to a letter, as the action log records it.
type LetterAction struct {
	Letter LetterID
	Kind   ActionKind
	// Claim ties a replay to the request that made it: of two replays of one letter, the
	// one whose claim the log holds first wins and only it republishes.
	Claim string
	By    string
	At    time.Time
}

// ActionKind is what a LetterAction did.
type ActionKind string

const (
	ActionReplay ActionKind = "replay"
	// ActionReplayFailed takes back the replay with the same claim (republishing failed).
	ActionReplayFailed ActionKind = "replay_failed"
	ActionDiscard      ActionKind = "discard"
)

// LetterStatus is a letter's state after the action log.
type LetterStatus struct {
	State ReplayState
	// Claim, By and At describe the action that put it there (zero when PENDING).
	Claim string
	By    string
	At    time.Time
}

// FoldActions replays the action log, in log order, into each letter's status (a letter
// with no action is PENDING). The first replay of a pending letter wins; later replays
// change nothing (a double click replays once); a failed replay makes the letter pending
// again; a discard puts it away for good.
func FoldActions(log []LetterAction) map[LetterID]LetterStatus {
	out := map[LetterID]LetterStatus{}
	for _, a := range log {
		cur := out[a.Letter]
		if cur.State == "" {
			cur.State = LetterPending
		}
		switch a.Kind {
		case ActionReplay:
			if cur.State == LetterPending {
				cur = LetterStatus{State: LetterReplayed, Claim: a.Claim, By: a.By, At: a.At}
			}
		case ActionReplayFailed:
			if cur.State == LetterReplayed && cur.Claim == a.Claim {
				cur = LetterStatus{State: LetterPending}
			}
		case ActionDiscard:
			if cur.State != LetterDiscarded {
				cur = LetterStatus{State: LetterDiscarded, By: a.By, At: a.At}
			}
		}
		out[a.Letter] = cur
	}
	return out
}

// StatusOf is id's status in folded (PENDING when the log never names it).
func StatusOf(folded map[LetterID]LetterStatus, id LetterID) LetterStatus {
	if s, ok := folded[id]; ok {
		return s
	}
	return LetterStatus{State: LetterPending}
}
