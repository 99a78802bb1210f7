package signage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hallcast/hallcast/playlists"
	"github.com/hallcast/hallcast/server/hall"
)

// Halls.

// HallInput is what staff say about a hall.
type HallInput struct {
	Name              string `json:"name"`
	TZ                string `json:"tz"`
	DefaultPlaylistID string `json:"default_playlist_id"`
	// Kind is "town" (the default), "village" or "community"; a village or
	// community names the town hall it belongs to as Parent.
	Kind   hall.HallKind `json:"kind"`
	Parent string        `json:"parent"`
}

// ListHalls lists the halls, oldest first.
func (s *Service) ListHalls(ctx context.Context, actor *hall.User) ([]*hall.Hall, error) {
	if err := requireStaff(actor); err != nil {
		return nil, err
	}
	return s.Store.ListHalls(ctx)
}

// CreateHall adds a hall.
func (s *Service) CreateHall(ctx context.Context, actor *hall.User, in HallInput) (*hall.Hall, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	h := &hall.Hall{ID: hall.NewID("hl"), Name: in.Name, TZ: in.TZ, Kind: in.Kind, Parent: in.Parent, CreatedAt: s.Now().UTC()}
	if err := s.checkHall(ctx, h); err != nil {
		return nil, err
	}
	if err := s.playlistExists(ctx, "default_playlist_id", in.DefaultPlaylistID); err != nil {
		return nil, err
	}
	h.DefaultPlaylistID = in.DefaultPlaylistID
	if err := s.Store.CreateHall(s.audited(ctx, actor, "hall.create", h.ID, h.Name), h); err != nil {
		return nil, err
	}
	return h, nil
}

// UpdateHall changes a hall's name, zone and default playlist; its screens
// are re-resolved.
func (s *Service) UpdateHall(ctx context.Context, actor *hall.User, id string, in HallInput) (*hall.Hall, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	h, err := s.Store.Hall(ctx, id)
	if err != nil {
		return nil, err
	}
	h.Name, h.TZ, h.DefaultPlaylistID, h.Kind, h.Parent = in.Name, in.TZ, in.DefaultPlaylistID, in.Kind, in.Parent
	if err := s.checkHall(ctx, h); err != nil {
		return nil, err
	}
	if err := s.playlistExists(ctx, "default_playlist_id", h.DefaultPlaylistID); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateHall(s.audited(ctx, actor, "hall.update", h.ID, h.Name), h); err != nil {
		return nil, err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeSignage})
	return h, nil
}

// checkHall validates h and its place: a parent is an existing town hall,
// and only a town hall has halls under it.
func (s *Service) checkHall(ctx context.Context, h *hall.Hall) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if h.Parent != "" {
		p, err := s.Store.Hall(ctx, h.Parent)
		if hall.IsCode(err, hall.ENotFound) {
			return hall.FieldError("parent", "no hall %q", h.Parent)
		} else if err != nil {
			return err
		}
		if p.Kind != hall.HallTown {
			return hall.FieldError("parent", "hall %q is a %s's board: villages and communities belong to a town hall", p.ID, p.Kind)
		}
	}
	if h.Kind == hall.HallTown {
		return nil
	}
	halls, err := s.Store.ListHalls(ctx)
	if err != nil {
		return err
	}
	for _, o := range halls {
		if o.Parent == h.ID {
			return hall.FieldError("kind", "halls belong to this hall (%s): only a town hall has halls under it", o.Name)
		}
	}
	return nil
}

func (s *Service) playlistExists(ctx context.Context, field, id string) error {
	if id == "" {
		return nil
	}
	if _, err := s.Store.Playlist(ctx, id); hall.IsCode(err, hall.ENotFound) {
		return hall.FieldError(field, "no playlist %q", id)
	} else if err != nil {
		return err
	}
	return nil
}

// Playlists.

// ListPlaylists lists the playlists by name.
func (s *Service) ListPlaylists(ctx context.Context, actor *hall.User) ([]*hall.Playlist, error) {
	if err := requireStaff(actor); err != nil {
		return nil, err
	}
	return s.Store.ListPlaylists(ctx)
}

// Playlist returns one playlist.
func (s *Service) Playlist(ctx context.Context, actor *hall.User, id string) (*hall.Playlist, error) {
	if err := requireStaff(actor); err != nil {
		return nil, err
	}
	return s.Store.Playlist(ctx, id)
}

// PutPlaylist creates or replaces a playlist; every entry must name an item
// or category that exists.
func (s *Service) PutPlaylist(ctx context.Context, actor *hall.User, id, name string, entries []hall.PlaylistEntry) (*hall.Playlist, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if !hall.ValidKey(id) && !strings.HasPrefix(id, "pl_") {
		return nil, hall.FieldError("id", "want lower-case letters, digits, '-' or '_'")
	}
	if entries == nil {
		entries = []hall.PlaylistEntry{}
	}
	p := &hall.Playlist{ID: id, Name: strings.TrimSpace(name), Entries: entries, UpdatedAt: s.Now().UTC()}
	if err := playlists.ValidatePlaylist(*p); err != nil {
		return nil, err
	}
	for i, e := range p.Entries {
		switch {
		case e.ItemID != "":
			if _, err := s.Store.Item(ctx, e.ItemID); hall.IsCode(err, hall.ENotFound) {
				return nil, hall.FieldError(fmt.Sprintf("entries[%d].item_id", i), "no item %q", e.ItemID)
			} else if err != nil {
				return nil, err
			}
		case e.Category != "":
			if _, err := s.Store.Category(ctx, e.Category); hall.IsCode(err, hall.ENotFound) {
				return nil, hall.FieldError(fmt.Sprintf("entries[%d].category", i), "no category %q", e.Category)
			} else if err != nil {
				return nil, err
			}
		}
	}
	if err := s.Store.PutPlaylist(s.audited(ctx, actor, "playlist.put", p.ID, p.Name), p); err != nil {
		return nil, err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeSignage})
	return p, nil
}

// DeletePlaylist removes a playlist no schedule or hall plays.
func (s *Service) DeletePlaylist(ctx context.Context, actor *hall.User, id string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	scheds, err := s.Store.ListSchedules(ctx)
	if err != nil {
		return err
	}
	for _, sc := range scheds {
		if sc.PlaylistID == id {
			return hall.Errorf(hall.EConflict, "schedule %s plays this playlist: delete or change it first", sc.ID)
		}
	}
	halls, err := s.Store.ListHalls(ctx)
	if err != nil {
		return err
	}
	for _, h := range halls {
		if h.DefaultPlaylistID == id {
			return hall.Errorf(hall.EConflict, "hall %s plays this playlist by default: change that first", h.ID)
		}
	}
	if err := s.Store.DeletePlaylist(s.audited(ctx, actor, "playlist.delete", id, ""), id); err != nil {
		return err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeSignage})
	return nil
}

// Schedules.

// ListSchedules lists the schedules by id.
func (s *Service) ListSchedules(ctx context.Context, actor *hall.User) ([]*hall.Schedule, error) {
	if err := requireStaff(actor); err != nil {
		return nil, err
	}
	ss, err := s.Store.ListSchedules(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(ss, func(i, j int) bool { return ss[i].ID < ss[j].ID })
	return ss, nil
}

// PutSchedule creates or replaces a schedule of a playlist that exists.
func (s *Service) PutSchedule(ctx context.Context, actor *hall.User, sc *hall.Schedule) (*hall.Schedule, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if !hall.ValidKey(sc.ID) {
		return nil, hall.FieldError("id", "want lower-case letters, digits, '-' or '_'")
	}
	sc.UpdatedAt = s.Now().UTC()
	if err := playlists.ValidateSchedule(*sc); err != nil {
		return nil, err
	}
	if err := s.playlistExists(ctx, "playlist_id", sc.PlaylistID); err != nil {
		return nil, err
	}
	if err := s.Store.PutSchedule(s.audited(ctx, actor, "schedule.put", sc.ID, sc.PlaylistID), sc); err != nil {
		return nil, err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeSignage})
	return sc, nil
}

// DeleteSchedule removes a schedule.
func (s *Service) DeleteSchedule(ctx context.Context, actor *hall.User, id string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if err := s.Store.DeleteSchedule(s.audited(ctx, actor, "schedule.delete", id, ""), id); err != nil {
		return err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeSignage})
	return nil
}

// Interrupts.

// InterruptInput is a notice to break into the rotation.
type InterruptInput struct {
	Target hall.Target
	Level  string
	Text   string
	ItemID string
	Until  *time.Time
}

// MaxInterrupt bounds how long an interrupt may run.
const MaxInterrupt = 7 * 24 * time.Hour

// CreateInterrupt shows a notice (text or a published item) on the screens
// it targets until it ends or is cleared.
func (s *Service) CreateInterrupt(ctx context.Context, actor *hall.User, in InterruptInput) (*hall.Interrupt, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	i := &hall.Interrupt{ID: hall.NewID("ir"), Target: in.Target, Level: in.Level, Text: strings.TrimSpace(in.Text), ItemID: in.ItemID,
		CreatedBy: actor.Username, CreatedAt: now}
	if err := in.Target.Validate(); err != nil {
		return nil, err
	}
	if i.Level != hall.LevelInfo && i.Level != hall.LevelUrgent {
		return nil, hall.FieldError("level", `want "info" or "urgent"`)
	}
	if (i.Text == "") == (i.ItemID == "") {
		return nil, hall.FieldError("text", "give text or item_id (one of them)")
	}
	if len([]rune(i.Text)) > 500 {
		return nil, hall.FieldError("text", "at most 500 characters")
	}
	if i.ItemID != "" {
		it, err := s.Store.Item(ctx, i.ItemID)
		if hall.IsCode(err, hall.ENotFound) || (err == nil && !it.Public.Live(now)) {
			return nil, hall.FieldError("item_id", "no published item %q", i.ItemID)
		} else if err != nil {
			return nil, err
		}
	}
	if in.Until == nil || !in.Until.After(now) || in.Until.Sub(now) > MaxInterrupt {
		return nil, hall.FieldError("until", "required: a time in the next 7 days")
	}
	i.Until = in.Until.UTC()
	if err := s.Store.CreateInterrupt(s.audited(ctx, actor, "interrupt.create", i.ID, i.Level+" "+i.Text), i); err != nil {
		return nil, err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeInterrupt, Interrupt: i})
	return i, nil
}

// ListInterrupts lists the interrupts in force now, or all of them.
func (s *Service) ListInterrupts(ctx context.Context, actor *hall.User, all bool) ([]*hall.Interrupt, error) {
	if err := requireStaff(actor); err != nil {
		return nil, err
	}
	at := s.Now()
	if all {
		at = time.Time{}
	}
	return s.Store.ListInterrupts(ctx, at)
}

// ClearInterrupt ends an interrupt now.
func (s *Service) ClearInterrupt(ctx context.Context, actor *hall.User, id string) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if err := s.Store.ClearInterrupt(s.audited(ctx, actor, "interrupt.clear", id, ""), id, s.Now().UTC()); err != nil {
		return err
	}
	s.notify(ctx, hall.Change{Kind: hall.ChangeInterruptClear, InterruptID: id})
	return nil
}
