package kafka

import (
	"os"
	"strings"
)

// TopicPrefixEnv names the environment variable whose value prefixes every topic name on
// the broker. It is empty in production and for `make run`; platform/stack sets one per
// test stack, so that stacks sharing a broker never read each other's events (a search
// index reading from the first offset would otherwise index every earlier run's
// restaurants, which this run's restaurants subgraph does not know).
const TopicPrefixEnv = "DIZHTIME_KAFKA_TOPIC_PREFIX"

// TopicPrefix is this process's topic prefix (DIZHTIME_KAFKA_TOPIC_PREFIX, default empty).
// It is read each time rather than once, so a test can set it with t.Setenv.
func TopicPrefix() string { return os.Getenv(TopicPrefixEnv) }

// BrokerTopic is the broker's name for the topic the code calls name (an event type, a
// dead-letter topic): name with the process's prefix. This package applies it on every
// path (Producer, Consumer, EnsureTopics, GroupLag, ReadToEnd); code that talks to
// kafka-go directly must apply it too.
func BrokerTopic(name string) string { return TopicPrefix() + name }

// LogicalTopic is the name the code uses for a topic the broker calls brokerName: the
// prefix removed. Messages this package hands out carry logical names.
func LogicalTopic(brokerName string) string { return strings.TrimPrefix(brokerName, TopicPrefix()) }
