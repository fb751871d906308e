// Command sagasim runs the seeded simulation of the order saga (package sagasim).
//
//	sagasim -seed 42            replay one seed (prints its trace when it fails)
//	sagasim -steps 1000000      run seeds 1, 2, ... until that many steps passed
//
// It exits 1 on the first broken invariant, after printing the seed and a shrunk trace.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dizhtime/dizhtime/subgraphs/orders/sagasim"
)

func plantNames() string {
	var names []string
	for n := range sagasim.Plants {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func main() {
	seed := flag.Uint64("seed", 0, "replay this one seed (0: run many seeds)")
	steps := flag.Int("steps", 100000, "total steps to run over many seeds")
	perSeed := flag.Int("per-seed", sagasim.StepsPerSeed, "workload steps per seed")
	first := flag.Uint64("first-seed", 1, "first seed of a many-seed run")
	shrink := flag.Duration("shrink", 20*time.Second, "time spent shrinking a failing trace")
	trace := flag.Bool("trace", false, "print the trace of a replayed seed even when it passes")
	plant := flag.String("plant", "", "plant a bug on purpose to see it caught: "+plantNames())
	replay := flag.Bool("dlq-replay", false, "an operator replays dead letters in the drain (default: a dead letter is a liveness failure)")
	flag.Parse()
	cfg := sagasim.DefaultConfig()
	cfg.Plant = *plant
	cfg.ReplayDeadLetters = *replay
	if *plant != "" {
		fmt.Printf("planted bug %s: %s\n", *plant, sagasim.Plants[*plant])
	}

	if *seed != 0 {
		start := time.Now()
		wl := sagasim.Generate(*seed, *perSeed)
		res := sagasim.Run(cfg, wl, *trace)
		if *trace {
			for _, l := range res.Trace {
				fmt.Println(l)
			}
		}
		if res.Violation != nil {
			fmt.Print(sagasim.Report(*seed, cfg, wl, res, *shrink))
			fmt.Printf("found in %s\n", time.Since(start).Round(time.Millisecond))
			os.Exit(1)
		}
		fmt.Printf("seed %d: %d steps, every invariant held (%s)\n", *seed, res.Steps, time.Since(start).Round(time.Millisecond))
		return
	}
	start := time.Now()
	total, seeds := 0, 0
	var cov sagasim.Coverage
	for s := *first; total < *steps; s++ {
		wl := sagasim.Generate(s, *perSeed)
		res := sagasim.Run(cfg, wl, false)
		total += res.Steps
		seeds++
		cov.Add(res.Coverage)
		if res.Violation != nil {
			fmt.Printf("FAILED after %d seeds, %d steps, %s\n", seeds, total, time.Since(start).Round(time.Millisecond))
			fmt.Print(sagasim.Report(s, cfg, wl, res, *shrink))
			os.Exit(1)
		}
	}
	el := time.Since(start)
	fmt.Printf("%d steps over %d seeds (%d..%d), every invariant held, in %s: %.0f steps/s\n",
		total, seeds, *first, *first+uint64(seeds)-1, el.Round(time.Millisecond), float64(total)/el.Seconds())
	for _, c := range cov.DeadLetterCauses {
		fmt.Printf("dead letter: %s\n", c)
	}
	fmt.Printf("top-up intents: %v\n", cov.Intents)
	fmt.Printf("coverage: %d orders ended %v; %d payment timeouts, %d refund requests for late payments; ledger: %d payments, %d refunds, %d settlements; bus: %d events handled, %d duplicates skipped, %d crashes before commit, %d after, %d dead letters\n",
		cov.Orders, cov.Ended, cov.PaymentTimeouts, cov.RefundRequests, cov.Payments, cov.Refunds, cov.Settlements, cov.Delivered, cov.Duplicates, cov.CrashesBefore, cov.CrashesAfter, cov.DeadLetters)
}
