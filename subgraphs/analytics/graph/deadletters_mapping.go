package graph

import (
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/analytics/app"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/graph/model"
)

// payloadPreviewBytes is how much of a letter's message the API shows.
const payloadPreviewBytes = 600

func deadLetterTopic(t app.DeadLetterTopic) *model.DeadLetterTopic {
	return &model.DeadLetterTopic{Name: t.Name, OriginalTopic: t.OriginalTopic, Count: t.Count, Pending: t.Pending,
		OldestFailedAt: rfc3339(t.Oldest), NewestFailedAt: rfc3339(t.Newest)}
}

func deadLetter(l app.Letter) *model.DeadLetter {
	out := &model.DeadLetter{
		ID: l.ID.String(), Topic: l.ID.Topic, OriginalTopic: l.OriginalTopic,
		OriginalPartition: l.OriginalPartition, OriginalOffset: l.OriginalOffset,
		Key: string(l.Key), EventID: optional(l.EventID), EventType: optional(l.EventType),
		ConsumerGroup: l.ConsumerGroup, Error: l.Error, Attempts: l.Attempts, FailedAt: rfc3339(l.FailedAt),
		PayloadPreview: l.Preview(payloadPreviewBytes), ReplayState: model.DeadLetterReplayState(l.Status.State),
		ActedAt: rfc3339(l.Status.At), ActedBy: optional(l.Status.By),
	}
	return out
}

func deadLetterReplay(o app.ReplayOutcome) *model.DeadLetterReplay {
	out := &model.DeadLetterReplay{Republished: o.Republished, AlreadyReplayed: o.AlreadyReplayed,
		Letters: make([]*model.DeadLetter, len(o.Letters))}
	for i, l := range o.Letters {
		out.Letters[i] = deadLetter(l)
	}
	return out
}

func deadLetterConnection(p app.LetterPage) *model.DeadLetterConnection {
	c := &model.DeadLetterConnection{Edges: make([]*model.DeadLetterEdge, len(p.Letters)), TotalCount: p.Total,
		PageInfo: &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrevious}}
	for i, l := range p.Letters {
		c.Edges[i] = &model.DeadLetterEdge{Cursor: l.ID.String(), Node: deadLetter(l)}
	}
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[n-1].Cursor
	}
	return c
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func valueOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
