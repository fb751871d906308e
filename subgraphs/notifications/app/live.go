package app

import (
	"context"
	"sync"
	"time"

	"github.com/dizhtime/dizhtime/platform/authz"
	"github.com/dizhtime/dizhtime/platform/graphqlerr"
	"github.com/dizhtime/dizhtime/subgraphs/notifications/domain"
)

// Hub fans "user X has new inbox entries" doorbells out to this process's live inboxes.
// What rings it is a feed every replica hears (adapters.InboxDoorbell: PostgreSQL
// NOTIFY, sent by the transaction that writes the entry, so it arrives only after the
// commit), so a subscriber on any replica hears about entries written by any other. A
// doorbell carries no state: subscribers read their inbox after the last seq they sent,
// so they see every entry once and in order even when doorbells are coalesced or lost.
type Hub struct {
	mu     sync.Mutex
	byUser map[string]map[chan struct{}]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{byUser: map[string]map[chan struct{}]struct{}{}} }

// Ring tells userID's live inboxes to look for new entries.
func (h *Hub) Ring(userID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.byUser[userID] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// RingAll rings every live inbox (after the feed reconnects: doorbells may be lost).
func (h *Hub) RingAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, chans := range h.byUser {
		for ch := range chans {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

// Subscribers counts live inboxes.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.byUser {
		n += len(c)
	}
	return n
}

func (h *Hub) watch(userID string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.byUser[userID] == nil {
		h.byUser[userID] = map[chan struct{}]struct{}{}
	}
	h.byUser[userID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.byUser[userID], ch)
		if len(h.byUser[userID]) == 0 {
			delete(h.byUser, userID)
		}
		h.mu.Unlock()
	}
}

// LiveEntry is one entry sent to a live inbox, with the unread count after it.
type LiveEntry struct {
	Notification domain.Notification
	UnreadCount  int
}

// LiveInbox streams the caller's new inbox entries in seq order: those after since (nil:
// only entries written from now on). The channel closes when ctx ends.
func (a *Application) LiveInbox(ctx context.Context, since *int) (<-chan LiveEntry, error) {
	id, err := authz.RequireAuthenticated(ctx)
	if err != nil {
		return nil, err
	}
	// Watch before reading the head, so nothing between the read and the watch is missed.
	bell, stop := a.hub.watch(id.UserID)
	var last int64
	if since != nil {
		if *since < 0 {
			stop()
			return nil, graphqlerr.BadUserInput("since", "must not be negative")
		}
		last = int64(*since)
	} else if last, err = a.inbox.Head(ctx, id.UserID); err != nil {
		stop()
		return nil, graphqlerr.Internal(err)
	}
	out := make(chan LiveEntry, 16)
	go func() {
		defer close(out)
		defer stop()
		poll := time.NewTicker(a.cfg.LivePollInterval)
		defer poll.Stop()
		for {
			var ok bool
			if last, ok = a.sendNew(ctx, id.UserID, last, out); !ok {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-bell:
			case <-poll.C:
			}
		}
	}()
	return out, nil
}

func (a *Application) sendNew(ctx context.Context, userID string, last int64, out chan<- LiveEntry) (int64, bool) {
	for {
		ns, err := a.inbox.After(ctx, userID, last, 100)
		if err != nil || len(ns) == 0 {
			if err != nil && ctx.Err() == nil {
				a.log.WarnContext(ctx, "live inbox: read", "user_id", userID, "error", err)
			}
			return last, ctx.Err() == nil
		}
		unread, err := a.inbox.UnreadCount(ctx, userID)
		if err != nil {
			return last, ctx.Err() == nil
		}
		for _, n := range ns {
			select {
			case out <- LiveEntry{Notification: n, UnreadCount: unread}:
				last = n.Seq
			case <-ctx.Done():
				return last, false
			}
		}
		if len(ns) < 100 {
			return last, true
		}
	}
}

// LiveSubscribers counts this process's live inboxes.
func (a *Application) LiveSubscribers() int { return a.hub.Subscribers() }
