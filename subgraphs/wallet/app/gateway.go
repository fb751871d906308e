package app

import (
	"context"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// IntentStatus is where a payment intent stands at the gateway.
type IntentStatus string

const (
	IntentPending   IntentStatus = "PENDING"
	IntentSucceeded IntentStatus = "SUCCEEDED"
	IntentDeclined  IntentStatus = "DECLINED"
)

// PaymentIntent is a top-up the gateway is collecting.
type PaymentIntent struct {
	ID     string
	UserID string
	Amount domain.Money
	Status IntentStatus
	// DeclineReason says why, when Declined.
	DeclineReason string
}

// PaymentGateway collects money from outside the platform. Results arrive as signed
// webhooks (the gateway's adapter verifies them and calls TopUpCredited).
type PaymentGateway interface {
	Name() string
	// CreateIntent starts collecting amount for userID; key makes it idempotent.
	CreateIntent(ctx context.Context, userID string, amount domain.Money, key string) (PaymentIntent, error)
}

// StartTopUp asks the gateway to collect amount; the wallet is credited when the gateway's
// webhook confirms it.
func (a *Application) StartTopUp(ctx context.Context, userID string, amount domain.Money, key string) (PaymentIntent, error) {
	if err := checkKey(key); err != nil {
		return PaymentIntent{}, err
	}
	if _, err := domain.TopUp(userID, a.gateway.Name(), amount); err != nil {
		return PaymentIntent{}, err
	}
	return a.gateway.CreateIntent(ctx, userID, amount, key)
}
