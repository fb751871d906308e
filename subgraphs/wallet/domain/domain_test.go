package domain_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dizhtime/dizhtime/subgraphs/wallet/domain"
)

func acct(t *testing.T, k domain.AccountKind, owner string, c domain.Currency) domain.AccountID {
	t.Helper()
	a, err := domain.NewAccountID(k, owner, c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func sumsPerCurrency(tx domain.Transaction) map[domain.Currency]int64 {
	out := map[domain.Currency]int64{}
	for _, p := range tx.Postings() {
		out[p.Account.Currency] += p.Amount
	}
	return out
}

func assertBalanced(t *testing.T, tx domain.Transaction) {
	t.Helper()
	for c, s := range sumsPerCurrency(tx) {
		if s != 0 {
			t.Fatalf("%s postings sum to %d in %s", tx.Kind(), s, c)
		}
	}
}

func TestNewMoney_acceptsISOCurrenciesAndPointsAndRefusesOthers(t *testing.T) {
	for _, c := range []struct {
		code string
		ok   bool
	}{{"UZS", true}, {"USD", true}, {"PTS", true}, {"usd", false}, {"XXX", false}, {"", false}, {"US", false}} {
		_, err := domain.NewMoney(100, c.code)
		if (err == nil) != c.ok {
			t.Errorf("NewMoney(100, %q) error = %v, want ok=%v", c.code, err, c.ok)
		}
		if err != nil && !domain.IsInputError(err) {
			t.Errorf("NewMoney(100, %q) error %v is not an input error", c.code, err)
		}
	}
}

func TestMoneyAdd_refusesMixedCurrenciesAndOverflow(t *testing.T) {
	cases := []struct {
		name string
		a, b domain.Money
		ok   bool
	}{
		{"same currency", domain.MustMoney(1, "USD"), domain.MustMoney(2, "USD"), true},
		{"mixed currencies", domain.MustMoney(1, "USD"), domain.MustMoney(2, "EUR"), false},
		{"money and points", domain.MustMoney(1, "USD"), domain.MustMoney(2, "PTS"), false},
		{"overflow", domain.MustMoney(math.MaxInt64, "USD"), domain.MustMoney(1, "USD"), false},
		{"underflow", domain.MustMoney(math.MinInt64, "USD"), domain.MustMoney(-1, "USD"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.a.Add(c.b); (err == nil) != c.ok {
				t.Fatalf("Add error = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestAccountKind_onlyExternalAndBookkeepingAccountsMayGoNegative(t *testing.T) {
	cases := map[domain.AccountKind]bool{
		domain.CustomerWallet: false, domain.DriverEarnings: false, domain.OrderEscrow: false,
		domain.LoyaltyPoints: false, domain.PlatformFee: false,
		domain.GatewayClearing: true, domain.LoyaltyPool: true, domain.LoyaltyFunding: true,
		domain.Adjustments: true, domain.RestaurantPayable: true,
	}
	for k, want := range cases {
		if k.MayGoNegative() != want {
			t.Errorf("%s.MayGoNegative() = %v, want %v", k, !want, want)
		}
	}
}

func TestNewAccountID_keepsPointsAndMoneyInTheirOwnAccounts(t *testing.T) {
	cases := []struct {
		kind domain.AccountKind
		cur  domain.Currency
		ok   bool
	}{
		{domain.CustomerWallet, "UZS", true},
		{domain.CustomerWallet, domain.Points, false},
		{domain.LoyaltyPoints, domain.Points, true},
		{domain.LoyaltyPoints, "UZS", false},
		{"savings", "UZS", false},
	}
	for _, c := range cases {
		_, err := domain.NewAccountID(c.kind, "u1", c.cur)
		if (err == nil) != c.ok {
			t.Errorf("NewAccountID(%s, %s) error = %v, want ok=%v", c.kind, c.cur, err, c.ok)
		}
	}
	if _, err := domain.NewAccountID(domain.CustomerWallet, "a:b", "UZS"); err == nil {
		t.Error("an owner containing ':' was accepted")
	}
	a := acct(t, domain.OrderEscrow, "o-1", "USD")
	if back, err := domain.ParseAccountID(a.String()); err != nil || back != a {
		t.Errorf("ParseAccountID(%s) = %v, %v", a, back, err)
	}
}

func TestNewTransaction_refusesPostingsThatDoNotSumToZeroPerCurrency(t *testing.T) {
	w := acct(t, domain.CustomerWallet, "u1", "USD")
	e := acct(t, domain.OrderEscrow, "o1", "USD")
	we := acct(t, domain.CustomerWallet, "u1", "EUR")
	pts := acct(t, domain.LoyaltyPoints, "u1", domain.Points)
	pool := acct(t, domain.LoyaltyPool, "platform", domain.Points)
	cases := []struct {
		name     string
		postings []domain.Posting
		ok       bool
	}{
		{"balanced pair", []domain.Posting{{w, -5}, {e, 5}}, true},
		{"unbalanced", []domain.Posting{{w, -5}, {e, 4}}, false},
		{"balanced overall but not per currency", []domain.Posting{{w, -5}, {we, 5}}, false},
		{"two currencies each balanced", []domain.Posting{{w, -5}, {e, 5}, {pts, 3}, {pool, -3}}, true},
		{"empty", nil, false},
		{"everything nets to zero", []domain.Posting{{w, -5}, {w, 5}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := domain.NewTransaction(domain.KindAdjustment, domain.MustMoney(5, "USD"), c.postings...)
			if (err == nil) != c.ok {
				t.Fatalf("error = %v, want ok=%v", err, c.ok)
			}
			if err == nil {
				assertBalanced(t, tx)
			}
		})
	}
}

func TestNewTransaction_mergesPostingsOnTheSameAccount(t *testing.T) {
	w := acct(t, domain.CustomerWallet, "u1", "USD")
	e := acct(t, domain.OrderEscrow, "o1", "USD")
	tx, err := domain.NewTransaction(domain.KindAdjustment, domain.MustMoney(5, "USD"), domain.Posting{w, -2}, domain.Posting{e, 5}, domain.Posting{w, -3})
	if err != nil {
		t.Fatal(err)
	}
	if got := tx.Postings(); len(got) != 2 {
		t.Fatalf("postings = %v, want one per account", got)
	}
}

func TestPay_movesTheTotalFromWalletToEscrowAndLetsPointsCoverPart(t *testing.T) {
	rules := domain.DefaultLoyalty
	cases := []struct {
		name       string
		total      domain.Money
		points     int64
		walletPays int64
		ok         bool
	}{
		{"money only", domain.MustMoney(10_000, "UZS"), 0, 10_000, true},
		{"half by points", domain.MustMoney(10_000, "UZS"), 5_000, 5_000, true},
		{"more points than allowed", domain.MustMoney(10_000, "UZS"), 5_001, 0, false},
		{"zero total", domain.MustMoney(0, "UZS"), 0, 0, false},
		{"priced in points", domain.MustMoney(10, "PTS"), 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := domain.Pay(domain.PayOrder{OrderID: "o1", CustomerID: "u1", Total: c.total, RedeemPoints: c.points}, rules)
			if (err == nil) != c.ok {
				t.Fatalf("error = %v, want ok=%v", err, c.ok)
			}
			if err != nil {
				return
			}
			assertBalanced(t, tx)
			b := domain.Balance(tx.Postings())
			if got := b[acct(t, domain.CustomerWallet, "u1", "UZS")]; got != -c.walletPays {
				t.Errorf("wallet moved %d, want -%d", got, c.walletPays)
			}
			if got := b[acct(t, domain.OrderEscrow, "o1", "UZS")]; got != c.total.Minor() {
				t.Errorf("escrow got %d, want the whole total %d", got, c.total.Minor())
			}
			if got := b[acct(t, domain.LoyaltyPoints, "u1", domain.Points)]; got != -c.points {
				t.Errorf("points moved %d, want -%d", got, c.points)
			}
		})
	}
}

func TestRefund_neverReturnsMoreThanWasPaidAcrossRefunds(t *testing.T) {
	paid := domain.OrderPayment{OrderID: "o1", CustomerID: "u1", Paid: domain.MustMoney(1000, "USD")}
	m := func(n int64) *domain.Money { x := domain.MustMoney(n, "USD"); return &x }
	cases := []struct {
		name     string
		op       domain.OrderPayment
		amount   *domain.Money
		want     int64
		source   domain.AccountKind
		errInput bool
		conflict bool
	}{
		{"everything by default", paid, nil, 1000, domain.OrderEscrow, false, false},
		{"a part", paid, m(300), 300, domain.OrderEscrow, false, false},
		{"the rest after a partial refund", with(paid, 700, false), nil, 300, domain.OrderEscrow, false, false},
		{"more than the rest", with(paid, 700, false), m(301), 0, "", true, false},
		{"nothing left", with(paid, 1000, false), nil, 0, "", false, true},
		{"after settlement from the restaurant", with(paid, 0, true), m(100), 100, domain.RestaurantPayable, false, false},
		{"wrong currency", paid, func() *domain.Money { x := domain.MustMoney(1, "EUR"); return &x }(), 0, "", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := c.op.Refund(c.amount, "r1", "restaurant rejected")
			switch {
			case c.errInput:
				if !domain.IsInputError(err) {
					t.Fatalf("error = %v, want an input error", err)
				}
				return
			case c.conflict:
				if !errors.Is(err, domain.ErrConflict) {
					t.Fatalf("error = %v, want a conflict", err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			assertBalanced(t, tx)
			for _, p := range tx.Postings() {
				if p.Amount < 0 && (p.Account.Kind != c.source || p.Amount != -c.want) {
					t.Errorf("debit %v %d, want %s -%d", p.Account, p.Amount, c.source, c.want)
				}
			}
		})
	}
}

func with(op domain.OrderPayment, refunded int64, settled bool) domain.OrderPayment {
	op.Refunded, op.Settled = refunded, settled
	return op
}

func TestSplitShares_loseNoMinorUnitToRounding(t *testing.T) {
	splits := []domain.Split{{1500, 1000}, {333, 333}, {0, 0}, {10000, 0}, {1, 9999}}
	for _, s := range splits {
		for _, amount := range []int64{0, 1, 7, 99, 101, 12_345, 999_999_999, math.MaxInt64} {
			r, d, p := s.Shares(amount)
			if r+d+p != amount || r < 0 || d < 0 || p < 0 {
				t.Errorf("split %+v of %d = restaurant %d driver %d platform %d", s, amount, r, d, p)
			}
		}
	}
	if r, d, p := (domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}).Shares(999); p != 149 || d != 99 || r != 751 {
		t.Errorf("999 split 15%%/10%% = %d/%d/%d, want restaurant 751, driver 99, platform 149 (shares round down, restaurant gets the rest)", r, d, p)
	}
}

func TestSettle_paysOutWhatEscrowStillHoldsOnce(t *testing.T) {
	split := domain.Split{PlatformFeeBps: 1500, DriverBps: 1000}
	op := domain.OrderPayment{OrderID: "o1", CustomerID: "u1", Paid: domain.MustMoney(1000, "USD"), Refunded: 200}
	tx, err := op.Settle("r1", "d1", split)
	if err != nil {
		t.Fatal(err)
	}
	assertBalanced(t, tx)
	b := domain.Balance(tx.Postings())
	if b[acct(t, domain.OrderEscrow, "o1", "USD")] != -800 {
		t.Errorf("escrow moved %d, want -800", b[acct(t, domain.OrderEscrow, "o1", "USD")])
	}
	if _, err := with(op, 200, true).Settle("r1", "d1", split); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("second settlement error = %v, want conflict", err)
	}
	if _, err := with(op, 1000, false).Settle("r1", "d1", split); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("settling a fully refunded order error = %v, want conflict", err)
	}
	if err := (domain.Split{PlatformFeeBps: 6000, DriverBps: 5000}).Validate(); err == nil {
		t.Error("a split over 100% was accepted")
	}
}

func TestLoyalty_earnsRedeemsAndExpiresOldestFirst(t *testing.T) {
	r := domain.DefaultLoyalty
	if got := r.Earned(domain.MustMoney(12_399, "UZS")); got != 123 {
		t.Errorf("Earned(12399) = %d, want 123 (rounded down)", got)
	}
	p, err := r.Preview(300, 10_000, domain.MustMoney(400, "UZS"))
	if err != nil || p.Points != 200 || p.Covered.Minor() != 200 || p.Remaining.Minor() != 200 {
		t.Errorf("Preview = %+v, %v; want 200 points covering half of 400", p, err)
	}
	p, _ = r.Preview(50, 10_000, domain.MustMoney(400, "UZS"))
	if p.Points != 50 {
		t.Errorf("Preview capped at %d, want the balance 50", p.Points)
	}
	for _, c := range []struct{ earnedBefore, consumed, want int64 }{{100, 0, 100}, {100, 30, 70}, {100, 150, 0}, {0, 0, 0}} {
		if got := domain.Expiring(c.earnedBefore, c.consumed); got != c.want {
			t.Errorf("Expiring(%d, %d) = %d, want %d", c.earnedBefore, c.consumed, got, c.want)
		}
	}
	tx, err := domain.Expire("u1", 70)
	if err != nil {
		t.Fatal(err)
	}
	assertBalanced(t, tx)
}

func TestAdjust_requiresAReasonAndANonZeroAmount(t *testing.T) {
	if _, err := domain.Adjust("u1", domain.MustMoney(100, "USD"), ""); !domain.IsInputError(err) {
		t.Errorf("adjustment without reason: %v", err)
	}
	if _, err := domain.Adjust("u1", domain.MustMoney(0, "USD"), "x"); !domain.IsInputError(err) {
		t.Errorf("zero adjustment: %v", err)
	}
	tx, err := domain.Adjust("u1", domain.MustMoney(-100, "USD"), "chargeback")
	if err != nil {
		t.Fatal(err)
	}
	assertBalanced(t, tx)
}

func TestAdjust_refusesABlankReasonAndMovesPointsAgainstThePool(t *testing.T) {
	if _, err := domain.Adjust("u1", domain.MustMoney(100, "USD"), "  \t"); !domain.IsInputError(err) {
		t.Errorf("adjustment with a blank reason: %v", err)
	}
	tx, err := domain.Adjust("u1", domain.MustMoney(250, "PTS"), "welcome bonus")
	if err != nil {
		t.Fatal(err)
	}
	assertBalanced(t, tx)
	for _, p := range tx.Postings() {
		if p.Account.Kind != domain.LoyaltyPool && p.Account.Kind != domain.LoyaltyPoints {
			t.Errorf("points adjustment touches %s", p.Account)
		}
	}
}

// pointsPaid is an order of 1000 UZS the customer paid 700 from the wallet and 300
// points (worth 1 minor unit each) for.
var pointsPaid = domain.OrderPayment{OrderID: "o1", CustomerID: "u1", Paid: domain.MustMoney(1000, "UZS"),
	PaidPoints: 300, PointsCovered: 300}

func TestRefund_ofAnOrderPaidPartlyWithPointsGivesMoneyBackAsMoneyAndPointsAsPoints(t *testing.T) {
	m := func(n int64) *domain.Money { x := domain.MustMoney(n, "UZS"); return &x }
	refunded := func(op domain.OrderPayment, value, cash, points int64, settled bool) domain.OrderPayment {
		op.Refunded, op.RefundedCash, op.RefundedPoints, op.Settled = value, cash, points, settled
		return op
	}
	// Points worth 5 minor units each: 60 points paid 300 of 1000.
	pricey := domain.OrderPayment{OrderID: "o1", CustomerID: "u1", Paid: domain.MustMoney(1000, "UZS"), PaidPoints: 60, PointsCovered: 300}
	cases := []struct {
		name       string
		op         domain.OrderPayment
		amount     *domain.Money
		cash, pts  int64
		source     domain.AccountKind
		wantRefuse bool
	}{
		{"a full refund returns the 700 paid from the wallet and the 300 points", pointsPaid, nil, 700, 300, domain.OrderEscrow, false},
		{"a tenth returns a tenth of each", pointsPaid, m(100), 70, 30, domain.OrderEscrow, false},
		{"one minor unit returns money: points round down", pointsPaid, m(1), 1, 0, domain.OrderEscrow, false},
		{"the rest after a rounded-down refund returns the point it held back", refunded(pointsPaid, 999, 700, 299, false), nil, 0, 1, domain.OrderEscrow, false},
		{"the rest after a tenth returns the other nine tenths", refunded(pointsPaid, 100, 70, 30, false), nil, 630, 270, domain.OrderEscrow, false},
		{"after settlement the restaurant pays it back in the same split", refunded(pointsPaid, 0, 0, 0, true), m(500), 350, 150, domain.RestaurantPayable, false},
		{"points worth 5 split a third into 19 points and the rest in money", pricey, m(333), 333 - 19*5, 19, domain.OrderEscrow, false},
		{"points worth 5 and no money left refuse an amount that is not whole points", domain.OrderPayment{OrderID: "o1", CustomerID: "u1", Paid: domain.MustMoney(10, "UZS"), PaidPoints: 2, PointsCovered: 10}, m(3), 0, 0, "", true},
		{"an order whose money was over-refunded before the fix refunds no more money", refunded(pointsPaid, 800, 800, 0, false), m(200), 0, 0, "", true},
		{"an order paid without points refunds money only", domain.OrderPayment{OrderID: "o1", CustomerID: "u1", Paid: domain.MustMoney(1000, "UZS")}, m(250), 250, 0, domain.OrderEscrow, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := c.op.Refund(c.amount, "r1", "customer cancelled")
			if c.wantRefuse {
				if !domain.IsInputError(err) {
					t.Fatalf("error = %v, want an input error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertBalanced(t, tx)
			b := domain.Balance(tx.Postings())
			value := c.cash + c.pts*(c.op.PointsCovered/max(c.op.PaidPoints, 1))
			source := acct(t, c.source, "o1", "UZS")
			if c.source == domain.RestaurantPayable {
				source = acct(t, c.source, "r1", "UZS")
			}
			want := map[domain.AccountID]int64{
				source: -value,
				acct(t, domain.CustomerWallet, "u1", "UZS"):       c.cash,
				acct(t, domain.LoyaltyPoints, "u1", "PTS"):        c.pts,
				acct(t, domain.LoyaltyPool, "platform", "PTS"):    -c.pts,
				acct(t, domain.LoyaltyFunding, "platform", "UZS"): value - c.cash,
			}
			for a, w := range want {
				if b[a] != w {
					t.Errorf("%s moved %d, want %d", a, b[a], w)
				}
			}
			if tx.Amount.Minor() != value {
				t.Errorf("refund amount = %d, want the order value %d", tx.Amount.Minor(), value)
			}
		})
	}
}

// TestRefund_cutIntoAnyPartsReturnsExactlyWhatWasPaidInEachCurrency refunds many orders
// (point values 1..4, every redeemable share) in random cuts: no step returns a negative
// amount or more than is left in either currency, and the last refund leaves nothing
// created or lost.
func TestRefund_cutIntoAnyPartsReturnsExactlyWhatWasPaidInEachCurrency(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for total := int64(1); total <= 60; total++ {
		for value := int64(1); value <= 4; value++ {
			for points := int64(0); points*value <= total; points++ {
				op := domain.OrderPayment{OrderID: "o1", CustomerID: "u1", Paid: domain.MustMoney(total, "UZS"),
					PaidPoints: points, PointsCovered: points * value}
				for op.Refundable() > 0 {
					a := 1 + rng.Int64N(op.Refundable())
					if rng.IntN(4) == 0 {
						a = op.Refundable()
					}
					cash, pts, err := op.RefundSplit(a)
					if err != nil {
						if a == op.Refundable() || value == 1 {
							t.Fatalf("total %d, %d points worth %d, after %+v: refusing %d: %v", total, points, value, op, a, err)
						}
						continue // a cut that cannot be split into whole points; try another
					}
					if cash < 0 || pts < 0 || cash+pts*value != a {
						t.Fatalf("total %d, %d points worth %d: %d split into %d money + %d points", total, points, value, a, cash, pts)
					}
					op.Refunded += a
					op.RefundedCash += cash
					op.RefundedPoints += pts
					if op.RefundedCash > op.PaidCash() || op.RefundedPoints > op.PaidPoints {
						t.Fatalf("total %d, %d points worth %d: refunded %d money of %d, %d points of %d",
							total, points, value, op.RefundedCash, op.PaidCash(), op.RefundedPoints, op.PaidPoints)
					}
				}
				if op.RefundedCash != op.PaidCash() || op.RefundedPoints != op.PaidPoints {
					t.Fatalf("total %d, %d points worth %d: fully refunded %d money and %d points, paid %d and %d",
						total, points, value, op.RefundedCash, op.RefundedPoints, op.PaidCash(), op.PaidPoints)
				}
			}
		}
	}
}
