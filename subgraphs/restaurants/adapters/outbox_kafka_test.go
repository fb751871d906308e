package adapters_test

import (
	"context"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/domain"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/internal/mongotest"
)

// The relay against the real Kafka the services script runs: a restaurant's events land
// on their topics keyed by the restaurant, with the envelope's id in the headers.
func TestOutboxRelay_publishesToTheRealKafkaKeyedByRestaurant(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	brokers := endpoints.Kafka()
	if err := kafka.EnsureTopics(ctx, brokers, kafka.TopicSpec{Name: contracts.TypeRestaurantUpdated},
		kafka.TopicSpec{Name: contracts.TypeRestaurantMenuUpdate}); err != nil {
		t.Fatalf("Kafka not reachable at %v (deploy/local/services.sh up kafka): %v", brokers, err)
	}
	repo := newRepo(t, mongotest.Real(t))
	r := sample(t, 1)[0]
	// A unique subject: the topics are shared with every other run.
	r, _ = domain.RestoreRestaurant(withID(r.Snapshot(), "kafka-test-"+time.Now().Format("150405.000000000")))
	if err := repo.AddRestaurant(ctx, r); err != nil {
		t.Fatal(err)
	}
	producer := kafka.NewProducer(brokers)
	defer producer.Close()
	rl, err := adapters.NewOutboxRelay(repo, producer, adapters.RelayConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := rl.RelayOnce(ctx); err != nil || n != 0 {
		// A restored restaurant carries no change flags: nothing to publish yet.
		t.Fatalf("first round = %d, %v", n, err)
	}
	if _, err := repo.UpdateRestaurant(ctx, r.ID(), 0, func(r *domain.Restaurant) error { return r.Pause("", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	if n, err := rl.RelayOnce(ctx); err != nil || n != 1 {
		t.Fatalf("round after the pause = %d, %v", n, err)
	}
	var got []events.Envelope
	err = kafka.ReadToEnd(ctx, brokers, contracts.TypeRestaurantUpdated, func(m kafka.Message) error {
		if string(m.Key) == r.ID() {
			e, err := events.FromMessage(m)
			if err != nil {
				return err
			}
			if m.Headers[events.HeaderID] != e.ID {
				t.Errorf("header id %s, envelope id %s", m.Headers[events.HeaderID], e.ID)
			}
			got = append(got, e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var p contracts.RestaurantUpdatedV2
	if len(got) != 1 || got[0].Decode(&p) != nil || p.IsOpen || p.RestaurantID != r.ID() {
		t.Fatalf("read back %+v (%+v)", got, p)
	}
}

func withID(s domain.Snapshot, id string) domain.Snapshot {
	s.ID = id
	return s
}
