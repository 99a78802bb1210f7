package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hallcast/hallcast/server/hall"
)

// Screens: {m}:screens (id → screenRec), {m}:screens:token (token hash →
// id). Pairings: {m}:pairings (id → pairingRec). Playlists, schedules,
// interrupts and media records: {m}:playlists, {m}:schedules,
// {m}:interrupts and {m}:media, each id (or hash) → JSON.

type screenRec struct {
	*hall.Screen
	TokenHash string `json:"token_hash"`
}

func encScreen(sc *hall.Screen) string {
	c := *sc
	c.CreatedAt, c.RevokedAt, c.LastSeen = c.CreatedAt.UTC(), utcPtr(c.RevokedAt), utcPtr(c.LastSeen)
	return mustJSON(screenRec{Screen: &c, TokenHash: sc.TokenHash})
}

func decScreen(s string) (*hall.Screen, error) {
	r := screenRec{Screen: &hall.Screen{}}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	r.Screen.TokenHash = r.TokenHash
	return r.Screen, nil
}

func (s *Store) readScreen(ctx context.Context, c goredis.Cmdable, id string) (*hall.Screen, error) {
	raw, err := c.HGet(ctx, s.mkey("screens"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("screen", id)
	}
	if err != nil {
		return nil, err
	}
	return decScreen(raw)
}

// screenKeys are the keys a new screen's checks read.
func (s *Store) screenKeys() []string {
	return []string{s.mkey("screens"), s.mkey("screens", "token"), s.mkey("halls")}
}

// newScreen checks that sc may be created (id and token hash free, hall
// present) and returns it with its id, and the writes that store it.
func (s *Store) newScreen(ctx context.Context, tx *goredis.Tx, sc *hall.Screen) (*hall.Screen, func(goredis.Pipeliner), error) {
	c := *sc
	if c.ID == "" {
		c.ID = hall.NewID("sc")
	}
	if ok, err := tx.HExists(ctx, s.mkey("screens"), c.ID).Result(); err != nil || ok {
		return nil, nil, orConflict(err, "screen %q exists", c.ID)
	}
	if ok, err := tx.HExists(ctx, s.mkey("screens", "token"), c.TokenHash).Result(); err != nil || ok {
		return nil, nil, orConflict(err, "screen token exists")
	}
	if ok, err := tx.HExists(ctx, s.mkey("halls"), c.HallID).Result(); err != nil || !ok {
		return nil, nil, orNotFound(err, "hall", c.HallID)
	}
	return &c, func(p goredis.Pipeliner) {
		p.HSet(ctx, s.mkey("screens"), c.ID, encScreen(&c))
		p.HSet(ctx, s.mkey("screens", "token"), c.TokenHash, c.ID)
	}, nil
}

// CreateScreen inserts sc, giving it an id when it has none; its hall must
// exist (ENotFound otherwise) and its id and token hash must be new
// (EConflict).
func (s *Store) CreateScreen(ctx context.Context, sc *hall.Screen) error {
	var made *hall.Screen
	err := s.update(ctx, "create screen", s.screenKeys(), func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		c, write, err := s.newScreen(ctx, tx, sc)
		made = c
		return write, err
	})
	if err != nil {
		return err
	}
	sc.ID = made.ID
	return nil
}

// UpdateScreen saves the screen's name, kind, hall and groups; ENotFound
// when it is missing or revoked, or its new hall is missing.
func (s *Store) UpdateScreen(ctx context.Context, sc *hall.Screen) error {
	screens, halls := s.mkey("screens"), s.mkey("halls")
	return s.update(ctx, "update screen", []string{screens, halls}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		stored, err := s.readScreen(ctx, tx, sc.ID)
		if err != nil {
			return nil, err
		}
		if stored.RevokedAt != nil {
			return nil, hall.NotFound("screen", sc.ID)
		}
		if ok, err := tx.HExists(ctx, halls, sc.HallID).Result(); err != nil || !ok {
			return nil, orNotFound(err, "hall", sc.HallID)
		}
		stored.Name, stored.Kind, stored.HallID, stored.Groups = sc.Name, sc.Kind, sc.HallID, sc.Groups
		return func(p goredis.Pipeliner) { p.HSet(ctx, screens, sc.ID, encScreen(stored)) }, nil
	})
}

// Screen returns the screen with the id, revoked or not.
func (s *Store) Screen(ctx context.Context, id string) (*hall.Screen, error) {
	sc, err := s.readScreen(ctx, s.rdb, id)
	return sc, s.wrap("screen", err)
}

// ScreenByTokenHash returns the screen with the token hash, revoked or not.
func (s *Store) ScreenByTokenHash(ctx context.Context, hash string) (*hall.Screen, error) {
	id, err := s.rdb.HGet(ctx, s.mkey("screens", "token"), hash).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.Errorf(hall.ENotFound, "screen not found")
	}
	if err != nil {
		return nil, s.wrap("screen by token", err)
	}
	sc, err := s.readScreen(ctx, s.rdb, id)
	if hall.IsCode(err, hall.ENotFound) {
		return nil, hall.Errorf(hall.ENotFound, "screen not found")
	}
	return sc, s.wrap("screen by token", err)
}

// ListScreens returns the screens not revoked, by name, then id.
func (s *Store) ListScreens(ctx context.Context) ([]*hall.Screen, error) {
	all, err := hgetAll(ctx, s.rdb, s.mkey("screens"), decScreen)
	if err != nil {
		return nil, s.wrap("list screens", err)
	}
	out := all[:0]
	for _, sc := range all {
		if sc.RevokedAt == nil {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b *hall.Screen) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// changeScreen applies change to the stored screen and saves it; change
// returns an error to refuse.
func (s *Store) changeScreen(ctx context.Context, op, id string, change func(*hall.Screen) error) error {
	screens := s.mkey("screens")
	return s.update(ctx, op, []string{screens}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		sc, err := s.readScreen(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if err := change(sc); err != nil {
			return nil, err
		}
		return func(p goredis.Pipeliner) { p.HSet(ctx, screens, id, encScreen(sc)) }, nil
	})
}

// RevokeScreen marks the screen revoked at at; ENotFound when it is missing
// or revoked already.
func (s *Store) RevokeScreen(ctx context.Context, id string, at time.Time) error {
	return s.changeScreen(ctx, "revoke screen", id, func(sc *hall.Screen) error {
		if sc.RevokedAt != nil {
			return hall.NotFound("screen", id)
		}
		sc.RevokedAt = &at
		return nil
	})
}

// SaveScreenStatus stores what the screen last reported. Every connected
// screen reports, and a replica that stops saves the status of all its
// screens at once, so this does not WATCH the whole screens hash as other
// changes do (every status saved would make every other one start over):
// it swaps the one screen's record only if that record is still the one it
// read, and reads again when another writer changed that screen meanwhile.
func (s *Store) SaveScreenStatus(ctx context.Context, id string, seen time.Time, version string, showing *hall.Showing) error {
	const op = "save screen status"
	if hall.AuditFrom(ctx) != nil {
		// Audited: in one transaction with its audit entry.
		return s.changeScreen(ctx, op, id, func(sc *hall.Screen) error {
			sc.LastSeen, sc.Version, sc.Showing = &seen, version, showing
			return nil
		})
	}
	screens := s.mkey("screens")
	for attempt := 0; ; attempt++ {
		raw, err := s.rdb.HGet(ctx, screens, id).Result()
		if errors.Is(err, goredis.Nil) {
			return hall.NotFound("screen", id)
		}
		if err != nil {
			return s.wrap(op, err)
		}
		sc, err := decScreen(raw)
		if err != nil {
			return s.wrap(op, err)
		}
		sc.LastSeen, sc.Version, sc.Showing = &seen, version, showing
		swapped, err := goredis.NewScript(swapFieldScript).Run(ctx, s.rdb, []string{screens}, id, raw, encScreen(sc)).Int()
		if err != nil {
			return s.wrap(op, err)
		}
		if swapped == 1 {
			return nil
		}
		if attempt+1 >= maxTxAttempts {
			return fmt.Errorf("redisstore: %s: gave up after %d attempts: other writers kept changing screen %s", op, maxTxAttempts, id)
		}
		if err := sleepJitter(ctx, attempt); err != nil {
			return s.wrap(op, err)
		}
	}
}

// swapFieldScript sets field ARGV[1] of hash KEYS[1] to ARGV[3] if it
// still holds ARGV[2]; it returns 1 when it did, 0 when the field had
// changed (or is gone).
const swapFieldScript = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
	redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
	return 1
end
return 0
`

type pairingRec struct {
	*hall.Pairing
	SecretHash string `json:"secret_hash"`
	Token      string `json:"token"`
}

func encPairing(p *hall.Pairing) string {
	c := *p
	c.ExpiresAt = c.ExpiresAt.UTC()
	return mustJSON(pairingRec{Pairing: &c, SecretHash: p.SecretHash, Token: p.Token})
}

func decPairing(s string) (*hall.Pairing, error) {
	r := pairingRec{Pairing: &hall.Pairing{}}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	r.Pairing.SecretHash, r.Pairing.Token = r.SecretHash, r.Token
	return r.Pairing, nil
}

func (s *Store) readPairing(ctx context.Context, c goredis.Cmdable, id string) (*hall.Pairing, error) {
	raw, err := c.HGet(ctx, s.mkey("pairings"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("pairing", id)
	}
	if err != nil {
		return nil, err
	}
	return decPairing(raw)
}

// CreatePairing stores p, giving it an id when it has none. Its code must
// not be held by a pairing unexpired now (by the wall clock): EConflict.
// Expired pairings holding the code are removed first.
func (s *Store) CreatePairing(ctx context.Context, p *hall.Pairing) error {
	id := p.ID
	if id == "" {
		id = hall.NewID("pr")
	}
	now := time.Now()
	pairings, screens := s.mkey("pairings"), s.mkey("screens")
	err := s.update(ctx, "create pairing", []string{pairings, screens}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		all, err := hgetAll(ctx, tx, pairings, decPairing)
		if err != nil {
			return nil, err
		}
		var expired []string
		for _, q := range all {
			if q.Code != p.Code {
				continue
			}
			if q.ExpiresAt.After(now) {
				return nil, hall.Errorf(hall.EConflict, "pairing code %s is in use", p.Code)
			}
			expired = append(expired, q.ID)
		}
		if slices.ContainsFunc(all, func(q *hall.Pairing) bool { return q.ID == id && !slices.Contains(expired, id) }) {
			return nil, hall.Errorf(hall.EConflict, "pairing %q exists", id)
		}
		if p.ScreenID != "" {
			if ok, err := tx.HExists(ctx, screens, p.ScreenID).Result(); err != nil || !ok {
				return nil, orNotFound(err, "screen", p.ScreenID)
			}
		}
		c := *p
		c.ID = id
		return func(pp goredis.Pipeliner) {
			if len(expired) > 0 {
				pp.HDel(ctx, pairings, expired...)
			}
			pp.HSet(ctx, pairings, id, encPairing(&c))
		}, nil
	})
	if err != nil {
		return err
	}
	p.ID = id
	return nil
}

// Pairing returns the pairing with the id, expired or not.
func (s *Store) Pairing(ctx context.Context, id string) (*hall.Pairing, error) {
	p, err := s.readPairing(ctx, s.rdb, id)
	return p, s.wrap("pairing", err)
}

// PairingByCode returns the pairing with the code that is unexpired at now
// (ExpiresAt after now).
func (s *Store) PairingByCode(ctx context.Context, code string, now time.Time) (*hall.Pairing, error) {
	all, err := hgetAll(ctx, s.rdb, s.mkey("pairings"), decPairing)
	if err != nil {
		return nil, s.wrap("pairing by code", err)
	}
	var best *hall.Pairing
	for _, p := range all {
		if p.Code == code && p.ExpiresAt.After(now) && (best == nil || p.ExpiresAt.After(best.ExpiresAt)) {
			best = p
		}
	}
	if best == nil {
		return nil, hall.NotFound("pairing code", code)
	}
	return best, nil
}

// ClaimPairing creates the screen and sets it and the token on a pairing
// unclaimed and unexpired at now. ENotFound when the pairing or the screen's
// hall is missing, EConflict when it is claimed or expired.
func (s *Store) ClaimPairing(ctx context.Context, id string, sc *hall.Screen, token string, now time.Time) error {
	pairings := s.mkey("pairings")
	var made *hall.Screen
	err := s.update(ctx, "claim pairing", append(s.screenKeys(), pairings), func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		p, err := s.readPairing(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if p.ScreenID != "" {
			return nil, hall.Errorf(hall.EConflict, "pairing %q is claimed already", id)
		}
		if !now.Before(p.ExpiresAt) {
			return nil, hall.Errorf(hall.EConflict, "pairing %q has expired", id)
		}
		c, writeScreen, err := s.newScreen(ctx, tx, sc)
		if err != nil {
			return nil, err
		}
		made = c
		p.ScreenID, p.Token = c.ID, token
		return func(pp goredis.Pipeliner) {
			writeScreen(pp)
			pp.HSet(ctx, pairings, id, encPairing(p))
		}, nil
	})
	if err != nil {
		return err
	}
	sc.ID = made.ID
	return nil
}

// DeletePairing removes the pairing; ENotFound when there is none.
func (s *Store) DeletePairing(ctx context.Context, id string) error {
	return s.deleteRecord(ctx, "delete pairing", s.mkey("pairings"), id, "pairing")
}

// deleteRecord removes one field of a hash; ENotFound names kind and id.
func (s *Store) deleteRecord(ctx context.Context, op, key, id, kind string) error {
	return s.update(ctx, op, []string{key}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, key, id).Result(); err != nil || !ok {
			return nil, orNotFound(err, kind, id)
		}
		return func(p goredis.Pipeliner) { p.HDel(ctx, key, id) }, nil
	})
}

// DeleteExpiredPairings removes pairings with ExpiresAt <= now, claimed or
// not, and returns how many it removed.
func (s *Store) DeleteExpiredPairings(ctx context.Context, now time.Time) (int, error) {
	pairings := s.mkey("pairings")
	var n int
	err := s.update(ctx, "delete expired pairings", []string{pairings}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		all, err := hgetAll(ctx, tx, pairings, decPairing)
		if err != nil {
			return nil, err
		}
		var expired []string
		for _, p := range all {
			if !p.ExpiresAt.After(now) {
				expired = append(expired, p.ID)
			}
		}
		n = len(expired)
		return func(p goredis.Pipeliner) {
			if len(expired) > 0 {
				p.HDel(ctx, pairings, expired...)
			}
		}, nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// targetDoc is how a hall.Target is stored: without omitempty, so a nil
// list (null) and an empty one ([]) come back as they went in.
type targetDoc struct {
	Screens []string `json:"screens"`
	Groups  []string `json:"groups"`
	Halls   []string `json:"halls"`
	Kinds   []string `json:"kinds"`
}

func encPlaylist(p *hall.Playlist) string {
	c := *p
	c.UpdatedAt = c.UpdatedAt.UTC()
	return mustJSON(&c)
}

// PutPlaylist inserts or replaces the playlist by id.
func (s *Store) PutPlaylist(ctx context.Context, p *hall.Playlist) error {
	return s.write(ctx, "put playlist", func(pp goredis.Pipeliner) {
		pp.HSet(ctx, s.mkey("playlists"), p.ID, encPlaylist(p))
	})
}

// Playlist returns the playlist with the id.
func (s *Store) Playlist(ctx context.Context, id string) (*hall.Playlist, error) {
	return getRecord[hall.Playlist](ctx, s, s.rdb, "playlist", s.mkey("playlists"), id, "playlist")
}

// ListPlaylists returns every playlist by name, then id.
func (s *Store) ListPlaylists(ctx context.Context) ([]*hall.Playlist, error) {
	ps, err := hgetAll(ctx, s.rdb, s.mkey("playlists"), decJSON[hall.Playlist])
	if err != nil {
		return nil, s.wrap("list playlists", err)
	}
	slices.SortFunc(ps, func(a, b *hall.Playlist) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return ps, nil
}

// DeletePlaylist removes the playlist; ENotFound when there is none.
// Schedules naming it are left alone.
func (s *Store) DeletePlaylist(ctx context.Context, id string) error {
	return s.deleteRecord(ctx, "delete playlist", s.mkey("playlists"), id, "playlist")
}

type scheduleRec struct {
	*hall.Schedule
	Target targetDoc `json:"target"`
	Days   []int     `json:"days"`
}

func encSchedule(sc *hall.Schedule) string {
	c := *sc
	c.UpdatedAt = c.UpdatedAt.UTC()
	return mustJSON(scheduleRec{Schedule: &c, Target: targetDoc(sc.Target), Days: sc.Days})
}

func decSchedule(s string) (*hall.Schedule, error) {
	r := scheduleRec{Schedule: &hall.Schedule{}}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	r.Schedule.Target, r.Schedule.Days = hall.Target(r.Target), r.Days
	return r.Schedule, nil
}

// PutSchedule inserts or replaces the schedule by id. Its playlist is not
// checked.
func (s *Store) PutSchedule(ctx context.Context, sc *hall.Schedule) error {
	return s.write(ctx, "put schedule", func(p goredis.Pipeliner) {
		p.HSet(ctx, s.mkey("schedules"), sc.ID, encSchedule(sc))
	})
}

// Schedule returns the schedule with the id.
func (s *Store) Schedule(ctx context.Context, id string) (*hall.Schedule, error) {
	raw, err := s.rdb.HGet(ctx, s.mkey("schedules"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("schedule", id)
	}
	if err != nil {
		return nil, s.wrap("schedule", err)
	}
	sc, err := decSchedule(raw)
	return sc, s.wrap("schedule", err)
}

// ListSchedules returns every schedule by id.
func (s *Store) ListSchedules(ctx context.Context) ([]*hall.Schedule, error) {
	scs, err := hgetAll(ctx, s.rdb, s.mkey("schedules"), decSchedule)
	if err != nil {
		return nil, s.wrap("list schedules", err)
	}
	slices.SortFunc(scs, func(a, b *hall.Schedule) int { return strings.Compare(a.ID, b.ID) })
	return scs, nil
}

// DeleteSchedule removes the schedule; ENotFound when there is none.
func (s *Store) DeleteSchedule(ctx context.Context, id string) error {
	return s.deleteRecord(ctx, "delete schedule", s.mkey("schedules"), id, "schedule")
}

type interruptRec struct {
	*hall.Interrupt
	Target targetDoc `json:"target"`
}

func encInterrupt(i *hall.Interrupt) string {
	c := *i
	c.Until, c.CreatedAt, c.ClearedAt = c.Until.UTC(), c.CreatedAt.UTC(), utcPtr(c.ClearedAt)
	return mustJSON(interruptRec{Interrupt: &c, Target: targetDoc(i.Target)})
}

func decInterrupt(s string) (*hall.Interrupt, error) {
	r := interruptRec{Interrupt: &hall.Interrupt{}}
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	r.Interrupt.Target = hall.Target(r.Target)
	return r.Interrupt, nil
}

func (s *Store) readInterrupt(ctx context.Context, c goredis.Cmdable, id string) (*hall.Interrupt, error) {
	raw, err := c.HGet(ctx, s.mkey("interrupts"), id).Result()
	if errors.Is(err, goredis.Nil) {
		return nil, hall.NotFound("interrupt", id)
	}
	if err != nil {
		return nil, err
	}
	return decInterrupt(raw)
}

// CreateInterrupt inserts i, giving it an id when it has none.
func (s *Store) CreateInterrupt(ctx context.Context, i *hall.Interrupt) error {
	id := i.ID
	if id == "" {
		id = hall.NewID("ir")
	}
	interrupts := s.mkey("interrupts")
	err := s.update(ctx, "create interrupt", []string{interrupts}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		if ok, err := tx.HExists(ctx, interrupts, id).Result(); err != nil || ok {
			return nil, orConflict(err, "interrupt %q exists", id)
		}
		c := *i
		c.ID = id
		return func(p goredis.Pipeliner) { p.HSet(ctx, interrupts, id, encInterrupt(&c)) }, nil
	})
	if err != nil {
		return err
	}
	i.ID = id
	return nil
}

// Interrupt returns the interrupt with the id, cleared or not.
func (s *Store) Interrupt(ctx context.Context, id string) (*hall.Interrupt, error) {
	i, err := s.readInterrupt(ctx, s.rdb, id)
	return i, s.wrap("interrupt", err)
}

// ListInterrupts returns, newest first, every interrupt when activeAt is
// zero, else those active at activeAt: not cleared, Until after activeAt.
func (s *Store) ListInterrupts(ctx context.Context, activeAt time.Time) ([]*hall.Interrupt, error) {
	all, err := hgetAll(ctx, s.rdb, s.mkey("interrupts"), decInterrupt)
	if err != nil {
		return nil, s.wrap("list interrupts", err)
	}
	out := all[:0]
	for _, i := range all {
		if activeAt.IsZero() || (i.ClearedAt == nil && i.Until.After(activeAt)) {
			out = append(out, i)
		}
	}
	slices.SortFunc(out, func(a, b *hall.Interrupt) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})
	return out, nil
}

// ClearInterrupt marks the interrupt cleared at at; ENotFound when it is
// missing or cleared already.
func (s *Store) ClearInterrupt(ctx context.Context, id string, at time.Time) error {
	interrupts := s.mkey("interrupts")
	return s.update(ctx, "clear interrupt", []string{interrupts}, func(tx *goredis.Tx) (func(goredis.Pipeliner), error) {
		i, err := s.readInterrupt(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if i.ClearedAt != nil {
			return nil, hall.NotFound("interrupt", id)
		}
		i.ClearedAt = &at
		return func(p goredis.Pipeliner) { p.HSet(ctx, interrupts, id, encInterrupt(i)) }, nil
	})
}

// PutMedia stores the media record unless one with its hash exists, which
// is then left as it is.
func (s *Store) PutMedia(ctx context.Context, m *hall.Media) error {
	c := *m
	c.CreatedAt = c.CreatedAt.UTC()
	return s.write(ctx, "put media", func(p goredis.Pipeliner) {
		p.HSetNX(ctx, s.mkey("media"), m.SHA256, mustJSON(&c))
	})
}

// Media returns the media record with the hash.
func (s *Store) Media(ctx context.Context, sha string) (*hall.Media, error) {
	return getRecord[hall.Media](ctx, s, s.rdb, "media", s.mkey("media"), sha, "media")
}
