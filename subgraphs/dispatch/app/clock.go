package app

import "time"

// SetClock replaces the application's clock. Production keeps the wall clock; the
// order-saga simulator (orders/sagasim) drives a simulated one so that deadlines fire
// when the simulation says, and a run replays identically from its seed. Call it before
// the application is used: it is not synchronized.
func (a *Application) SetClock(now func() time.Time) {
	if now != nil {
		a.now = now
	}
}
