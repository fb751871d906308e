package consumer

import (
	"context"
	"fmt"
	"strings"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/kafka"
)

// HeaderReplayedFrom marks a message republished from a dead-letter topic.
const HeaderReplayedFrom = "dlq_replayed_from"

// Replay republishes the dead letters in dlqTopic to their original topics, with their
// original key, value and headers (so the same event id and trace), and returns how many
// it republished. With eventID empty it replays every dead letter present, once per event
// id; otherwise only that event's. Replaying twice is harmless: consumers skip ids they
// already applied.
func Replay(ctx context.Context, brokers []string, pub Publisher, dlqTopic, eventID string) (int, error) {
	seen := map[string]bool{}
	var out []kafka.Message
	err := kafka.ReadToEnd(ctx, brokers, dlqTopic, func(m kafka.Message) error {
		id := m.Headers[events.HeaderID]
		if id == "" { // undecodable when dead-lettered: replay by position
			id = fmt.Sprintf("%s/%d@%d", dlqTopic, m.Partition, m.Offset)
		}
		if (eventID != "" && id != eventID) || seen[id] {
			return nil
		}
		seen[id] = true
		r, err := Republished(m)
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("replay %s: %w", dlqTopic, err)
	}
	if eventID != "" && len(out) == 0 {
		return 0, fmt.Errorf("replay %s: no dead letter for event %s", dlqTopic, eventID)
	}
	if len(out) == 0 {
		return 0, nil
	}
	if err := pub.Publish(ctx, out...); err != nil {
		return 0, fmt.Errorf("replay %s: %w", dlqTopic, err)
	}
	return len(out), nil
}

// Republished is the message that sends dead letter m (as read from its dead-letter
// topic) back to its original topic: the original key, value and headers (so the same
// event id and trace), the dlq_* headers dropped and HeaderReplayedFrom naming m.
func Republished(m kafka.Message) (kafka.Message, error) {
	topic := m.Headers[HeaderDLQOriginalTopic]
	if topic == "" {
		return kafka.Message{}, fmt.Errorf("replay %s/%d@%d: no %s header", m.Topic, m.Partition, m.Offset, HeaderDLQOriginalTopic)
	}
	h := map[string]string{HeaderReplayedFrom: fmt.Sprintf("%s/%d@%d", m.Topic, m.Partition, m.Offset)}
	for k, v := range m.Headers {
		if !strings.HasPrefix(k, "dlq_") {
			h[k] = v
		}
	}
	return kafka.Message{Topic: topic, Key: m.Key, Value: m.Value, Headers: h}, nil
}
