package graph

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/graph/model"
)

// present turns an application error into one a client may see: domain refusals get
// their code, anything else is INTERNAL (logged by the presenter, never shown).
func present(err error) error {
	if err == nil {
		return nil
	}
	var ge *graphqlerr.Error
	var ie *domain.InputError
	switch {
	case errors.As(err, &ge):
		return err
	case errors.As(err, &ie):
		return graphqlerr.BadUserInput(ie.Field, ie.Error())
	case errors.Is(err, domain.ErrInsufficientFunds):
		return &graphqlerr.Error{Code: graphqlerr.CodeInsufficientFunds, Message: "the wallet balance is too low", Cause: err}
	case errors.Is(err, domain.ErrConflict):
		return &graphqlerr.Error{Code: graphqlerr.CodeConflict,
			Message: "the idempotency key was already used for another request", Cause: err}
	case errors.Is(err, domain.ErrNotFound):
		return &graphqlerr.Error{Code: graphqlerr.CodeNotFound, Message: "not found", Cause: err}
	}
	return graphqlerr.Internal(err)
}

// canSeeWallet lets the owner and admins through.
func canSeeWallet(ctx context.Context, userID string) error {
	if strings.TrimSpace(userID) == "" {
		return graphqlerr.BadUserInput("userId", "is required")
	}
	_, err := authz.RequireSelfOrRole(ctx, userID, authz.RoleAdmin)
	return err
}

func toMoney(m domain.Money) *model.WalletMoney {
	return &model.WalletMoney{AmountMinor: m.Minor(), Currency: string(m.Currency())}
}

// fromMoneyInput validates a client's amount; points (PTS) only where allowPoints.
func fromMoneyInput(field string, in model.WalletMoneyInput, allowPoints bool) (domain.Money, error) {
	m, err := domain.NewMoney(in.AmountMinor, strings.ToUpper(strings.TrimSpace(in.Currency)))
	if err != nil {
		var ie *domain.InputError
		if errors.As(err, &ie) {
			return domain.Money{}, graphqlerr.BadUserInput(field+".currency", ie.Reason)
		}
		return domain.Money{}, graphqlerr.BadUserInput(field, err.Error())
	}
	if m.Currency().IsPoints() && !allowPoints {
		return domain.Money{}, graphqlerr.BadUserInput(field+".currency", "must be money, not points")
	}
	return m, nil
}

func toIntent(in app.PaymentIntent) *model.PaymentIntent {
	out := &model.PaymentIntent{ID: in.ID, Status: model.PaymentIntentStatus(in.Status), Amount: toMoney(in.Amount)}
	if in.DeclineReason != "" {
		out.DeclineReason = &in.DeclineReason
	}
	if in.FailureReason != "" {
		out.FailureReason = &in.FailureReason
	}
	out.CreatedAt, out.ExpiresAt = in.CreatedAt.UTC().Format(time.RFC3339Nano), in.ExpiresAt.UTC().Format(time.RFC3339Nano)
	return out
}

func toOrderPayment(v app.OrderPaymentView) *model.OrderPayment {
	cur := v.Paid.Currency()
	out := &model.OrderPayment{
		AmountPaid:           toMoney(v.Paid),
		AmountPaidFromWallet: toMoney(domain.MustMoneyOf(v.PaidCash(), cur)),
		PointsRedeemed:       v.PaidPoints,
		Refunded:             toMoney(domain.MustMoneyOf(v.Refunded, cur)),
		Settled:              v.Settled,
		Refunds:              []*model.OrderRefund{},
	}
	switch {
	case v.Refunded > 0 && v.Refundable() == 0:
		out.Status = model.OrderPaymentStatusRefunded
	case v.Refunded > 0:
		out.Status = model.OrderPaymentStatusPartiallyRefunded
	case v.Settled:
		out.Status = model.OrderPaymentStatusSettled
	default:
		out.Status = model.OrderPaymentStatusPaid
	}
	for _, r := range v.Refunds {
		out.Refunds = append(out.Refunds, &model.OrderRefund{TransactionID: r.TxID, Amount: toMoney(r.Amount),
			Reason: r.Reason, CreatedAt: r.CreatedAt.Format(time.RFC3339Nano)})
	}
	return out
}

var kinds = map[domain.TxKind]model.WalletTransactionKind{
	domain.KindTopUp:        model.WalletTransactionKindTopUp,
	domain.KindOrderPayment: model.WalletTransactionKindOrderPayment,
	domain.KindRefund:       model.WalletTransactionKindRefund,
	domain.KindSettlement:   model.WalletTransactionKindSettlement,
	domain.KindPointsEarn:   model.WalletTransactionKindPointsEarn,
	domain.KindPointsExpire: model.WalletTransactionKindPointsExpire,
	domain.KindAdjustment:   model.WalletTransactionKindAdjustment,
}

func toTransaction(e app.HistoryEntry) (*model.WalletTransaction, error) {
	kind, ok := kinds[e.Kind]
	if !ok {
		return nil, fmt.Errorf("posting %d: unknown transaction kind %q", e.Seq, e.Kind)
	}
	out := &model.WalletTransaction{
		ID: strconv.FormatInt(e.Seq, 10), TransactionID: e.TxID, Kind: kind,
		Amount: &model.WalletMoney{AmountMinor: e.Amount, Currency: string(e.Account.Currency)},
		Reason: e.Reason, CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339Nano),
	}
	if e.OrderID != "" {
		out.OrderID = &e.OrderID
	}
	return out, nil
}

// Cursors are opaque to clients; inside they are the posting's ledger sequence number,
// which orders history stably however many postings arrive meanwhile.
const cursorPrefix = "posting:"

func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10)))
}

func decodeCursor(c string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if s, ok := strings.CutPrefix(string(raw), cursorPrefix); ok {
			if seq, err := strconv.ParseInt(s, 10, 64); err == nil && seq > 0 {
				return seq, nil
			}
		}
	}
	return 0, graphqlerr.BadUserInput("after", "is not a cursor this connection returned")
}

// Page sizes of the transactions connection.
const (
	defaultPage = 20
	maxPage     = 100
)
