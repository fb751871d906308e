package domain

import "errors"

// Errors the app layer maps to GraphQL codes.
var (
	ErrNotYourDelivery = errors.New("not your delivery")
	ErrNoOffer         = errors.New("no such offer")
	ErrDriverBusy      = errors.New("driver is not available")
	ErrOrderHasOffer   = errors.New("order already holds an offer or a driver")
	ErrDriverOffline   = errors.New("driver is offline")
)
