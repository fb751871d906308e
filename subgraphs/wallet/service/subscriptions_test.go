package service_test

import (
	"context"
	"testing"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/service"
)

// The saga's order.created consumer groups a fetch by the customer's wallet (the row its
// transactions lock): the key is the customer of either contract version, and the other
// steps keep the partition grouping.
func TestSubscriptions_orderCreatedIsShardedByTheCustomersWallet(t *testing.T) {
	var orderCreated service.Subscription
	for _, s := range service.Subscriptions(nil, nil) {
		switch {
		case s.Topic == contracts.TypeOrderCreated:
			orderCreated = s
		case s.ShardKey != nil:
			t.Errorf("%s has a shard key: only order.created's is known to lock one wallet", s.Topic)
		}
	}
	if orderCreated.ShardKey == nil {
		t.Fatal("order.created has no shard key")
	}
	for _, p := range []events.Payload{
		contracts.OrderCreatedV1{OrderID: "o-1", CustomerID: "c-7", RestaurantID: "r-1"},
		contracts.OrderCreatedV2{OrderID: "o-2", CustomerID: "c-7", RestaurantID: "r-1"},
	} {
		e, err := events.New(context.Background(), "test", "o", p)
		if err != nil {
			t.Fatal(err)
		}
		if got := orderCreated.ShardKey(e); got != "c-7" {
			t.Errorf("v%d: shard key %q, want the customer c-7", e.Version, got)
		}
	}
}
