package adapters

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/consumer"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/subgraphs/analytics/domain"
)

// DeadLetterActionsTopic is the action log of the dead-letter admin: one partition, so
// its order is one order every replica reads alike (the first replay claim wins).
const DeadLetterActionsTopic = "deadletters.actions"

// KafkaDeadLetters is app.DeadLetterLog on Kafka: the letters are read straight from the
// <topic>.dlq topics events/consumer writes (without joining a consumer group, so reading
// moves no offset), the admins' actions are messages on DeadLetterActionsTopic, and a
// replay republishes the original message (consumer.Republished). Topic names are the
// logical ones: events/kafka adds and removes the stack's DIZHTIME_KAFKA_TOPIC_PREFIX.
type KafkaDeadLetters struct {
	brokers  []string
	producer *kafka.Producer

	mu          sync.Mutex
	actionTopic bool // the action log exists
}

// NewKafkaDeadLetters reads and writes through brokers.
func NewKafkaDeadLetters(brokers []string) *KafkaDeadLetters {
	return &KafkaDeadLetters{brokers: brokers, producer: kafka.NewProducer(brokers)}
}

// Close flushes the producer.
func (k *KafkaDeadLetters) Close() error { return k.producer.Close() }

// Sizes are how many messages each of names holds that exists (one metadata and one
// list-offsets request for all): a name the map lacks is no topic.
func (k *KafkaDeadLetters) Sizes(ctx context.Context, names []string) (map[string]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// A transport of its own: the shared one caches metadata for seconds.
	tr := &kafkago.Transport{}
	defer tr.CloseIdleConnections()
	c := &kafkago.Client{Addr: kafkago.TCP(k.brokers...), Timeout: 10 * time.Second, Transport: tr}
	// Every topic's metadata: asking for named ones may create them (auto-create).
	md, err := c.Metadata(ctx, &kafkago.MetadataRequest{})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	partitions := map[string][]int{}
	for _, t := range md.Topics {
		if t.Error == nil {
			for _, p := range t.Partitions {
				partitions[t.Name] = append(partitions[t.Name], p.ID)
			}
		}
	}
	out := map[string]int64{}
	reqs := map[string][]kafkago.OffsetRequest{}
	for _, n := range names {
		parts, ok := partitions[kafka.BrokerTopic(n)]
		if !ok {
			continue
		}
		out[n] = 0
		for _, p := range parts {
			reqs[kafka.BrokerTopic(n)] = append(reqs[kafka.BrokerTopic(n)], kafkago.FirstOffsetOf(p), kafkago.LastOffsetOf(p))
		}
	}
	if len(reqs) == 0 {
		return out, nil
	}
	offs, err := c.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: reqs})
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	for topic, pos := range offs.Topics {
		for _, po := range pos {
			if po.Error != nil {
				return nil, fmt.Errorf("offsets of %s/%d: %w", topic, po.Partition, po.Error)
			}
			out[kafka.LogicalTopic(topic)] += max(0, po.LastOffset-po.FirstOffset)
		}
	}
	return out, nil
}

// Letters reads every message of the dead-letter topic.
func (k *KafkaDeadLetters) Letters(ctx context.Context, topic string) ([]domain.DeadLetter, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var out []domain.DeadLetter
	err := kafka.ReadToEnd(ctx, k.brokers, topic, func(m kafka.Message) error {
		out = append(out, letterOf(m))
		return nil
	})
	return out, err
}

func letterOf(m kafka.Message) domain.DeadLetter {
	h := m.Headers
	l := domain.DeadLetter{
		ID:  domain.LetterID{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset},
		Key: m.Key, Value: m.Value, Headers: h,
		OriginalTopic: h[consumer.HeaderDLQOriginalTopic], EventID: h[events.HeaderID], EventType: h[events.HeaderType],
		ConsumerGroup: h[consumer.HeaderDLQConsumer], Error: h[consumer.HeaderDLQReason],
	}
	l.OriginalPartition, _ = strconv.Atoi(h[consumer.HeaderDLQOriginalPartition])
	l.OriginalOffset, _ = strconv.ParseInt(h[consumer.HeaderDLQOriginalOffset], 10, 64)
	l.Attempts, _ = strconv.Atoi(h[consumer.HeaderDLQAttempts])
	if t, err := time.Parse(time.RFC3339Nano, h[consumer.HeaderDLQFailedAt]); err == nil {
		l.FailedAt = t
	}
	if l.EventID == "" || l.EventType == "" { // a message that lost its headers: the envelope may still say
		var e struct{ ID, Type string }
		if json.Unmarshal(m.Value, &e) == nil {
			l.EventID, l.EventType = cmpOr(l.EventID, e.ID), cmpOr(l.EventType, e.Type)
		}
	}
	return l
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// actionRecord is an action's message value.
type actionRecord struct {
	Letter string    `json:"letter"`
	Kind   string    `json:"kind"`
	Claim  string    `json:"claim,omitempty"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
}

// Actions reads the action log.
func (k *KafkaDeadLetters) Actions(ctx context.Context) ([]domain.LetterAction, error) {
	if err := k.ensureActionTopic(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var out []domain.LetterAction
	err := kafka.ReadToEnd(ctx, k.brokers, DeadLetterActionsTopic, func(m kafka.Message) error {
		var r actionRecord
		if err := json.Unmarshal(m.Value, &r); err != nil {
			return nil // not ours: ignored
		}
		id, err := domain.ParseLetterID(r.Letter)
		if err != nil {
			return nil
		}
		out = append(out, domain.LetterAction{Letter: id, Kind: domain.ActionKind(r.Kind), Claim: r.Claim, By: r.By, At: r.At})
		return nil
	})
	return out, err
}

// Record appends actions to the log, keyed by letter.
func (k *KafkaDeadLetters) Record(ctx context.Context, actions ...domain.LetterAction) error {
	if err := k.ensureActionTopic(ctx); err != nil {
		return err
	}
	msgs := make([]kafka.Message, len(actions))
	for i, a := range actions {
		v, err := json.Marshal(actionRecord{Letter: a.Letter.String(), Kind: string(a.Kind), Claim: a.Claim, By: a.By, At: a.At})
		if err != nil {
			return err
		}
		msgs[i] = kafka.Message{Topic: DeadLetterActionsTopic, Key: []byte(a.Letter.String()), Value: v}
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return k.producer.Publish(ctx, msgs...)
}

// Republish sends each letter back to its original topic.
func (k *KafkaDeadLetters) Republish(ctx context.Context, letters ...domain.DeadLetter) error {
	msgs := make([]kafka.Message, len(letters))
	for i, l := range letters {
		m, err := consumer.Republished(kafka.Message{Topic: l.ID.Topic, Partition: l.ID.Partition, Offset: l.ID.Offset,
			Key: l.Key, Value: l.Value, Headers: l.Headers})
		if err != nil {
			return err
		}
		msgs[i] = m
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return k.producer.Publish(ctx, msgs...)
}

// Prepare creates the action log if it does not exist yet. The service calls it at start:
// a producer learns of a topic created later only when its metadata cache refreshes
// (seconds), which the first replay would otherwise wait for.
func (k *KafkaDeadLetters) Prepare(ctx context.Context) error { return k.ensureActionTopic(ctx) }

func (k *KafkaDeadLetters) ensureActionTopic(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.actionTopic {
		return nil
	}
	if len(k.brokers) == 0 {
		return errors.New("dead letters: no brokers")
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, k.brokers, kafka.TopicSpec{Name: DeadLetterActionsTopic, Partitions: 1}); err != nil {
		return fmt.Errorf("dead-letter action log: %w", err)
	}
	k.actionTopic = true
	return nil
}
