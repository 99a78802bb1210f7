package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/hub"
	"github.com/hallcast/hallcast/server/redisstore"
)

// Replicas on one Redis act as one hall system: a change made on one is
// published on Redis and every replica's hub hears it (its own included);
// each replica reports the screens it holds, so every replica lists them
// all.
const (
	presenceEvery = 5 * time.Second
	presenceTTL   = 4 * presenceEvery
)

// replica is this process among the replicas sharing a Redis store.
type replica struct {
	name   string
	store  *redisstore.Store
	broker *redisstore.Broker
	hub    *hub.Hub
	logger *slog.Logger
}

// replicaName is a name for this process among the replicas: the host's
// name and a random suffix, unless one is given.
func replicaName(given string) string {
	if given != "" {
		return given
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "hallcast"
	}
	b := make([]byte, 3)
	rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

// Notify publishes a change to every replica.
func (r *replica) Notify(ctx context.Context, c hall.Change) { r.broker.Notify(ctx, c) }

// Presence merges what every replica reports: a screen connected to two
// replicas counts both connections.
func (r *replica) Presence(ctx context.Context) (map[string]hall.Presence, error) {
	list, err := r.store.ListPresence(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]hall.Presence, len(list))
	for _, p := range list {
		m := out[p.ScreenID]
		m.ScreenID, m.Online = p.ScreenID, true
		m.Connections += max(p.Connections, 1)
		if m.ConnectedAt == nil || p.ConnectedAt.Before(*m.ConnectedAt) {
			at := p.ConnectedAt
			m.ConnectedAt = &at
		}
		if p.LastSeen.After(m.LastSeen) {
			m.LastSeen, m.Version, m.Showing, m.SecureContext, m.Display = p.LastSeen, p.Version, p.Showing, p.SecureContext, p.Display
		}
		out[p.ScreenID] = m
	}
	return out, nil
}

// run hears the other replicas' changes (catching up after every lost
// subscription) and reports this replica's screens until ctx ends.
func (r *replica) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		r.broker.Run(ctx, r.hub, func() {
			r.logger.Info("resubscribed to changes: re-sending manifests")
			r.hub.CatchUp(ctx)
		})
	})
	t := time.NewTicker(presenceEvery)
	defer t.Stop()
	for {
		r.report(ctx)
		select {
		case <-ctx.Done():
			// Stopping: this replica holds no screen any more.
			bye, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if err := r.store.PutPresence(bye, r.name, nil, time.Second); err != nil {
				r.logger.Warn("withdraw this replica's screens", "err", err)
			}
			cancel()
			return
		case <-t.C:
		}
	}
}

// report puts the screens this replica holds.
func (r *replica) report(ctx context.Context) {
	var ps []redisstore.Presence
	for id, p := range r.hub.Online() {
		if !p.Online {
			continue
		}
		rp := redisstore.Presence{ScreenID: id, Connections: p.Connections, LastSeen: p.LastSeen, Version: p.Version, Showing: p.Showing,
			SecureContext: p.SecureContext, Display: p.Display}
		if p.ConnectedAt != nil {
			rp.ConnectedAt = *p.ConnectedAt
		}
		ps = append(ps, rp)
	}
	if err := r.store.PutPresence(ctx, r.name, ps, presenceTTL); err != nil && ctx.Err() == nil {
		r.logger.Warn("report screens to the other replicas", "err", err)
	}
}
