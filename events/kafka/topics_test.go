package kafka_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
)

func TestTopicNames_withoutAPrefixAreTheEventTypes(t *testing.T) {
	t.Setenv(kafka.TopicPrefixEnv, "")
	if got := kafka.BrokerTopic("restaurant.updated"); got != "restaurant.updated" {
		t.Errorf("BrokerTopic = %q, want the name unchanged", got)
	}
	if got := kafka.LogicalTopic("restaurant.updated"); got != "restaurant.updated" {
		t.Errorf("LogicalTopic = %q, want the name unchanged", got)
	}
}

// A stack with a prefix publishes, creates, reads and measures only its own topics on the
// real broker, and its code sees the names without the prefix; a process without the
// prefix (another stack, production) does not see them.
func TestTopicPrefix_aPrefixedStackUsesTopicsOfItsOwnAndSeesLogicalNames(t *testing.T) {
	brokers := endpoints.Kafka()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	prefix := fmt.Sprintf("prefixtest%d.", rand.Int64N(1<<40))
	topic := "restaurant.updated"
	t.Setenv(kafka.TopicPrefixEnv, prefix)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if n, err := kafka.DeleteTopicsWithPrefix(ctx, brokers, prefix); err != nil || n != 1 {
			t.Errorf("DeleteTopicsWithPrefix = %d, %v; want the one topic deleted", n, err)
		}
	})
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: topic, Partitions: 1}); err != nil {
		t.Fatalf("Kafka at %v not usable (start it with `deploy/local/services.sh up kafka`): %v", brokers, err)
	}
	p := kafka.NewProducer(brokers)
	t.Cleanup(func() { _ = p.Close() })
	if err := p.Publish(ctx, kafka.Message{Topic: topic, Key: []byte("k"), Value: []byte("ours")}); err != nil {
		t.Fatal(err)
	}
	seen := consume(t, ctx, brokers, topic, prefix+"group", 0, nil).seen
	if len(seen) != 1 || string(seen[0].Value) != "ours" || seen[0].Topic != topic {
		t.Fatalf("the consumer saw %+v; want the one message, on topic %q", seen, topic)
	}
	lag, err := kafka.GroupLag(ctx, brokers, prefix+"group", topic)
	if err != nil || lag != 0 {
		t.Errorf("GroupLag = %d, %v; want 0", lag, err)
	}
	var replayed []kafka.Message
	if err := kafka.ReadToEnd(ctx, brokers, topic, func(m kafka.Message) error {
		replayed = append(replayed, m)
		return nil
	}); err != nil || len(replayed) != 1 || replayed[0].Topic != topic {
		t.Errorf("ReadToEnd: %v, %+v", err, replayed)
	}

	// On the broker the topic has the prefix: without it, the name is another topic.
	t.Setenv(kafka.TopicPrefixEnv, "")
	var plain int
	if err := kafka.ReadToEnd(ctx, brokers, prefix+topic, func(kafka.Message) error { plain++; return nil }); err != nil || plain != 1 {
		t.Errorf("reading %s without a prefix: %d messages, %v; want the one", prefix+topic, plain, err)
	}
	if _, err := kafka.DeleteTopicsWithPrefix(ctx, brokers, ""); err == nil {
		t.Error("DeleteTopicsWithPrefix with an empty prefix did not refuse")
	}
	t.Setenv(kafka.TopicPrefixEnv, prefix)
}
