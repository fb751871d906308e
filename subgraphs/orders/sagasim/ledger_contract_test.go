package sagasim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/outbox"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/postgres"
	wadapters "github.com/dizhtime/dizhtime/subgraphs/wallet/adapters"
	wapp "github.com/dizhtime/dizhtime/subgraphs/wallet/app"
	wdomain "github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

// The simulation is only as honest as LedgerStore: the wallet keeps its money rules
// partly in SQL (wallet_post, the unique indexes, OrderPayment's sums), and LedgerStore
// re-implements them. This test runs one random sequence of the wallet's saga steps and
// commands against LedgerStore and against the real PostgreSQL ledger
// (adapters.LedgerRepository, migrated in a schema of its own) and requires the same
// outcome for every operation and the same balance on every account after it.
func TestLedgerStore_agreesWithThePostgreSQLLedger(t *testing.T) {
	pool := walletSchema(t)
	pg := wadapters.NewLedgerRepository(pool, outbox.New())
	clock := NewClock()
	mem := NewLedgerStore(clock, &Outbox{Service: "wallet", bus: NewBus(func(string) int { return 0 }, shortID)})
	apps := map[string]*wapp.Application{}
	started := map[string]*[]wapp.PaymentIntent{"memory": {}, "postgres": {}}
	for name, store := range map[string]wapp.Store{"memory": mem, "postgres": pg} {
		a, err := wapp.New(store, gateway{started[name]}, wapp.Config{Loyalty: Loyalty, Split: Split,
			TopUp: wapp.TopUpLimits{PerOperation: 10_000, PerDay: 40_000, IntentTTL: 30 * time.Minute}})
		if err != nil {
			t.Fatal(err)
		}
		apps[name] = a
	}
	ctx := context.Background()
	r := rand.New(rand.NewPCG(15, 15))
	const ops = 600
	counts := map[string]int{}
	for i := 0; i < ops; i++ {
		op := r.IntN(12)
		intent := r.IntN(1 + len(*started["memory"]))
		declined := r.IntN(4) == 0
		order := fmt.Sprintf("ord-%d-%d", i/60, r.IntN(6))
		cust := customerID(r.IntN(3))
		cur := Currencies[r.IntN(2)]
		total := int64(200 + r.IntN(3000))
		points := int64(0)
		if r.IntN(3) == 0 {
			points = int64(1 + r.IntN(200))
		}
		to := []string{contracts.OrderCancelled, contracts.OrderRejected, contracts.OrderPaymentFailed,
			contracts.OrderDeliveryFailed, contracts.OrderDelivered}[r.IntN(5)]
		amount := int64(1 + r.IntN(800))
		key := fmt.Sprintf("k-%d", r.IntN(40))
		driver := driverID(r.IntN(2))
		var what string
		outcomes := map[string]string{}
		for _, name := range []string{"memory", "postgres"} {
			a := apps[name]
			var store wapp.Store = mem
			if name == "postgres" {
				store = pg
			}
			var err error
			switch op {
			case 0, 8:
				what = fmt.Sprintf("top up %s %d %s", cust, total*3, cur)
				_, err = a.TopUpCredited(ctx, cust, "sandbox", fmt.Sprintf("intent-%d", i), wdomain.MustMoney(total*3, cur))
			case 1, 2:
				what = fmt.Sprintf("order.created %s for %s: %d %s, %d points", order, cust, total, cur, points)
				err = store.InTx(ctx, func(ctx context.Context, tx wapp.Tx) error {
					return a.OnOrderCreated(ctx, tx, contracts.OrderCreatedV2{OrderID: order, CustomerID: cust, RestaurantID: "rest-0",
						Total: contracts.Money{AmountMinor: total, Currency: cur}, PointsRedeemed: points})
				})
			case 3, 4:
				what = fmt.Sprintf("order.status.changed %s -> %s", order, to)
				err = store.InTx(ctx, func(ctx context.Context, tx wapp.Tx) error {
					return a.OnOrderStatusChanged(ctx, tx, contracts.OrderStatusChangedV2{OrderID: order, To: to, Reason: "test"})
				})
			case 5:
				what = fmt.Sprintf("admin refund %d %s of %s under %s", amount, cur, order, key)
				m := wdomain.MustMoney(amount, cur)
				_, err = a.Refund(ctx, wapp.RefundCommand{OrderID: order, Amount: &m, Reason: "goodwill", IdempotencyKey: key, Actor: "admin:a"})
			case 6:
				what = fmt.Sprintf("payment.refund.requested %s", order)
				err = store.InTx(ctx, func(ctx context.Context, tx wapp.Tx) error {
					return a.OnPaymentRefundRequested(ctx, tx, contracts.PaymentRefundRequestedV1{OrderID: order, PaymentID: "pay-" + order,
						Reason: contracts.RefundLatePayment})
				})
			case 9, 10:
				what = fmt.Sprintf("start top-up %s %d %s under %s", cust, total*4, cur, key)
				_, err = a.StartTopUp(ctx, cust, wdomain.MustMoney(total*4, cur), key)
			case 11:
				ins := *started[name]
				if intent >= len(ins) {
					what = "webhook for no intent"
					continue
				}
				in := ins[intent]
				res := wapp.GatewayResult{Gateway: in.Gateway, IntentID: in.ID, UserID: in.UserID, AmountMinor: in.Amount.Minor(),
					Currency: string(in.Amount.Currency()), Status: wapp.IntentSucceeded}
				if declined {
					res.Status = wapp.IntentDeclined
				}
				what = fmt.Sprintf("webhook %s for intent %d", res.Status, intent)
				var got wapp.PaymentIntent
				got, err = a.ApplyGatewayResult(ctx, res)
				if err == nil {
					outcomes[name+" intent"] = string(got.Status)
				}
			case 7:
				what = fmt.Sprintf("dispatch.assigned %s", order)
				err = store.InTx(ctx, func(ctx context.Context, tx wapp.Tx) error {
					return a.OnDispatchAssigned(ctx, tx, contracts.DispatchAssignedV1{OrderID: order, DriverID: driver})
				})
			}
			outcomes[name] = outcomeClass(err)
		}
		counts[strings.SplitN(what, " ", 2)[0]+": "+outcomes["memory"]]++
		if outcomes["memory"] != outcomes["postgres"] || outcomes["memory intent"] != outcomes["postgres intent"] {
			t.Fatalf("op %d (%s): memory %s %s, postgres %s %s", i, what, outcomes["memory"], outcomes["memory intent"],
				outcomes["postgres"], outcomes["postgres intent"])
		}
		if diff := balanceDiff(ctx, t, mem, pool); diff != "" {
			t.Fatalf("op %d (%s): balances differ: %s", i, what, diff)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM transactions`).Scan(&n); err != nil || n != len(mem.Transactions) {
		t.Fatalf("postgres holds %d transactions (%v), memory %d", n, err, len(mem.Transactions))
	}
	t.Logf("%d operations, %d transactions, %d postings: same outcomes and balances; outcomes %v", ops, n, len(mem.Postings), counts)
}

func outcomeClass(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, wdomain.ErrInsufficientFunds):
		return "insufficient funds"
	case errors.Is(err, wdomain.ErrConflict):
		return "conflict"
	case errors.Is(err, wdomain.ErrNotFound):
		return "not found"
	case wdomain.IsInputError(err):
		return "input error"
	}
	return "error: " + err.Error()
}

func balanceDiff(ctx context.Context, t *testing.T, mem *LedgerStore, pool *pgxpool.Pool) string {
	rows, err := pool.Query(ctx, `SELECT id, balance FROM accounts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var (
			id  string
			bal int64
		)
		if err := rows.Scan(&id, &bal); err != nil {
			t.Fatal(err)
		}
		seen[id] = true
		a, ok := mem.accounts[id]
		if (!ok && bal != 0) || (ok && a.balance != bal) {
			return fmt.Sprintf("%s: postgres %d, memory %v", id, bal, a)
		}
	}
	for id, a := range mem.accounts {
		if !seen[id] && a.balance != 0 {
			return fmt.Sprintf("%s: memory %d, postgres has no account", id, a.balance)
		}
	}
	return ""
}

// walletSchema migrates the wallet into a fresh schema on the real PostgreSQL (the
// wallet's own testdb helper is internal to its module), dropped after the test.
func walletSchema(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	schema := fmt.Sprintf("sagasim_%d_%d", time.Now().UnixMilli()%1e6, rand.Int64N(1<<30))
	admin, err := postgres.Open(ctx, endpoints.Postgres(), postgres.WithMaxConns(2))
	if err != nil {
		t.Fatalf("PostgreSQL at %s not reachable (start it with `deploy/local/services.sh up postgres`): %v", endpoints.PostgresEnv, err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	base := endpoints.Postgres()
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	pool, err := postgres.Open(ctx, base+sep+"search_path="+url.QueryEscape(schema), postgres.WithMaxConns(4))
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	t.Cleanup(pool.Close)
	if err := wadapters.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate the wallet: %v", err)
	}
	return pool
}
