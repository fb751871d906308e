package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/trace"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// Application is the wallet's use cases.
type Application struct {
	store   Store
	loyalty domain.LoyaltyRules
	split   domain.Split
	gateway PaymentGateway
	topUp   TopUpLimits
	now     func() time.Time
	reports LedgerReports
}

// Config are the business rules the application applies.
type Config struct {
	Loyalty domain.LoyaltyRules
	Split   domain.Split
	// TopUp bounds top-ups; the zero value means DefaultTopUpLimits.
	TopUp TopUpLimits
}

// New checks its dependencies and rules.
func New(store Store, gateway PaymentGateway, cfg Config) (*Application, error) {
	if store == nil || gateway == nil {
		return nil, errors.New("wallet app: store and payment gateway are required")
	}
	if err := cfg.Loyalty.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.Split.Validate(); err != nil {
		return nil, err
	}
	if cfg.TopUp == (TopUpLimits{}) {
		cfg.TopUp = DefaultTopUpLimits
	}
	if err := cfg.TopUp.Validate(); err != nil {
		return nil, err
	}
	return &Application{store: store, loyalty: cfg.Loyalty, split: cfg.Split, gateway: gateway, topUp: cfg.TopUp, now: time.Now}, nil
}

// Loyalty returns the loyalty rules in force.
func (a *Application) Loyalty() domain.LoyaltyRules { return a.loyalty }

// requestHash identifies what a transaction does, independent of its id: the same
// operation retried hashes the same.
func requestHash(t domain.Transaction, extra ...string) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s", t.Kind(), t.OrderID, t.Amount, t.Reason)
	for _, p := range t.Postings() {
		fmt.Fprintf(h, "|%s=%d", p.Account, p.Amount)
	}
	for _, e := range extra {
		fmt.Fprintf(h, "|%s", e)
	}
	return h.Sum(nil)
}

func newRequest(ctx context.Context, t domain.Transaction, key, actor string, extra ...string) PostRequest {
	traceID := ""
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		traceID = sc.TraceID().String()
	}
	return PostRequest{Tx: t, TxID: uuid.Must(uuid.NewV7()).String(), IdempotencyKey: key,
		RequestHash: requestHash(t, extra...), Actor: actor, TraceID: traceID}
}

// checkKey refuses an empty idempotency key: every operation takes one.
func checkKey(key string) error {
	if key == "" || len(key) > 200 {
		return &domain.InputError{Field: "idempotencyKey", Reason: "is required (at most 200 characters)"}
	}
	return nil
}

func outcomeErr(r PostResult) error {
	if r.Status == StatusInsufficientFunds {
		return domain.ErrInsufficientFunds
	}
	return nil
}

// TopUpCredited credits a wallet for a payment intent the gateway confirmed; the intent id
// is the idempotency key, so a webhook delivered twice credits once.
func (a *Application) TopUpCredited(ctx context.Context, userID, gateway, intentID string, amount domain.Money) (PostResult, error) {
	t, err := domain.TopUp(userID, gateway, amount)
	if err != nil {
		return PostResult{}, err
	}
	req := newRequest(ctx, t, "topup:"+gateway+":"+intentID, "gateway:"+gateway)
	req.Tx.Reason = "top-up " + intentID
	return a.store.Post(ctx, req)
}

// PayOrderCommand charges a customer for an order.
type PayOrderCommand struct {
	domain.PayOrder
	RestaurantID   string
	IdempotencyKey string
	Actor          string
}

// PayOrder charges on its own: one round trip. domain.ErrInsufficientFunds when short.
func (a *Application) PayOrder(ctx context.Context, cmd PayOrderCommand) (PostResult, error) {
	req, err := a.payRequest(ctx, cmd)
	if err != nil {
		return PostResult{}, err
	}
	r, err := a.store.Post(ctx, req)
	if err != nil {
		return r, err
	}
	return r, outcomeErr(r)
}

// PayOrderIn charges inside tx and reports the outcome as a status (a saga step decides
// what to publish).
func (a *Application) PayOrderIn(ctx context.Context, tx Tx, cmd PayOrderCommand) (PostResult, error) {
	req, err := a.payRequest(ctx, cmd)
	if err != nil {
		return PostResult{}, err
	}
	return tx.Post(ctx, req)
}

func (a *Application) payRequest(ctx context.Context, cmd PayOrderCommand) (PostRequest, error) {
	if err := checkKey(cmd.IdempotencyKey); err != nil {
		return PostRequest{}, err
	}
	t, err := domain.Pay(cmd.PayOrder, a.loyalty)
	if err != nil {
		return PostRequest{}, err
	}
	req := newRequest(ctx, t, cmd.IdempotencyKey, cmd.Actor, cmd.RestaurantID)
	req.Counterparty = cmd.RestaurantID
	return req, nil
}

// RefundCommand returns (part of) an order's payment.
type RefundCommand struct {
	OrderID string
	// Amount nil refunds everything still refundable.
	Amount         *domain.Money
	Reason         string
	IdempotencyKey string
	Actor          string
}

// RefundIn refunds inside tx: the order's payment row is locked, so concurrent refunds of
// one order queue and the total never exceeds what was paid.
func (a *Application) RefundIn(ctx context.Context, tx Tx, cmd RefundCommand) (PostResult, error) {
	if err := checkKey(cmd.IdempotencyKey); err != nil {
		return PostResult{}, err
	}
	amount := "all"
	if cmd.Amount != nil {
		amount = cmd.Amount.String()
	}
	fingerprint := sha256.Sum256([]byte("refund|" + cmd.OrderID + "|" + amount + "|" + cmd.Reason))
	if r, found, err := tx.Outcome(ctx, cmd.IdempotencyKey, fingerprint[:]); err != nil || found {
		return r, err
	}
	op, restaurantID, err := tx.OrderPayment(ctx, cmd.OrderID)
	if err != nil {
		return PostResult{}, err
	}
	t, err := op.Refund(cmd.Amount, restaurantID, cmd.Reason)
	if err != nil {
		return PostResult{}, err
	}
	req := newRequest(ctx, t, cmd.IdempotencyKey, cmd.Actor)
	req.RequestHash = fingerprint[:]
	req.RefTxID = op.PaymentTxID
	return tx.Post(ctx, req)
}

// Refund runs RefundIn in its own transaction.
func (a *Application) Refund(ctx context.Context, cmd RefundCommand) (r PostResult, err error) {
	err = a.store.InTx(ctx, func(ctx context.Context, tx Tx) error {
		r, err = a.RefundIn(ctx, tx, cmd)
		return err
	})
	if err == nil {
		err = outcomeErr(r)
	}
	return r, err
}

// SettleResult is the settlement and the points it earned.
type SettleResult struct {
	Settlement PostResult
	Payment    domain.OrderPayment
	Points     int64
}

// SettleIn pays a delivered order's escrow out to restaurant, driver and platform, and
// awards the customer loyalty points on what was paid.
func (a *Application) SettleIn(ctx context.Context, tx Tx, orderID, actor string) (SettleResult, error) {
	key := "settle:" + orderID
	fingerprint := sha256.Sum256([]byte(key))
	if r, found, err := tx.Outcome(ctx, key, fingerprint[:]); err != nil || found {
		return SettleResult{Settlement: r}, err
	}
	op, restaurantID, err := tx.OrderPayment(ctx, orderID)
	if err != nil {
		return SettleResult{}, err
	}
	driverID, err := tx.DriverOf(ctx, orderID)
	if err != nil {
		return SettleResult{}, err
	}
	t, err := op.Settle(restaurantID, driverID, a.split)
	if err != nil {
		return SettleResult{}, err
	}
	req := newRequest(ctx, t, key, actor)
	req.RequestHash = fingerprint[:]
	req.RefTxID = op.PaymentTxID
	r, err := tx.Post(ctx, req)
	if err != nil || r.Status != StatusOK {
		return SettleResult{Settlement: r}, err
	}
	res := SettleResult{Settlement: r, Payment: op}
	earned := a.loyalty.Earned(t.Amount)
	if earned > 0 {
		et, err := domain.Earn(op.CustomerID, orderID, earned)
		if err != nil {
			return res, err
		}
		if _, err := tx.Post(ctx, newRequest(ctx, et, "points:"+orderID, actor)); err != nil {
			return res, err
		}
		res.Points = earned
	}
	return res, nil
}

// ExpirePoints expires userID's points earned before the expiry horizon and not spent.
func (a *Application) ExpirePoints(ctx context.Context, userID string) (expired int64, err error) {
	cutoff := a.now().Add(-a.loyalty.ExpireAfter)
	err = a.store.InTx(ctx, func(ctx context.Context, tx Tx) error {
		earned, consumed, err := tx.PointsUsage(ctx, userID, cutoff)
		if err != nil {
			return err
		}
		expired = domain.Expiring(earned, consumed)
		if expired == 0 {
			return nil
		}
		t, err := domain.Expire(userID, expired)
		if err != nil {
			return err
		}
		key := "expire:" + userID + ":" + strconv.FormatInt(cutoff.Unix(), 10)
		_, err = tx.Post(ctx, newRequest(ctx, t, key, "system:expiry"))
		return err
	})
	return expired, err
}

// ExpiryRun is what one expiry run did.
type ExpiryRun struct {
	Users  int
	Points int64
}

// ExpireDuePoints expires, for every holder, the points older than the expiry horizon.
// Safe to run from several replicas at once: each user's expiry locks the points account
// and recomputes what is still due, so a second run finds nothing.
func (a *Application) ExpireDuePoints(ctx context.Context) (ExpiryRun, error) {
	holders, err := a.store.PointsHolders(ctx, a.now().Add(-a.loyalty.ExpireAfter))
	if err != nil {
		return ExpiryRun{}, err
	}
	var (
		run  ExpiryRun
		errs []error
	)
	for _, u := range holders {
		if ctx.Err() != nil {
			break
		}
		n, err := a.ExpirePoints(ctx, u)
		if err != nil {
			errs = append(errs, fmt.Errorf("expire points of %s: %w", u, err))
			continue
		}
		if n > 0 {
			run.Users++
			run.Points += n
		}
	}
	return run, errors.Join(append(errs, ctx.Err())...)
}

// AdjustBalance is an admin correction with a mandatory reason.
func (a *Application) AdjustBalance(ctx context.Context, adminID, userID string, delta domain.Money, reason, key string) (PostResult, error) {
	if err := checkKey(key); err != nil {
		return PostResult{}, err
	}
	t, err := domain.Adjust(userID, delta, reason)
	if err != nil {
		return PostResult{}, err
	}
	r, err := a.store.Post(ctx, newRequest(ctx, t, key, "admin:"+adminID))
	if err != nil {
		return r, err
	}
	return r, outcomeErr(r)
}

// Balances of a user's wallet accounts (all currencies and points).
func (a *Application) Balances(ctx context.Context, userID string) ([]AccountBalance, error) {
	return a.store.Balances(ctx, userID)
}

// History of a user's postings, newest first.
func (a *Application) History(ctx context.Context, userID string, before int64, limit int) ([]HistoryEntry, error) {
	return a.store.History(ctx, userID, before, limit)
}

// RedeemPreview is what redeeming would do, with the points balance it was computed on.
type RedeemPreview struct {
	domain.RedeemPreview
	Balance int64
}

// RedeemPreview says what redeeming wish points (nil: as many as allowed) on an order of
// total would do.
func (a *Application) RedeemPreview(ctx context.Context, userID string, wish *int64, total domain.Money) (RedeemPreview, error) {
	if total.Currency().IsPoints() {
		return RedeemPreview{}, &domain.InputError{Field: "orderTotal", Reason: "an order is priced in money, not points"}
	}
	points, err := a.PointsBalance(ctx, userID)
	if err != nil {
		return RedeemPreview{}, err
	}
	w := points
	if wish != nil {
		if *wish < 0 {
			return RedeemPreview{}, &domain.InputError{Field: "points", Reason: "must not be negative"}
		}
		w = *wish
	}
	p, err := a.loyalty.Preview(points, w, total)
	return RedeemPreview{RedeemPreview: p, Balance: points}, err
}

// PointsBalance is userID's loyalty points balance.
func (a *Application) PointsBalance(ctx context.Context, userID string) (int64, error) {
	bals, err := a.store.Balances(ctx, userID)
	if err != nil {
		return 0, err
	}
	for _, b := range bals {
		if b.Account.Kind == domain.LoyaltyPoints {
			return b.Balance, nil
		}
	}
	return 0, nil
}
