package contracts

import "time"

// Event types of the payment aggregate (subject: the order id, so an order's payment
// events stay in order with each other).
const (
	TypePaymentSucceeded = "payment.success"
	TypePaymentFailed    = "payment.failed"
	TypePaymentRefunded  = "payment.refunded"
	// TypePaymentRefundRequested is the orders service asking the wallet to give back a
	// payment it cannot keep (see PaymentRefundRequestedV1).
	TypePaymentRefundRequested = "payment.refund.requested"
)

// PaymentSucceededV1: the wallet charged an order.
type PaymentSucceededV1 struct {
	PaymentID  string    `json:"payment_id"`
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	Amount     Money     `json:"amount"`
	Method     string    `json:"method"`
	PaidAt     time.Time `json:"paid_at"`
}

func (PaymentSucceededV1) EventType() string { return TypePaymentSucceeded }
func (PaymentSucceededV1) EventVersion() int { return 1 }

// Payment failure codes.
const (
	PaymentInsufficientFunds = "insufficient_funds"
	PaymentDeclined          = "declined"
	PaymentWalletFrozen      = "wallet_frozen"
)

// PaymentFailedV1: charging an order failed; Code says why.
type PaymentFailedV1 struct {
	PaymentID  string    `json:"payment_id"`
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	Amount     Money     `json:"amount"`
	Code       string    `json:"code"`
	Message    string    `json:"message,omitempty"`
	FailedAt   time.Time `json:"failed_at"`
}

func (PaymentFailedV1) EventType() string { return TypePaymentFailed }
func (PaymentFailedV1) EventVersion() int { return 1 }

// PaymentRefundedV1: (part of) a payment went back to the customer.
type PaymentRefundedV1 struct {
	RefundID   string    `json:"refund_id"`
	PaymentID  string    `json:"payment_id"`
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	Amount     Money     `json:"amount"`
	Reason     string    `json:"reason"`
	RefundedAt time.Time `json:"refunded_at"`
}

func (PaymentRefundedV1) EventType() string { return TypePaymentRefunded }
func (PaymentRefundedV1) EventVersion() int { return 1 }

// Refund request reasons.
const (
	// RefundLatePayment: the payment arrived after the order had ended without being paid
	// (cancelled while PLACED, or its payment deadline passed).
	RefundLatePayment = "late_payment"
)

// PaymentRefundRequestedV1: the orders service received a payment for an order that can
// no longer be paid and asks the wallet to give it back, whole. It is a compensation, so
// the wallet applies it at most once per payment (its idempotency key is the payment id)
// and refunds only what is still refundable: a refund the wallet already made because it
// saw the order end is not repeated. Amount is what the order says was charged (its
// total, points included), for the reader; the wallet's ledger decides what goes back.
type PaymentRefundRequestedV1 struct {
	OrderID     string    `json:"order_id"`
	PaymentID   string    `json:"payment_id"`
	CustomerID  string    `json:"customer_id"`
	Amount      Money     `json:"amount"`
	Reason      string    `json:"reason"`
	Message     string    `json:"message,omitempty"`
	RequestedAt time.Time `json:"requested_at"`
}

func (PaymentRefundRequestedV1) EventType() string { return TypePaymentRefundRequested }
func (PaymentRefundRequestedV1) EventVersion() int { return 1 }
