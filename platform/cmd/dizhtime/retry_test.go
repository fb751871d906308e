package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/dizhtime/dizhtime/platform/city"
)

func quickBackOff() backoff.BackOff { return backoff.NewConstantBackOff(10 * time.Millisecond) }

// The demo logins' first attempt fails the way a loaded laptop's did (the router's
// SUBGRAPH_TIMEOUT on the embedded FerretDB), the second one hangs past its attempt's time,
// the third succeeds: `dizhtime dev` gets the logins, and says each failure and the retry.
func TestRetrying_aTimedOutAndAHungAttemptAreTriedAgain_andEachIsSaid(t *testing.T) {
	var progress bytes.Buffer
	calls := 0
	want := []city.DemoLogin{{Role: "ADMIN"}}
	got, err := retrying(context.Background(), "demo logins", &progress, quickBackOff(), time.Minute, 200*time.Millisecond,
		func(ctx context.Context) ([]city.DemoLogin, error) {
			calls++
			switch calls {
			case 1:
				return nil, &city.GraphQLError{Operation: "Register", Codes: []string{"SUBGRAPH_TIMEOUT"}, Messages: []string{"Subgraph 'identity' timed out"}}
			case 2:
				<-ctx.Done() // slow: no answer within the attempt's time
				return nil, ctx.Err()
			}
			return want, nil
		})
	if err != nil || len(got) != 1 || got[0].Role != "ADMIN" {
		t.Fatalf("got %v, %v; want the logins of the third attempt", got, err)
	}
	if calls != 3 {
		t.Fatalf("%d attempts, want 3", calls)
	}
	out := progress.String()
	for _, want := range []string{"demo logins: attempt 1 failed", "SUBGRAPH_TIMEOUT", "attempt 2 failed (no answer within 200ms", "trying again in"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress %q lacks %q", out, want)
		}
	}
}

// A wrong password is not the machine being slow: no retry, the error as it is.
func TestRetrying_anErrorARetryCannotChangeStopsAtOnce(t *testing.T) {
	calls := 0
	_, err := retrying(context.Background(), "demo logins", &bytes.Buffer{}, quickBackOff(), time.Minute, time.Second,
		func(context.Context) (int, error) {
			calls++
			return 0, &city.GraphQLError{Operation: "Login", Codes: []string{"UNAUTHENTICATED"}, Messages: []string{"wrong email or password"}}
		})
	var gqlErr *city.GraphQLError
	if calls != 1 || !errors.As(err, &gqlErr) || !gqlErr.Has("UNAUTHENTICATED") {
		t.Fatalf("%d attempts, err %v; want 1 attempt and the UNAUTHENTICATED error", calls, err)
	}
}

// When every attempt fails, the error names the step, the attempts and the last failure.
func TestRetrying_givesUpAfterItsPatienceAndSaysWhatFailedLast(t *testing.T) {
	calls := 0
	_, err := retrying(context.Background(), "demo logins", &bytes.Buffer{}, quickBackOff(), 100*time.Millisecond, time.Second,
		func(context.Context) (int, error) {
			calls++
			return 0, errors.New("read tcp 127.0.0.1:4000: i/o timeout")
		})
	if calls < 2 || err == nil || !strings.Contains(err.Error(), "demo logins failed after") || !strings.Contains(err.Error(), "i/o timeout") {
		t.Fatalf("%d attempts, err %v; want several attempts, then an error naming the step and the last failure", calls, err)
	}
}
