package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/dizhtime/dizhtime/platform/city"
)

// simCommand is `dizhtime sim`: a simulated city against a running router, signed in as the
// demo admin `dizhtime dev` creates (or any admin given by flag).
func simCommand(ctx context.Context, args []string, stderr io.Writer) error {
	cfg := city.DefaultSimConfig()
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	router := fs.String("router", "http://127.0.0.1:4000/graphql", "the router's GraphQL endpoint")
	adminEmail := fs.String("admin-email", "admin@demo.dizhtime.local", "an ADMIN account (gives couriers and staff their roles)")
	adminPassword := fs.String("admin-password", city.DemoPassword, "its password")
	fs.Float64Var(&cfg.OrdersPerMinute, "orders-per-minute", cfg.OrdersPerMinute, "orders placed per minute")
	fs.IntVar(&cfg.Drivers, "drivers", cfg.Drivers, "drivers online")
	fs.IntVar(&cfg.Customers, "customers", cfg.Customers, "customer accounts orders come from")
	fs.IntVar(&cfg.Restaurants, "restaurants", cfg.Restaurants, "restaurants whose kitchens are simulated")
	fs.IntVar(&cfg.MaxInFlight, "max-in-flight", cfg.MaxInFlight, "orders on their way at most")
	fs.DurationVar(&cfg.Duration, "duration", 0, "stop after this long (0: on Ctrl-C)")
	fs.DurationVar(&cfg.PrepTime, "prep-time", cfg.PrepTime, "how long kitchens cook")
	fs.Float64Var(&cfg.SpeedMPS, "speed", cfg.SpeedMPS, "driver speed, m/s (the city runs fast-forward)")
	fs.Float64Var(&cfg.RadiusM, "radius", cfg.RadiusM, "metres from the centre drivers start, and from the restaurant customers live")
	fs.DurationVar(&cfg.PickupPatience, "pickup-patience", cfg.PickupPatience, "how long a driver waits at the counter before handing a delivery back")
	fs.DurationVar(&cfg.ReportEvery, "report", cfg.ReportEvery, "how often the counts are logged")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	client := city.NewClient(*router)
	admin, err := client.Login(ctx, *adminEmail, *adminPassword)
	if err != nil {
		return fmt.Errorf("sign in as admin %s (does `make run` run?): %w", *adminEmail, err)
	}
	sim, err := city.NewSim(cfg, client, admin, log)
	if err != nil {
		return err
	}
	err = sim.Run(ctx)
	fmt.Fprintln(os.Stdout, "sim:", sim.Stats.String())
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
