package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// Broker carries hall.Changes between replicas: Notify publishes each
// change as JSON on the channel <prefix>changes, and Run hands every change
// published there, by any replica (this one included), to the local push
// path. Wire the services' Notifier to the Broker and run Run with the
// hub: a change then reaches the screens of every replica the same way.
//
// Pub/sub delivers at most once: a change published while a replica is
// not subscribed is not delivered to it. Run therefore calls onResubscribe
// after every subscription but the first, so that the caller can send its
// screens their current manifests. In a Cluster, PUBLISH reaches the
// subscribers of every node.
type Broker struct {
	rdb     goredis.UniversalClient
	channel string
	log     *slog.Logger
	// minBackoff and maxBackoff bound the wait between attempts to
	// subscribe again; health is how long a quiet subscription waits
	// before it checks the connection with a PING.
	minBackoff, maxBackoff, health time.Duration
}

// NewBroker returns the broker of the store's Redis and prefix.
func NewBroker(s *Store) *Broker {
	return &Broker{rdb: s.rdb, channel: s.prefix + "changes", log: s.log,
		minBackoff: 100 * time.Millisecond, maxBackoff: 5 * time.Second, health: 15 * time.Second}
}

// Channel returns the pub/sub channel changes travel on.
func (b *Broker) Channel() string { return b.channel }

// Notify publishes c. It does not fail: an error is logged (screens catch
// up from their manifests when they reconnect, and the push path
// re-resolves every screen periodically).
func (b *Broker) Notify(ctx context.Context, c hall.Change) {
	payload, err := json.Marshal(c)
	if err != nil {
		b.log.Error("redisstore: broker: encode change", "kind", c.Kind, "err", err)
		return
	}
	if err := b.rdb.Publish(ctx, b.channel, payload).Err(); err != nil {
		b.log.Warn("redisstore: broker: publish change", "kind", c.Kind, "err", err)
	}
}

// Run subscribes to the channel and hands every change received to
// local.Notify, until ctx ends (or the store is closed). When the subscription is lost (Redis
// restarts, the connection drops or stops answering) it subscribes again,
// waiting longer after each failed attempt, and calls onResubscribe (if
// not nil) after each successful subscription but the first.
func (b *Broker) Run(ctx context.Context, local hall.Notifier, onResubscribe func()) {
	subscribed := false
	backoff := b.minBackoff
	for ctx.Err() == nil {
		err := b.subscription(ctx, local, func() {
			if subscribed && onResubscribe != nil {
				onResubscribe()
			}
			subscribed = true
			backoff = b.minBackoff
		})
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, goredis.ErrClosed) {
			b.log.Error("redisstore: broker: the store's client is closed; no more changes from other replicas", "channel", b.channel)
			return
		}
		b.log.Warn("redisstore: broker: subscription lost; subscribing again", "channel", b.channel, "in", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, b.maxBackoff)
	}
}

// subscription runs one subscription until it fails or ctx ends; it calls
// subscribed when Redis confirms it.
func (b *Broker) subscription(ctx context.Context, local hall.Notifier, subscribed func()) error {
	ps := b.rdb.Subscribe(ctx, b.channel)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // a blocked read ends when the subscription is closed
		select {
		case <-ctx.Done():
		case <-stop:
		}
		ps.Close()
	}()
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, b.health)
		if err != nil {
			var ne net.Error
			if ctx.Err() != nil || !errors.As(err, &ne) || !ne.Timeout() {
				return err
			}
			if pinged {
				return errors.New("no answer to PING")
			}
			if err := ps.Ping(ctx); err != nil {
				return err
			}
			pinged = true
			continue
		}
		pinged = false
		switch m := msg.(type) {
		case *goredis.Subscription:
			if m.Kind == "subscribe" {
				subscribed()
			}
		case *goredis.Message:
			var c hall.Change
			if err := json.Unmarshal([]byte(m.Payload), &c); err != nil {
				b.log.Warn("redisstore: broker: a message that is not a change", "channel", m.Channel, "err", err)
				continue
			}
			local.Notify(ctx, c)
		}
	}
}
