package kafka

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is an in-process Kafka-protocol cluster (franz-go's kfake) for the laptop run.
type Embedded struct {
	c *kfake.Cluster
}

// EmbeddedOptions configures the embedded cluster.
type EmbeddedOptions struct {
	// Port to listen on (0 picks a free one).
	Port int
	// DataDir persists topics across restarts; empty keeps everything in memory.
	DataDir string
}

// StartEmbedded starts a one-broker kfake cluster that creates topics on first use.
func StartEmbedded(o EmbeddedOptions) (*Embedded, error) {
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3)}
	if o.Port != 0 {
		opts = append(opts, kfake.Ports(o.Port))
	}
	if o.DataDir != "" {
		opts = append(opts, kfake.DataDir(o.DataDir))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded kafka: %w", err)
	}
	return &Embedded{c: c}, nil
}

// Brokers are the bootstrap addresses.
func (e *Embedded) Brokers() []string { return e.c.ListenAddrs() }

// Close stops the cluster.
func (e *Embedded) Close() { e.c.Close() }
