package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"
)

// GroupLag is how many messages of topic group has not committed yet, summed over the
// topic's partitions: the exact consumer lag, whether or not a member is running.
func GroupLag(ctx context.Context, brokers []string, group, topic string) (int64, error) {
	topic = BrokerTopic(topic)
	c := &kafkago.Client{Addr: kafkago.TCP(brokers...), Timeout: 10 * time.Second}
	parts, err := partitions(ctx, c, topic)
	if err != nil {
		return 0, err
	}
	var reqs []kafkago.OffsetRequest
	for _, p := range parts {
		reqs = append(reqs, kafkago.FirstOffsetOf(p), kafkago.LastOffsetOf(p))
	}
	offs, err := c.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{topic: reqs}})
	if err != nil {
		return 0, fmt.Errorf("lag of %s on %s: list offsets: %w", group, topic, err)
	}
	first, last := map[int]int64{}, map[int]int64{}
	for _, po := range offs.Topics[topic] {
		if po.Error != nil {
			return 0, fmt.Errorf("lag of %s on %s/%d: %w", group, topic, po.Partition, po.Error)
		}
		first[po.Partition], last[po.Partition] = po.FirstOffset, po.LastOffset
	}
	committed, err := c.OffsetFetch(ctx, &kafkago.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err != nil {
		return 0, fmt.Errorf("lag of %s on %s: fetch offsets: %w", group, topic, err)
	}
	if committed.Error != nil {
		return 0, fmt.Errorf("lag of %s on %s: %w", group, topic, committed.Error)
	}
	var lag int64
	for _, p := range committed.Topics[topic] {
		from := p.CommittedOffset
		if from < 0 { // nothing committed yet
			from = first[p.Partition]
		}
		lag += max(0, last[p.Partition]-from)
	}
	return lag, nil
}

func partitions(ctx context.Context, c *kafkago.Client, topic string) ([]int, error) {
	md, err := c.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	for _, t := range md.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return nil, fmt.Errorf("metadata of %s: %w", topic, t.Error)
		}
		var out []int
		for _, p := range t.Partitions {
			out = append(out, p.ID)
		}
		return out, nil
	}
	return nil, fmt.Errorf("metadata of %s: no such topic", topic)
}

// ReadToEnd hands fn every message of topic that exists when it is called, partition by
// partition, without joining a consumer group (tools such as dead-letter replay).
//
// It asks with a transport of its own: the shared one caches metadata for seconds, and a
// topic created meanwhile (a dead-letter topic, an action log) would be unknown to it.
func ReadToEnd(ctx context.Context, brokers []string, topic string, fn func(Message) error) error {
	topic = BrokerTopic(topic)
	tr := &kafkago.Transport{}
	defer tr.CloseIdleConnections()
	c := &kafkago.Client{Addr: kafkago.TCP(brokers...), Timeout: 10 * time.Second, Transport: tr}
	parts, err := partitions(ctx, c, topic)
	if err != nil {
		return err
	}
	var reqs []kafkago.OffsetRequest
	for _, p := range parts {
		reqs = append(reqs, kafkago.FirstOffsetOf(p), kafkago.LastOffsetOf(p))
	}
	offs, err := c.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{topic: reqs}})
	if err != nil {
		return fmt.Errorf("read %s: list offsets: %w", topic, err)
	}
	for _, po := range offs.Topics[topic] {
		if po.Error != nil {
			return fmt.Errorf("read %s/%d: %w", topic, po.Partition, po.Error)
		}
		if po.LastOffset <= po.FirstOffset {
			continue
		}
		if err := readPartition(ctx, brokers, topic, po.Partition, po.FirstOffset, po.LastOffset, fn); err != nil {
			return err
		}
	}
	return nil
}

func readPartition(ctx context.Context, brokers []string, topic string, partition int, from, end int64, fn func(Message) error) error {
	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: brokers, Topic: topic, Partition: partition,
		MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 250 * time.Millisecond})
	defer r.Close()
	if err := r.SetOffset(from); err != nil {
		return fmt.Errorf("read %s/%d: %w", topic, partition, err)
	}
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("read %s/%d: stopped at offset %d of %d: %w", topic, partition, r.Offset(), end, err)
			}
			return fmt.Errorf("read %s/%d: %w", topic, partition, err)
		}
		if err := fn(Message{Topic: LogicalTopic(m.Topic), Key: m.Key, Value: m.Value, Headers: fromHeaders(m.Headers),
			Partition: m.Partition, Offset: m.Offset, Time: m.Time}); err != nil {
			return err
		}
		if m.Offset+1 >= end {
			return nil
		}
	}
}

// DeleteTopicsWithPrefix deletes every topic whose broker name starts with prefix (a test
// stack's DIZHTIME_KAFKA_TOPIC_PREFIX, once the stack stopped) and returns how many it
// deleted. An empty prefix is refused: it would name every topic.
func DeleteTopicsWithPrefix(ctx context.Context, brokers []string, prefix string) (int, error) {
	if prefix == "" {
		return 0, errors.New("delete topics: an empty prefix would name every topic")
	}
	c := &kafkago.Client{Addr: kafkago.TCP(brokers...), Timeout: 10 * time.Second}
	md, err := c.Metadata(ctx, &kafkago.MetadataRequest{})
	if err != nil {
		return 0, fmt.Errorf("delete topics %s*: metadata: %w", prefix, err)
	}
	var names []string
	for _, t := range md.Topics {
		if strings.HasPrefix(t.Name, prefix) {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		return 0, nil
	}
	res, err := c.DeleteTopics(ctx, &kafkago.DeleteTopicsRequest{Topics: names})
	if err != nil {
		return 0, fmt.Errorf("delete topics %s*: %w", prefix, err)
	}
	var errs []error
	for name, e := range res.Errors {
		if e != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, e))
		}
	}
	return len(names) - len(errs), errors.Join(errs...)
}
