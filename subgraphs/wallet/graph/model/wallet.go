package model

// Wallet is the Wallet entity: only the owner's id; balances, points and history are
// resolved (and authorized) on demand.
type Wallet struct {
	UserID string `json:"userId"`
}

func (Wallet) IsEntity() {}
