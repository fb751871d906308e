package command

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/config"
	"github.com/dizhtime/dizhtime/platform/lifecycle"
	"github.com/dizhtime/dizhtime/platform/logging"
	"github.com/dizhtime/dizhtime/platform/mongodb"
	"github.com/dizhtime/dizhtime/platform/ops"
	"github.com/dizhtime/dizhtime/platform/telemetry"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/adapters"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/seed"
	"github.com/dizhtime/dizhtime/subgraphs/restaurants/service"
)

// Main is the restaurants process: what cmd/restaurants runs, and what `dizhtime restaurants` runs in the laptop launcher.
// It reads os.Args (os.Args[0] is the program, the rest its command line) and exits.
func Main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "restaurants:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "seed") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("restaurants "+cmd, flag.ContinueOnError)
	path := fs.String("config", "", "YAML config file (optional)")
	sc := seed.DefaultConfig()
	if cmd == "seed" {
		fs.Uint64Var(&sc.Seed, "seed", sc.Seed, "random seed: the same seed makes the same city")
		fs.IntVar(&sc.Restaurants, "restaurants", sc.Restaurants, "how many restaurants")
		fs.Float64Var(&sc.CentreLat, "lat", sc.CentreLat, "centre latitude")
		fs.Float64Var(&sc.CentreLng, "lng", sc.CentreLng, "centre longitude")
		fs.Float64Var(&sc.RadiusKm, "radius-km", sc.RadiusKm, "spread around the centre")
		fs.StringVar(&sc.TimeZone, "zone", sc.TimeZone, "IANA time zone of the opening hours")
		fs.StringVar(&sc.Currency, "currency", sc.Currency, "ISO 4217 currency of the menus")
		fs.StringVar(&sc.City, "city", sc.City, "city name in addresses")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := service.DefaultConfig()
	if err := config.Load("restaurants", *path, &cfg); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	client, err := mongodb.Connect(ctx, cfg.MongoURI)
	if err != nil {
		return err
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	db := client.Database(cfg.MongoDatabase)
	if cmd == "seed" {
		return seedCity(ctx, db, sc, stdout, false)
	}
	if cfg.SeedDemoCity {
		if err := seedCity(ctx, db, sc, stdout, true); err != nil {
			return err
		}
	}
	return serve(ctx, cfg, client, db)
}

// demoSeedPatience is how long a start keeps trying to seed the demo city: on a loaded
// laptop the embedded FerretDB can time out now and then although nothing is wrong.
const demoSeedPatience = 2 * time.Minute

// seedCity stores the city sc describes. At a start (retry), a failed attempt is said on
// stdout and tried again with backoff (seeding is idempotent) for up to demoSeedPatience.
func seedCity(ctx context.Context, db *mongo.Database, sc seed.Config, stdout io.Writer, retry bool) error {
	if sc.Restaurants < 1 || sc.Restaurants > 100_000 {
		return fmt.Errorf("-restaurants must be 1 to 100000, got %d", sc.Restaurants)
	}
	repo := adapters.NewRestaurantsRepository(db)
	if !retry {
		if err := repo.EnsureIndexes(ctx); err != nil {
			return err
		}
		res, err := seed.Run(ctx, repo, sc)
		if err != nil {
			return err
		}
		reportSeed(stdout, sc, res)
		return nil
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = 500*time.Millisecond, 10*time.Second
	notify := func(err error, next time.Duration) {
		fmt.Fprintf(stdout, "seeding %s: attempt failed (%v); trying again in %s\n", sc.City, err, next.Round(100*time.Millisecond))
	}
	if _, err := backoff.Retry(ctx, func() (struct{}, error) { return struct{}{}, repo.EnsureIndexes(ctx) },
		backoff.WithBackOff(b), backoff.WithMaxElapsedTime(demoSeedPatience), backoff.WithNotify(notify)); err != nil {
		return fmt.Errorf("seeding %s: indexes: %w", sc.City, err)
	}
	res, err := seed.RunRetrying(ctx, repo, sc, b, demoSeedPatience, notify)
	if err != nil {
		return err
	}
	reportSeed(stdout, sc, res)
	return nil
}

func reportSeed(stdout io.Writer, sc seed.Config, res seed.Result) {
	if res.Skipped {
		fmt.Fprintf(stdout, "%s (seed %d, %d restaurants) was seeded before: nothing to do (%s)\n",
			sc.City, sc.Seed, sc.Restaurants, res.Elapsed.Round(time.Millisecond))
		return
	}
	fmt.Fprintf(stdout, "seeded %s (seed %d): %d restaurants created, %d already there, in %s (%.0f restaurants/s)\n",
		sc.City, sc.Seed, res.Created, res.Existing, res.Elapsed.Round(time.Millisecond), res.PerSecond())
	if res.Reassigned > 0 {
		fmt.Fprintf(stdout, "handed %d restaurants of made-up demo owners to the demo roster's owners\n", res.Reassigned)
	}
}

func serve(ctx context.Context, cfg service.Config, client *mongo.Client, db *mongo.Database) error {
	logger := logging.New(cfg.Service, cfg.Level(), os.Stdout)
	tel, err := telemetry.Setup(ctx, cfg.Service, cfg.Telemetry)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tel.Shutdown(sctx)
	}()
	if err := kafka.EnsureTopics(ctx, cfg.KafkaBrokers,
		kafka.TopicSpec{Name: contracts.TypeRestaurantUpdated}, kafka.TopicSpec{Name: contracts.TypeRestaurantMenuUpdate}); err != nil {
		return fmt.Errorf("kafka topics: %w", err)
	}
	producer := kafka.NewProducer(cfg.KafkaBrokers)
	defer producer.Close()

	svc, err := service.New(ctx, service.Dependencies{
		DB: db, Publisher: producer, Logger: logger, Registerer: tel.Registry,
		Checker:            authz.NewRelationClient(cfg.IdentityURL, authz.WithTTL(cfg.RelationCacheTTL)),
		Relations:          adapters.NewRelationsHTTP(cfg.IdentityURL),
		OutboxPollInterval: cfg.OutboxPollInterval,
	})
	if err != nil {
		return err
	}
	ready := ops.NewReadiness(2 * time.Second)
	ready.Add("mongodb", mongodb.Check(client))
	ready.Add("kafka", kafka.Check(cfg.KafkaBrokers))
	metrics, err := ops.NewHTTPMetrics(tel.Registry)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	ops.Mount(mux, tel.Registry, ready)
	mux.Handle("/", metrics.Wrap("restaurants", svc.Handler))
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("restaurants listening", "addr", cfg.HTTPAddr)
	err = lifecycle.Run(ctx, logger, cfg.ShutdownTimeout,
		lifecycle.HTTPServer("http", srv, cfg.ShutdownTimeout),
		lifecycle.Func("outbox-relay", svc.Relay.Run))
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
