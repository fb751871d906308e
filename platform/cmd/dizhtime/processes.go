package main

import (
	"os"
	"sort"

	analytics "github.com/dizhtime/dizhtime/subgraphs/analytics/command"
	dispatch "github.com/dizhtime/dizhtime/subgraphs/dispatch/command"
	identity "github.com/dizhtime/dizhtime/subgraphs/identity/command"
	notifications "github.com/dizhtime/dizhtime/subgraphs/notifications/command"
	orders "github.com/dizhtime/dizhtime/subgraphs/orders/command"
	restaurants "github.com/dizhtime/dizhtime/subgraphs/restaurants/command"
	search "github.com/dizhtime/dizhtime/subgraphs/search/command"
	wallet "github.com/dizhtime/dizhtime/subgraphs/wallet/command"

	router "github.com/dizhtime/dizhtime/router/command"
)

// processes are the DizhTime processes this one binary carries for the laptop run: `dizhtime
// identity serve` is `identity serve`, through the same entry point cmd/identity runs (its
// package command). `make run` links one binary instead of one per process; `dizhtime dev`
// still starts each as a process of its own, on its own port, with its own environment and
// service key, as production runs them (one image per process, built from cmd/<name>).
var processes = map[string]func(){
	"router":        router.Main,
	"identity":      identity.Main,
	"restaurants":   restaurants.Main,
	"orders":        orders.Main,
	"dispatch":      dispatch.Main,
	"wallet":        wallet.Main,
	"search":        search.Main,
	"notifications": notifications.Main,
	"analytics":     analytics.Main,
}

// processNames lists the processes, sorted.
func processNames() []string {
	names := make([]string, 0, len(processes))
	for name := range processes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// runProcess runs the named process with the rest of the command line as its own
// (os.Args[0] becomes the process name, as if its own binary ran); it does not return.
func runProcess(name string, args []string) {
	os.Args = append([]string{name}, args...)
	processes[name]()
	os.Exit(0)
}
