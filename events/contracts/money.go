package contracts

// Money is an amount in minor units (tiyin, cents) of an ISO 4217 currency: never a float.
type Money struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}
