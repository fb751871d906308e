package adapters

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ChannelHub carries every Redis pub/sub channel this process listens on over ONE
// pub/sub connection, and fans each message out in process to the listeners of its
// channel. Before it, each tracked delivery and each courier's offers feed held a pub/sub
// connection of its own: ~7,300 open files in dispatch at ~7,600 trackers.
//
// Channels are reference-counted: the first listener of a channel SUBSCRIBEs it and
// waits for Redis to confirm (so nothing published after Listen returns is missed), the
// last one to leave UNSUBSCRIBEs it. The connection is opened with the first channel and
// closed with the last, so an idle process holds none.
//
// A slow listener never delays the others: each has a bounded buffer, and a message that
// does not fit is dropped for that listener only and reported on its Gaps channel (and
// counted), so the listener can re-read the state the lost message announced. A broken
// connection is reported the same way to every listener (go-redis reconnects and
// re-subscribes every channel; what was published meanwhile is lost).
type ChannelHub struct {
	rdb    redis.UniversalClient
	logger *slog.Logger

	mu sync.Mutex
	ps *redis.PubSub // nil while no channel is listened on
	// channels are the listened channels.
	channels map[string]*hubChannel
	// unconfirmed counts, per channel, SUBSCRIBE commands Redis has not confirmed yet;
	// a channel is ready once its count is back to zero (a channel left and listened to
	// again before the first confirmation arrived waits for the second).
	unconfirmed map[string]int

	dropped atomic.Int64
}

type hubChannel struct {
	listeners map[*Listener]struct{}
	ready     chan struct{} // closed once Redis confirmed the subscription
	confirmed bool
}

// Listener is one listener of one channel.
type Listener struct {
	hub     *ChannelHub
	channel string
	msgs    chan string
	gaps    chan struct{}
	once    sync.Once
	dropped atomic.Int64
}

// NewChannelHub shares one pub/sub connection of rdb between every listener.
func NewChannelHub(rdb redis.UniversalClient, logger *slog.Logger) *ChannelHub {
	if logger == nil {
		logger = slog.Default()
	}
	return &ChannelHub{rdb: rdb, logger: logger, channels: map[string]*hubChannel{}, unconfirmed: map[string]int{}}
}

// Messages are the channel's payloads in publish order. Never closed: stop reading when
// done and Close the listener.
func (l *Listener) Messages() <-chan string { return l.msgs }

// Gaps gets a value when messages were lost for this listener (its buffer was full, or
// the connection broke): re-read whatever the channel announces.
func (l *Listener) Gaps() <-chan struct{} { return l.gaps }

// Dropped is how many messages this listener lost because its buffer was full.
func (l *Listener) Dropped() int64 { return l.dropped.Load() }

// Close stops listening; the channel is unsubscribed when its last listener leaves.
func (l *Listener) Close() { l.once.Do(func() { l.hub.leave(l) }) }

// Dropped is how many messages listeners lost in all because their buffers were full.
func (h *ChannelHub) Dropped() int64 { return h.dropped.Load() }

// Listen listens on channel with a buffer of buffer messages. It returns once Redis has
// confirmed the subscription (at once when another listener already holds it).
func (h *ChannelHub) Listen(ctx context.Context, channel string, buffer int) (*Listener, error) {
	if buffer < 1 {
		buffer = 1
	}
	l := &Listener{hub: h, channel: channel, msgs: make(chan string, buffer), gaps: make(chan struct{}, 1)}
	h.mu.Lock()
	if h.ps == nil {
		h.ps = h.rdb.Subscribe(context.WithoutCancel(ctx))
		go h.read(h.ps)
	}
	ch, ok := h.channels[channel]
	if !ok {
		ch = &hubChannel{listeners: map[*Listener]struct{}{}, ready: make(chan struct{})}
		h.channels[channel] = ch
		h.unconfirmed[channel]++
		// Not the caller's context: a write cut short would break the shared connection.
		subCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err := h.ps.Subscribe(subCtx, channel)
		cancel()
		if err != nil {
			// go-redis keeps the channel and subscribes it again on its next connection.
			h.logger.WarnContext(ctx, "pub/sub: subscribe", "channel", channel, "error", err)
		}
	}
	ch.listeners[l] = struct{}{}
	ready := ch.ready
	h.mu.Unlock()
	t := time.NewTimer(listenTimeout)
	defer t.Stop()
	select {
	case <-ready:
		if err := ctx.Err(); err != nil {
			// Confirmed, but the caller is gone too (select picks either when both are
			// ready): a caller whose context ended gets no listener.
			l.Close()
			return nil, err
		}
		return l, nil
	case <-ctx.Done():
		l.Close()
		return nil, ctx.Err()
	case <-t.C:
		l.Close()
		return nil, fmt.Errorf("listen on %s: Redis did not confirm the subscription within %s", channel, listenTimeout)
	}
}

// listenTimeout bounds how long Listen waits for Redis to confirm a subscription (Redis
// down: the caller gets an error rather than waiting for as long as its context lasts).
const listenTimeout = 10 * time.Second

func (h *ChannelHub) leave(l *Listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.channels[l.channel]
	if !ok {
		return
	}
	delete(ch.listeners, l)
	if len(ch.listeners) > 0 {
		return
	}
	delete(h.channels, l.channel)
	if len(h.channels) == 0 {
		// The last channel: close the connection (the reader ends with it).
		_ = h.ps.Close()
		h.ps = nil
		clear(h.unconfirmed)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.ps.Unsubscribe(ctx, l.channel); err != nil {
		h.logger.Warn("pub/sub: unsubscribe", "channel", l.channel, "error", err)
	}
}

// healthCheck is how long the reader waits for a message before it pings the
// connection (a peer that vanished is noticed, go-redis then reconnects).
const healthCheck = 30 * time.Second

// read delivers ps's messages until ps is closed.
func (h *ChannelHub) read(ps *redis.PubSub) {
	ctx := context.Background()
	for {
		msg, err := ps.ReceiveTimeout(ctx, healthCheck)
		if err != nil {
			if errors.Is(err, redis.ErrClosed) || !h.current(ps) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				_ = ps.Ping(ctx)
				continue
			}
			// The connection broke: go-redis reconnects and re-subscribes on the next
			// receive; whatever was published meanwhile is lost for everyone.
			h.logger.Warn("pub/sub: connection lost, reconnecting", "error", err)
			h.gapAll(ps)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				h.confirm(ps, m.Channel)
			}
		case *redis.Message:
			h.deliver(ps, m.Channel, m.Payload)
		}
	}
}

func (h *ChannelHub) current(ps *redis.PubSub) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ps == ps
}

func (h *ChannelHub) confirm(ps *redis.PubSub, channel string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ps != ps {
		return
	}
	if n := h.unconfirmed[channel]; n > 1 {
		h.unconfirmed[channel] = n - 1
		return
	}
	delete(h.unconfirmed, channel)
	if ch, ok := h.channels[channel]; ok && !ch.confirmed {
		ch.confirmed = true
		close(ch.ready)
	}
}

func (h *ChannelHub) deliver(ps *redis.PubSub, channel, payload string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ps != ps {
		return
	}
	ch, ok := h.channels[channel]
	if !ok {
		return
	}
	for l := range ch.listeners {
		select {
		case l.msgs <- payload:
		default:
			l.dropped.Add(1)
			h.dropped.Add(1)
			l.gap()
		}
	}
}

func (h *ChannelHub) gapAll(ps *redis.PubSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ps != ps {
		return
	}
	for _, ch := range h.channels {
		for l := range ch.listeners {
			l.gap()
		}
	}
}

func (l *Listener) gap() {
	select {
	case l.gaps <- struct{}{}:
	default:
	}
}
