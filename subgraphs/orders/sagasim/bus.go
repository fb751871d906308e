package sagasim

import (
	"context"
	"fmt"
	"slices"

	"github.com/dizhtime/dizhtime/events"
)

// Partitions per topic: events of one order share a partition (the key is the order).
const Partitions = 3

// MaxAttempts is the consumer's attempts before dead-lettering (events/consumer's default).
const MaxAttempts = 5

// Bus is the simulated Kafka: one append-only log per topic partition, and consumer
// groups that each keep a committed offset per partition.
type Bus struct {
	topics map[string]*[Partitions][]events.Envelope
	names  []string
	groups []*Group
	// partitionOf keys an event to its partition (by the simulation's order number, so
	// the mapping does not depend on random ids).
	partitionOf func(subject string) int
	// nameOf names a subject in traces.
	nameOf func(subject string) string
	// DLQ holds dead letters, in order, with the topic they came from.
	DLQ []DeadLetter
	// Stats counts deliveries and faults.
	Stats BusStats
	// paused holds, per "group topic", how many more consume steps the group leaves that
	// topic alone (a rebalance, a backlog on one topic).
	paused map[string]int
}

// BusStats counts what the consumers saw.
type BusStats struct {
	Delivered, Duplicates, CrashesBefore, CrashesAfter, DeadLetters int
	// DeadLetterCauses are the first dead letters' group, event and cause.
	DeadLetterCauses []string
}

// DeadLetter is an event a consumer gave up on.
type DeadLetter struct {
	Group, Topic string
	Event        events.Envelope
	Cause        string
}

// NewBus is an empty bus.
func NewBus(partitionOf func(subject string) int, nameOf func(subject string) string) *Bus {
	return &Bus{topics: map[string]*[Partitions][]events.Envelope{}, partitionOf: partitionOf, nameOf: nameOf,
		paused: map[string]int{}}
}

func (b *Bus) topic(name string) *[Partitions][]events.Envelope {
	t, ok := b.topics[name]
	if !ok {
		t = &[Partitions][]events.Envelope{}
		b.topics[name] = t
		b.names = append(b.names, name)
		slices.Sort(b.names)
	}
	return t
}

// Publish appends e to its topic (the event type, as the relays publish).
func (b *Bus) Publish(e events.Envelope) {
	t := b.topic(e.Type)
	p := b.partitionOf(e.Subject)
	t[p] = append(t[p], e)
}

// Group is one consumer group: a service consuming some topics through handlers that run
// in the service's transaction, with the processed-event table of that service.
type Group struct {
	Name      string
	Topics    []string
	offsets   map[string]*[Partitions]int
	attempts  map[string]*[Partitions]int
	processed map[string]bool
	handle    func(ctx context.Context, j *journal, e events.Envelope) error
}

// AddGroup subscribes a group.
func (b *Bus) AddGroup(name string, topics []string, processed map[string]bool, handle func(ctx context.Context, j *journal, e events.Envelope) error) {
	g := &Group{Name: name, Topics: topics, offsets: map[string]*[Partitions]int{}, attempts: map[string]*[Partitions]int{},
		processed: processed, handle: handle}
	for _, t := range topics {
		b.topic(t)
		g.offsets[t] = &[Partitions]int{}
		g.attempts[t] = &[Partitions]int{}
	}
	b.groups = append(b.groups, g)
}

// Lag is one (group, topic, partition) with unconsumed events.
type Lag struct {
	Group, Topic string
	Partition    int
}

// Pause makes the n-th (group, topic) subscription lag for steps consume steps.
func (b *Bus) Pause(n, steps int) string {
	var subs []string
	for _, g := range b.groups {
		for _, t := range g.Topics {
			subs = append(subs, g.Name+" "+t)
		}
	}
	sub := subs[n%len(subs)]
	b.paused[sub] = steps
	return sub
}

// Tick counts one consume step off every pause.
func (b *Bus) Tick() {
	for k, v := range b.paused {
		if v <= 1 {
			delete(b.paused, k)
		} else {
			b.paused[k] = v - 1
		}
	}
}

// Unpause ends every pause (the faults stop).
func (b *Bus) Unpause() { clear(b.paused) }

// Lags lists every partition with events a group has not committed, in a fixed order,
// leaving out paused subscriptions.
func (b *Bus) Lags() []Lag {
	var out []Lag
	for gi, g := range b.groups {
		for _, t := range g.Topics {
			if b.paused[g.Name+" "+t] > 0 {
				continue
			}
			log := b.topics[t]
			for p := 0; p < Partitions; p++ {
				if g.offsets[t][p] < len(log[p]) {
					out = append(out, Lag{Group: b.groups[gi].Name, Topic: t, Partition: p})
				}
			}
		}
	}
	return out
}

// Fault is what goes wrong while a consumer handles one event.
type Fault int

const (
	// NoFault: handled, committed, offset committed.
	NoFault Fault = iota
	// CrashBeforeCommit: the process dies inside the handler's transaction (rolled back).
	CrashBeforeCommit
	// CrashAfterCommit: the transaction committed, the offset did not (redelivered).
	CrashAfterCommit
)

func (f Fault) String() string {
	return [...]string{"ok", "crash-before-commit", "crash-after-commit"}[f]
}

// Deliver hands the next event of l to its group with fault; it reports what happened.
func (b *Bus) Deliver(ctx context.Context, l Lag, fault Fault) string {
	var g *Group
	for _, x := range b.groups {
		if x.Name == l.Group {
			g = x
		}
	}
	log := b.topics[l.Topic]
	off := &g.offsets[l.Topic][l.Partition]
	if g == nil || *off >= len(log[l.Partition]) {
		return "nothing to deliver"
	}
	e := log[l.Partition][*off]
	what := fmt.Sprintf("%s %s@%d", e.Type, b.nameOf(e.Subject), *off)
	key := g.Name + "|" + e.ID
	j := &journal{}
	if !g.processed[key] {
		setKey(j, g.processed, key, true)
		err := g.handle(ctx, j, e)
		if err == nil {
			err = j.aborted
		}
		if err != nil {
			j.rollback()
			att := &g.attempts[l.Topic][l.Partition]
			*att++
			if *att >= MaxAttempts {
				b.Stats.DeadLetters++
				if len(b.Stats.DeadLetterCauses) < 5 {
					b.Stats.DeadLetterCauses = append(b.Stats.DeadLetterCauses, g.Name+" "+e.Type+": "+err.Error())
				}
				b.DLQ = append(b.DLQ, DeadLetter{Group: g.Name, Topic: l.Topic, Event: e, Cause: err.Error()})
				*off++
				*att = 0
				return what + ": dead-lettered after " + fmt.Sprint(MaxAttempts) + " attempts: " + err.Error()
			}
			return what + ": handler failed, will retry: " + err.Error()
		}
	} else {
		b.Stats.Duplicates++
		what += " (duplicate, skipped)"
	}
	switch fault {
	case CrashBeforeCommit:
		b.Stats.CrashesBefore++
		j.rollback()
		return what + ": crashed before commit"
	case CrashAfterCommit:
		b.Stats.CrashesAfter++
		g.attempts[l.Topic][l.Partition] = 0
		return what + ": committed, crashed before the offset commit"
	}
	*off++
	g.attempts[l.Topic][l.Partition] = 0
	b.Stats.Delivered++
	return what
}

// ReplayDeadLetters republishes every dead letter to its topic (the operator's replay,
// events/consumer.Replay); consumers that applied an event already skip it by id.
func (b *Bus) ReplayDeadLetters() int {
	n := len(b.DLQ)
	seen := map[string]bool{}
	for _, d := range b.DLQ {
		if !seen[d.Event.ID] {
			seen[d.Event.ID] = true
			b.Publish(d.Event)
		}
	}
	b.DLQ = nil
	return n
}

// Outbox is one service's transactional outbox: events written in a transaction wait
// here until the relay publishes them.
type Outbox struct {
	Service string
	pending []events.Envelope
	bus     *Bus
}

func (o *Outbox) add(j *journal, evs ...events.Envelope) {
	if j == nil {
		o.pending = append(o.pending, evs...)
		return
	}
	appendTo(j, &o.pending, evs...)
}

// Pending is how many events wait for the relay.
func (o *Outbox) Pending() int { return len(o.pending) }

// Relay publishes the pending event at index i (0 is the oldest; a later one models
// relays publishing out of order). When crash, the relay dies after publishing and
// before marking the event sent, so it stays pending and is published again later.
func (o *Outbox) Relay(i int, crash bool) string {
	if len(o.pending) == 0 {
		return "nothing pending"
	}
	i %= len(o.pending)
	e := o.pending[i]
	o.bus.Publish(e)
	what := fmt.Sprintf("%s %s", e.Type, o.bus.nameOf(e.Subject))
	if crash {
		return what + " (relay crashed before marking it sent)"
	}
	o.pending = slices.Delete(o.pending, i, i+1)
	return what
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}
