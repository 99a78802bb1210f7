package hub

import (
	"context"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/manifest"
)

// MarkStale marks every manifest stale and schedules a refresh without
// waiting for it. Call it after any change to what screens play.
func (h *Hub) MarkStale() {
	h.cfg.Manifests.Invalidate()
	h.request(time.Now())
}

// Refresh rebuilds the manifest of every connected screen (screens that
// resolve alike share one computation) and sends it to the connections
// whose etag changed. It returns when a refresh pass that started after the
// call has finished, or ctx ends. Requests that arrive while a pass runs are
// served together by one more pass.
func (h *Hub) Refresh(ctx context.Context) {
	want, ok := h.request(time.Time{})
	if !ok {
		return
	}
	h.rmu.Lock()
	for h.completed < want && !h.rclosed {
		done := h.passDone
		h.rmu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return
		case <-h.ctx.Done():
			return
		}
		h.rmu.Lock()
	}
	h.rmu.Unlock()
}

// Run refreshes every RefreshInterval until ctx ends or the hub closes, so
// that hour boundaries and items whose validity starts or ends reach the
// screens without a change being notified.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.cfg.RefreshInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.pruneInterrupts()
			h.Refresh(ctx)
			if err := h.Revalidate(ctx); err != nil && ctx.Err() == nil {
				h.log.Warn("hub: revalidate screens", "err", err)
			}
		}
	}
}

// Revalidate closes, with 4403, the connections of screens revoked without
// this hub being told (a revocation announced on another replica while this
// one's subscription was down). Run calls it every RefreshInterval.
func (h *Hub) Revalidate(ctx context.Context) error {
	h.mu.Lock()
	ids := make([]string, 0, len(h.screens))
	for id, st := range h.screens {
		if len(st.conns) > 0 {
			ids = append(ids, id)
		}
	}
	h.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	revoked, err := h.cfg.Screens.Revoked(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range revoked {
		h.Revoke(id)
	}
	return nil
}

// CatchUp is what a replica does after it may have missed announcements:
// every manifest is re-resolved and re-sent where it changed, and revoked
// screens are closed.
func (h *Hub) CatchUp(ctx context.Context) {
	h.MarkStale()
	if err := h.Revalidate(ctx); err != nil {
		h.log.Warn("hub: revalidate screens", "err", err)
	}
}

// request asks for a refresh pass and starts the refresh loop when none
// runs. since is when the change was notified (zero for none). It returns
// the request's number; a pass that completes it has started after it.
func (h *Hub) request(since time.Time) (uint64, bool) {
	h.rmu.Lock()
	defer h.rmu.Unlock()
	if h.rclosed {
		return 0, false
	}
	h.requested++
	if !since.IsZero() && h.pendingSince.IsZero() {
		h.pendingSince = since
	}
	if !h.running {
		h.running = true
		h.wg.Add(1)
		go h.refreshLoop()
	}
	return h.requested, true
}

// refreshLoop runs passes while requests are pending: any number of
// requests made during one pass are served by the next.
func (h *Hub) refreshLoop() {
	defer h.wg.Done()
	for {
		h.rmu.Lock()
		if h.completed >= h.requested || h.ctx.Err() != nil {
			h.running = false
			h.rmu.Unlock()
			return
		}
		target, since := h.requested, h.pendingSince
		h.pendingSince = time.Time{}
		h.rmu.Unlock()

		h.refreshPass(h.ctx, since)

		h.rmu.Lock()
		h.completed = target
		close(h.passDone)
		h.passDone = make(chan struct{})
		h.rmu.Unlock()
	}
}

// refreshPass builds the manifest of each connected screen once and offers
// it to the screen's connections.
func (h *Hub) refreshPass(ctx context.Context, since time.Time) {
	h.mu.Lock()
	byScreen := make(map[string][]*conn, len(h.screens))
	screens := make(map[string]*hall.Screen, len(h.screens))
	for c := range h.conns {
		byScreen[c.screen.ID] = append(byScreen[c.screen.ID], c)
		screens[c.screen.ID] = c.screen
	}
	h.mu.Unlock()

	frames := make(map[string]*frame)
	for id, conns := range byScreen {
		m, err := h.cfg.Manifests.Build(ctx, screens[id])
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			h.log.Error("hub: build manifest", "screen", id, "err", err)
			continue
		}
		f := frames[m.ETag]
		if f == nil {
			pm, err := h.preparedManifest(m)
			if err != nil {
				h.log.Error("hub: prepare manifest frame", "err", err)
				continue
			}
			f = &frame{pm: pm, since: since}
			frames[m.ETag] = f
		}
		for _, c := range conns {
			c.offer(m.ETag, f)
		}
	}
	h.prunePrepared()
}

// preparedManifest returns the manifest frame of m,
// {"type":"manifest","etag","manifest"}, encoded once per etag.
func (h *Hub) preparedManifest(m *manifest.Manifest) (*websocket.PreparedMessage, error) {
	h.pmu.Lock()
	defer h.pmu.Unlock()
	if pm, ok := h.prepared[m.ETag]; ok {
		return pm, nil
	}
	data := make([]byte, 0, len(m.JSON)+64)
	data = append(data, `{"type":"manifest","etag":"`...)
	data = append(data, m.ETag...) // hex digits: no escaping needed
	data = append(data, `","manifest":`...)
	data = append(data, m.JSON...)
	data = append(data, '}')
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, data)
	if err != nil {
		return nil, err
	}
	h.prepared[m.ETag] = pm
	return pm, nil
}

// prunePrepared forgets manifest frames no connection holds any more.
func (h *Hub) prunePrepared() {
	inUse := make(map[string]bool)
	h.mu.Lock()
	for c := range h.conns {
		inUse[c.currentETag()] = true
	}
	h.mu.Unlock()
	h.pmu.Lock()
	for etag := range h.prepared {
		if !inUse[etag] {
			delete(h.prepared, etag)
		}
	}
	h.pmu.Unlock()
}
