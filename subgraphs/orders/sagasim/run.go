package sagasim

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	ddomain "github.com/dizhtime/dizhtime/subgraphs/dispatch/domain"
	odomain "github.com/dizhtime/dizhtime/subgraphs/orders/domain"
)

// Result is one run's outcome.
type Result struct {
	Steps     int
	Violation *Violation
	// FailedAt is the index of the step after which the invariant broke (-1: after the
	// drain, a liveness invariant).
	FailedAt int
	Trace    []string
	// Coverage counts what the run exercised.
	Coverage Coverage
}

// Coverage is what one run (or many, added up) exercised: how orders ended and how much
// the ledger and the bus did.
type Coverage struct {
	Orders                                             int
	Ended                                              map[string]int
	Payments, Refunds, Settlements, DeadLetters        int
	RefundRequests, PaymentTimeouts                    int
	Delivered, Duplicates, CrashesBefore, CrashesAfter int
	// DeadLetterCauses are the first few dead letters: group, event, cause.
	DeadLetterCauses []string
	// Intents counts top-up intents by their final status.
	Intents map[string]int
}

// Add sums coverage.
func (c *Coverage) Add(o Coverage) {
	if c.Ended == nil {
		c.Ended, c.Intents = map[string]int{}, map[string]int{}
	}
	for k, v := range o.Intents {
		c.Intents[k] += v
	}
	for k, v := range o.Ended {
		c.Ended[k] += v
	}
	c.Orders += o.Orders
	c.Payments += o.Payments
	c.RefundRequests += o.RefundRequests
	c.PaymentTimeouts += o.PaymentTimeouts
	c.Refunds += o.Refunds
	c.Settlements += o.Settlements
	c.DeadLetters += o.DeadLetters
	c.Delivered += o.Delivered
	c.Duplicates += o.Duplicates
	c.CrashesBefore += o.CrashesBefore
	c.CrashesAfter += o.CrashesAfter
	if len(c.DeadLetterCauses) < 5 {
		c.DeadLetterCauses = append(c.DeadLetterCauses, o.DeadLetterCauses...)
	}
}

func (w *World) coverage() Coverage {
	c := Coverage{Orders: len(w.orderIDs), Ended: map[string]int{}, Intents: map[string]int{}}
	for _, id := range w.Ledger.intentIDs {
		c.Intents[string(w.Ledger.intents[id].Status)]++
	}
	for _, id := range w.orderIDs {
		o := w.OrdersDB.orders[id]
		c.Ended[string(o.Status)]++
		for _, t := range o.Timeline {
			if t.IsRefundRequest() {
				c.RefundRequests++
			}
			if t.Reason == odomain.PaymentTimeout {
				c.PaymentTimeouts++
			}
		}
	}
	for _, t := range w.Ledger.Transactions {
		switch t.Kind {
		case "order_payment":
			c.Payments++
		case "refund":
			c.Refunds++
		case "settlement":
			c.Settlements++
		}
	}
	s := w.Bus.Stats
	c.DeadLetterCauses = s.DeadLetterCauses
	c.DeadLetters, c.Delivered, c.Duplicates, c.CrashesBefore, c.CrashesAfter = s.DeadLetters, s.Delivered, s.Duplicates, s.CrashesBefore, s.CrashesAfter
	return c
}

// Run plays steps, checking the safety invariants after each, then drains the world
// without faults and checks the liveness invariants. With trace it records what every
// step did.
func Run(cfg Config, steps []Step, trace bool) Result {
	w, err := NewWorld(cfg)
	if err != nil {
		return Result{Violation: violation("setup", "%v", err)}
	}
	c := NewChecker()
	res := Result{FailedAt: -1}
	for i, s := range steps {
		what := w.Apply(s)
		res.Steps++
		if trace {
			res.Trace = append(res.Trace, fmt.Sprintf("%4d  %s  %s", i, w.Clock.Now().Format("15:04:05"), w.readable(what)))
		}
		if v := c.Safety(w); v != nil {
			v.Detail = w.readable(v.Detail)
			res.Violation, res.FailedAt = v, i
			return res
		}
	}
	drained := w.Drain(func(what string) *Violation {
		if trace {
			res.Trace = append(res.Trace, "drain "+w.readable(what))
		}
		return c.Safety(w)
	})
	if drained != nil {
		drained.Detail = w.readable(drained.Detail)
		res.Violation = drained
		res.Coverage = w.coverage()
		return res
	}
	res.Violation = c.Liveness(w)
	if res.Violation != nil {
		res.Violation.Detail = w.readable(res.Violation.Detail)
	}
	res.Coverage = w.coverage()
	return res
}

// Drain stops the faults and lets the world settle: relays publish in order, consumers
// handle every event (an operator replays dead letters only with
// Config.ReplayDeadLetters), drivers finish their trips,
// drivers accept their offers, the clock moves so that deadlines and dispatch's patience
// pass. It stops when nothing is left to do (or after a bound). step is told what each
// action did and checks the safety invariants after it; a violation stops the drain.
func (w *World) Drain(step func(string) *Violation) *Violation {
	ctx := context.Background()
	w.Bus.Unpause()
	for round := 0; round < 40; round++ {
		moved := false
		for i := 0; i < 100000; i++ {
			busy := false
			for _, ob := range w.outboxes {
				for ob.Pending() > 0 {
					if v := step(ob.Service + " relay publishes " + ob.Relay(0, false)); v != nil {
						return v
					}
					busy = true
				}
			}
			for _, l := range w.Bus.Lags() {
				if v := step(l.Group + " consumes " + w.Bus.Deliver(ctx, l, NoFault)); v != nil {
					return v
				}
				busy = true
			}
			if !busy {
				break
			}
			moved = true
		}
		if !w.cfg.ReplayDeadLetters {
			// nobody replays them: the liveness invariants report them
		} else if n := w.Bus.ReplayDeadLetters(); n > 0 {
			if v := step(fmt.Sprintf("operator replays %d dead letters", n)); v != nil {
				return v
			}
			moved = true
			continue
		}
		// The gateway answers every intent it has not answered yet (its webhooks get
		// through; an EXPIRED intent still takes a late success).
		for n, in := range w.gatewayIntents {
			if cur, _ := w.Ledger.TopUpIntent(ctx, in.ID); cur.Status.Terminal() {
				continue
			}
			if v := step(w.Apply(Step{Kind: Webhook, A: uint32(n), B: 99})); v != nil {
				return v
			}
			moved = true
		}
		for d := 0; d < w.cfg.Drivers; d++ {
			ld, _ := w.Live.Driver(ctx, driverID(d))
			switch ld.Status {
			case ddomain.DriverOffered:
				if _, err := w.Dispatch.AcceptOffer(ctx, driverID(d), ld.OrderID); err == nil {
					if v := step(fmt.Sprintf("%s accepts its offer of %s", driverID(d), w.name(ld.OrderID))); v != nil {
						return v
					}
					moved = true
				}
			case ddomain.DriverOnDelivery:
				// A driver with the food delivers it; one on the way picks it up first.
				for _, to := range []ddomain.DeliveryStatus{ddomain.DeliveryPickedUp, ddomain.DeliveryDelivered} {
					if _, err := w.Dispatch.Advance(ctx, driverID(d), dappDeliveryID(ld.OrderID), to); err == nil {
						if v := step(fmt.Sprintf("%s moves the delivery of %s to %s", driverID(d), w.name(ld.OrderID), to)); v != nil {
							return v
						}
						moved = true
					}
				}
			}
		}
		if moved {
			continue
		}
		if w.settled() {
			return nil
		}
		w.Clock.Advance(max(w.cfg.AcceptanceTimeout, w.cfg.MatchPatience) + time.Minute)
		p, _ := w.Orders.ExpirePayments(ctx, 1000)
		n, _ := w.Orders.ExpireAcceptances(ctx, 1000)
		claimed := 0
		for {
			k, err := w.Dispatch.DispatchRound(ctx, 1)
			if err != nil || k == 0 {
				break
			}
			claimed += k
		}
		if v := step(fmt.Sprintf("clock moves to %s: %d payments and %d acceptances expired, %d dispatch rounds", w.Clock.Now().Format("15:04:05"), p, n, claimed)); v != nil {
			return v
		}
	}
	return nil
}

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// readable names the orders in a trace line (o<n>) and hides other random ids, so the
// trace of a seed reads the same on every run.
func (w *World) readable(s string) string {
	return uuidPattern.ReplaceAllStringFunc(s, func(id string) string {
		if _, ok := w.orderNo[id]; ok {
			return w.name(id)
		}
		return "<id>"
	})
}

// settled: nothing in flight and every order terminal.
func (w *World) settled() bool {
	if len(w.Bus.Lags()) > 0 || len(w.Bus.DLQ) > 0 {
		return false
	}
	for _, ob := range w.outboxes {
		if ob.Pending() > 0 {
			return false
		}
	}
	for _, id := range w.orderIDs {
		if !w.OrdersDB.orders[id].Status.Terminal() {
			return false
		}
	}
	return true
}

// Shrink looks for a shorter step list that still breaks an invariant (delta debugging:
// drop chunks, halving their size, while the run still fails), within budget.
func Shrink(cfg Config, steps []Step, failed Result, budget time.Duration) ([]Step, Result) {
	deadline := time.Now().Add(budget)
	best, bestRes := steps, failed
	if failed.FailedAt >= 0 {
		best = steps[:failed.FailedAt+1]
	}
	// The shortest failing prefix first (a binary search: cheap, and most of the win).
	lo, hi := 1, len(best)
	for lo < hi && time.Now().Before(deadline) {
		mid := (lo + hi) / 2
		if r := Run(cfg, best[:mid], false); r.Violation != nil {
			hi, bestRes = mid, r
		} else {
			lo = mid + 1
		}
	}
	best = best[:hi]
	for shrunk := true; shrunk && time.Now().Before(deadline); {
		shrunk = false
		for chunk := len(best) / 2; chunk >= 1; chunk /= 2 {
			for i := 0; i+chunk <= len(best) && time.Now().Before(deadline); {
				cand := append(append([]Step{}, best[:i]...), best[i+chunk:]...)
				r := Run(cfg, cand, false)
				if r.Violation != nil {
					best, bestRes, shrunk = cand, r, true
					if r.FailedAt >= 0 && r.FailedAt+1 < len(best) {
						best = best[:r.FailedAt+1]
					}
					continue
				}
				i += chunk
			}
		}
	}
	return best, bestRes
}

// Report is a failure as it is printed: the seed, the invariant and the shrunk trace.
func Report(seed uint64, cfg Config, steps []Step, res Result, shrinkBudget time.Duration) string {
	shrunk, _ := Shrink(cfg, steps, res, shrinkBudget)
	final := Run(cfg, shrunk, true)
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d broke %s after %d steps: %s\n", seed, res.Violation.Invariant, res.Steps, res.Violation.Detail)
	if final.Violation != nil {
		fmt.Fprintf(&b, "shortest trace found (%d steps) breaks %s: %s\n", len(shrunk), final.Violation.Invariant, final.Violation.Detail)
	}
	for _, l := range final.Trace {
		b.WriteString("  " + l + "\n")
	}
	fmt.Fprintf(&b, "replay: make simulate SEED=%d\n", seed)
	return b.String()
}

// StepsPerSeed is the workload length of one seed (the drain comes on top).
const StepsPerSeed = 2000
