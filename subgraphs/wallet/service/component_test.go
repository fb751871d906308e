package service_test

import (
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dizhtime/dizhtime/events"
	"github.com/dizhtime/dizhtime/events/contracts"
	"github.com/dizhtime/dizhtime/events/kafka"
	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/routertest"
	"github.com/dizhtime/dizhtime/subgraphs/wallet/internal/testdb"
)

// startServe runs `wallet serve` as a real process against the real PostgreSQL (a schema
// of its own) and Kafka, and returns its base URL once /readyz answers 200. Its consumer
// groups are its own and start at the topics' ends: the topics are shared.
func startServe(t *testing.T) string {
	t.Helper()
	base, _ := startServeIn(t)
	return base
}

// startServeIn is startServe that also returns the PostgreSQL schema the process uses.
func startServeIn(t *testing.T) (base, schema string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wallet")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/wallet").CombinedOutput(); err != nil {
		t.Fatalf("build wallet: %v\n%s", err, out)
	}
	schema, _ = testdb.Schema(t, 2)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(),
		"DIZHTIME_HTTP_ADDR="+addr,
		endpoints.PostgresEnv+"="+testdb.URL(schema),
		"DIZHTIME_KAFKA_BROKERS="+strings.Join(endpoints.Kafka(), ","),
		"DIZHTIME_WALLET_CONSUMER_GROUP_PREFIX=wallet-test-"+strings.ToLower(rand.Text()[:10]),
		"DIZHTIME_WALLET_CONSUME_FROM_LATEST=true")
	cmd.Env = append(cmd.Env, routertest.ChildServiceEnv(t, "wallet")...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("wallet output:\n%s", out.String())
		}
	})
	base = "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, schema
			}
		}
		select {
		case <-exited:
			t.Fatalf("wallet serve exited before it was ready:\n%s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("wallet serve not ready within 60s (Kafka at %v, PostgreSQL reachable? start them with deploy/local/services.sh up)", endpoints.Kafka())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// awaitEvent publishes e (again every 2 s: the same event id, which the wallet applies
// once) until an event of type want about e's subject appears on Kafka.
func awaitEvent(t *testing.T, producer *kafka.Producer, e events.Envelope, want string) events.Envelope {
	t.Helper()
	msg, err := e.Message()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		if err := producer.Publish(ctx, msg); err != nil {
			t.Fatalf("publish %s: %v", e.Type, err)
		}
		var found *events.Envelope
		for range 8 {
			err := kafka.ReadToEnd(ctx, endpoints.Kafka(), want, func(m kafka.Message) error {
				got, err := events.FromMessage(m)
				if err == nil && got.Subject == e.Subject {
					found = &got
				}
				return nil
			})
			if err != nil && ctx.Err() == nil {
				t.Logf("read %s: %v", want, err)
			}
			if found != nil {
				return *found
			}
			if ctx.Err() != nil {
				t.Fatalf("no %s for %s %s on Kafka within 60s", want, e.Type, e.Subject)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

func TestWalletServe_paysOrdersFromKafkaPublishesTheOutcomeAndRefundsRejectionsAndFailedDeliveries(t *testing.T) {
	base := startServe(t)
	do := direct(t, base+"/query")
	customer := newUserID()
	boss := as("admin-1", authz.RoleAdmin)
	topUp(t, do, as(customer), 100_000, "c-topup")
	wantNoErrors(t, do(adjustMutation, map[string]any{"u": customer, "a": map[string]any{"amountMinor": 1000, "currency": "PTS"},
		"r": "welcome bonus", "k": "c-points"}, boss))
	eventually(t, "the top-up", func() bool { return readWallet(t, do, customer, as(customer), nil).balance("UZS") == "100000" })

	producer := kafka.NewProducer(endpoints.Kafka())
	defer producer.Close()
	ctx := context.Background()
	run := strings.ToLower(rand.Text()[:8])
	orderA, orderB := "order-a-"+run, "order-b-"+run
	total := func(n int64) contracts.Money { return contracts.Money{AmountMinor: n, Currency: "UZS"} }

	// v2: 1000 points pay 1000 of the 20000.
	created, err := events.New(ctx, "orders", orderA, contracts.OrderCreatedV2{OrderID: orderA, CustomerID: customer,
		RestaurantID: "r-" + run, Subtotal: total(20000), Total: total(20000), PointsRedeemed: 1000, PlacedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	paid := awaitEvent(t, producer, created, contracts.TypePaymentSucceeded)
	var success contracts.PaymentSucceededV1
	if err := paid.Decode(&success); err != nil || success.OrderID != orderA || success.Amount != total(20000) {
		t.Fatalf("payment.success: %+v, %v", success, err)
	}
	w := readWallet(t, do, customer, as(customer), nil)
	if w.balance("UZS") != "81000" || w.LoyaltyPoints != "0" {
		t.Fatalf("after order A: %s UZS, %s points", w.balance("UZS"), w.LoyaltyPoints)
	}

	// v1 (no points) still pays.
	createdB, err := events.New(ctx, "orders", orderB, contracts.OrderCreatedV1{OrderID: orderB, CustomerID: customer,
		RestaurantID: "r-" + run, Subtotal: total(5000), Total: total(5000), PlacedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	awaitEvent(t, producer, createdB, contracts.TypePaymentSucceeded)

	// v2 rejection refunds B.
	rejected, err := events.New(ctx, "orders", orderB, contracts.OrderStatusChangedV2{OrderID: orderB, CustomerID: customer,
		From: contracts.OrderPaid, To: contracts.OrderRejected, Actor: "restaurant:r-" + run, Reason: "kitchen closed", ChangedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	refunded := awaitEvent(t, producer, rejected, contracts.TypePaymentRefunded)
	var refund contracts.PaymentRefundedV1
	if err := refunded.Decode(&refund); err != nil || refund.Amount != total(5000) || refund.Reason != "kitchen closed" {
		t.Fatalf("payment.refunded: %+v, %v", refund, err)
	}
	if b := readWallet(t, do, customer, as(customer), nil).balance("UZS"); b != "81000" {
		t.Errorf("after B was paid and refunded: %s", b)
	}

	// Dispatch gives up on A: the customer gets the 19000 back as money and the 1000
	// points as points (not 20000 in money).
	failed, err := events.New(ctx, "orders", orderA, contracts.OrderStatusChangedV2{OrderID: orderA, CustomerID: customer,
		From: contracts.OrderPickedUp, To: contracts.OrderDeliveryFailed, Actor: "dispatch", Reason: "no driver available", ChangedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	refundedA := awaitEvent(t, producer, failed, contracts.TypePaymentRefunded)
	if err := refundedA.Decode(&refund); err != nil || refund.OrderID != orderA || refund.Amount != total(20000) {
		t.Fatalf("payment.refunded for the failed delivery: %+v, %v", refund, err)
	}
	if w := readWallet(t, do, customer, as(customer), nil); w.balance("UZS") != "100000" || w.LoyaltyPoints != "1000" {
		t.Errorf("after A's delivery failed: %s UZS, %s points; want 100000 and 1000", w.balance("UZS"), w.LoyaltyPoints)
	}
}
