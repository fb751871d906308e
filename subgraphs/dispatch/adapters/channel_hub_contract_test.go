package adapters_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dizhtime/dizhtime/platform/endpoints"
	"github.com/dizhtime/dizhtime/platform/redisdb"
	"github.com/dizhtime/dizhtime/subgraphs/dispatch/adapters"
)

// The shared pub/sub connection runs against the real Redis and the embedded miniredis:
// one contract, two servers.
func TestChannelHubContract_realRedis(t *testing.T) {
	runChannelHubContract(t, endpoints.Redis(), true)
}

func TestChannelHubContract_embeddedMiniredis(t *testing.T) {
	e, err := redisdb.StartEmbedded("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	runChannelHubContract(t, e.Addr(), false)
}

// countingClient is a client of addr that counts the connections it dials and names
// them name (CLIENT LIST shows the name on a real server).
func countingClient(t *testing.T, addr, name string) (*redis.Client, *atomic.Int64) {
	t.Helper()
	var dials atomic.Int64
	c := redis.NewClient(&redis.Options{
		Addr: addr, ClientName: name, DialTimeout: 3 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	})
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis %s not reachable (start it with `deploy/local/services.sh up redis`): %v", addr, err)
	}
	return c, &dials
}

// subscriberConns counts the server's pub/sub connections named name (CLIENT LIST:
// flags P).
func subscriberConns(t *testing.T, c *redis.Client, name string) int {
	t.Helper()
	list, err := c.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatalf("CLIENT LIST: %v", err)
	}
	n := 0
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if flags, ok := strings.CutPrefix(f, "flags="); ok && strings.Contains(flags, "P") {
				n++
			}
		}
	}
	return n
}

func runChannelHubContract(t *testing.T, addr string, real bool) {
	t.Run("listeners of many channels share one connection and each gets its own channel's messages in order", func(t *testing.T) {
		const (
			channels  = 25
			listeners = 400 // 16 per channel
			messages  = 60
		)
		name := fmt.Sprintf("hubtest-%d", rand.Int64())
		c, dials := countingClient(t, addr, name)
		hub := adapters.NewChannelHub(c, nil)
		prefix := name + ":"
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		base := dials.Load() // the PING's pooled connection

		ls := make([]*adapters.Listener, listeners)
		for i := range ls {
			l, err := hub.Listen(ctx, prefix+strconv.Itoa(i%channels), 2*messages)
			if err != nil {
				t.Fatalf("listen %d: %v", i, err)
			}
			ls[i] = l
		}
		if got := dials.Load() - base; got != 1 {
			t.Fatalf("%d listeners on %d channels dialled %d connections, want 1 (the shared pub/sub connection)", listeners, channels, got)
		}
		if real {
			// The server's view: one pub/sub connection, whatever the number of listeners.
			if n := subscriberConns(t, c, name); n != 1 {
				t.Fatalf("CLIENT LIST shows %d pub/sub connections named %s for %d listeners, want 1", n, name, listeners)
			}
		}
		for _, ch := range []int{0, channels - 1} {
			n, err := c.PubSubNumSub(ctx, prefix+strconv.Itoa(ch)).Result()
			if err != nil {
				t.Fatal(err)
			}
			if got := n[prefix+strconv.Itoa(ch)]; got != 1 {
				t.Fatalf("channel %d has %d subscribers on the server, want 1 (the shared connection)", ch, got)
			}
		}

		// Publish every channel's messages interleaved, from several publishers.
		var wg sync.WaitGroup
		for ch := range channels {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for m := range messages {
					if err := c.Publish(ctx, prefix+strconv.Itoa(ch), fmt.Sprintf("%d|%d", ch, m)).Err(); err != nil {
						t.Errorf("publish: %v", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		for i, l := range ls {
			want := i % channels
			for m := range messages {
				select {
				case got := <-l.Messages():
					if exp := fmt.Sprintf("%d|%d", want, m); got != exp {
						t.Fatalf("listener %d (channel %d): message %d is %q, want %q", i, want, m, got, exp)
					}
				case <-ctx.Done():
					t.Fatalf("listener %d: got %d of %d messages", i, m, messages)
				}
			}
			select {
			case extra := <-l.Messages():
				t.Fatalf("listener %d got a message of no channel it listens to: %q", i, extra)
			default:
			}
			if l.Dropped() != 0 {
				t.Fatalf("listener %d dropped %d", i, l.Dropped())
			}
		}

		// Leaving frees the channel on the server once its last listener leaves.
		for i, l := range ls {
			if i%channels == 0 {
				l.Close()
			}
		}
		waitFor(t, "channel 0 unsubscribed", func() bool {
			n, err := c.PubSubNumSub(ctx, prefix+"0").Result()
			return err == nil && n[prefix+"0"] == 0
		})
		if n, _ := c.PubSubNumSub(ctx, prefix+"1").Result(); n[prefix+"1"] != 1 {
			t.Fatalf("channel 1 still has listeners but %d server subscribers", n[prefix+"1"])
		}
		// A channel listened to again after it was freed works again.
		again, err := hub.Listen(ctx, prefix+"0", 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Publish(ctx, prefix+"0", "again").Err(); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-again.Messages():
			if got != "again" {
				t.Fatalf("got %q", got)
			}
		case <-ctx.Done():
			t.Fatal("a channel listened to again delivered nothing")
		}
		again.Close()
		for _, l := range ls {
			l.Close()
		}
		waitFor(t, "every channel unsubscribed", func() bool {
			n, err := c.PubSubNumSub(ctx, prefix+"1", prefix+strconv.Itoa(channels-1)).Result()
			return err == nil && n[prefix+"1"] == 0 && n[prefix+strconv.Itoa(channels-1)] == 0
		})
		if real {
			waitFor(t, "the shared connection closed with the last listener", func() bool { return subscriberConns(t, c, name) == 0 })
		}
	})

	t.Run("a listener that does not read loses its own messages, reported, and delays no one", func(t *testing.T) {
		name := fmt.Sprintf("hubtest-%d", rand.Int64())
		c, _ := countingClient(t, addr, name)
		hub := adapters.NewChannelHub(c, nil)
		channel := name + ":slow"
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		const messages = 500
		slow, err := hub.Listen(ctx, channel, 4)
		if err != nil {
			t.Fatal(err)
		}
		defer slow.Close()
		fast, err := hub.Listen(ctx, channel, messages) // room for all: it is never the one behind
		if err != nil {
			t.Fatal(err)
		}
		defer fast.Close()
		got := make(chan int, 1)
		go func() {
			n := 0
			for n < messages {
				select {
				case m := <-fast.Messages():
					if m != strconv.Itoa(n) {
						t.Errorf("fast listener: message %d is %q", n, m)
					}
					n++
				case <-ctx.Done():
					got <- n
					return
				}
			}
			got <- n
		}()
		for i := range messages {
			if err := c.Publish(ctx, channel, strconv.Itoa(i)).Err(); err != nil {
				t.Fatal(err)
			}
		}
		if n := <-got; n != messages {
			t.Fatalf("the fast listener got %d of %d while the other did not read", n, messages)
		}
		if d := slow.Dropped(); d != messages-4 {
			t.Fatalf("the slow listener dropped %d, want %d (all but its buffer of 4)", d, messages-4)
		}
		select {
		case <-slow.Gaps():
		default:
			t.Fatal("the slow listener was not told it lost messages")
		}
		for i := range 4 {
			if m := <-slow.Messages(); m != strconv.Itoa(i) {
				t.Fatalf("the slow listener's buffer holds %q at %d", m, i)
			}
		}
		if hub.Dropped() != messages-4 {
			t.Fatalf("hub counted %d dropped", hub.Dropped())
		}
	})

	t.Run("a listen whose context ends before the server confirms leaves nothing behind", func(t *testing.T) {
		name := fmt.Sprintf("hubtest-%d", rand.Int64())
		c, _ := countingClient(t, addr, name)
		hub := adapters.NewChannelHub(c, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := hub.Listen(ctx, name+":gone", 1); err == nil {
			t.Fatal("listen with an ended context succeeded")
		}
		waitFor(t, "channel unsubscribed", func() bool {
			n, err := c.PubSubNumSub(context.Background(), name+":gone").Result()
			return err == nil && n[name+":gone"] == 0
		})
	})
}
