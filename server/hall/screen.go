package hall

import (
	"context"
	"time"
)

// Screen kinds.
const (
	KindLED   = "led"   // shows only: LED walls and strip signs
	KindKiosk = "kiosk" // touch kiosk residents use
)

// Screen is one display in a hall. Only the hash of its token is stored.
type Screen struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Kind      string     `json:"kind"`
	HallID    string     `json:"hall_id"`
	Groups    []string   `json:"groups"`
	TokenHash string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// Last reported by the screen, saved at most every few seconds.
	LastSeen *time.Time `json:"last_seen,omitempty"`
	Version  string     `json:"version,omitempty"`
	Showing  *Showing   `json:"showing,omitempty"`
}

// Showing is what a screen reports it shows.
type Showing struct {
	ItemID   string `json:"item_id,omitempty"`
	Revision int    `json:"revision,omitempty"`
	MediaURL string `json:"media_url,omitempty"`
}

// Validate checks a screen's fields (not that its hall exists).
func (s *Screen) Validate() error {
	if s.Name == "" || len([]rune(s.Name)) > 80 {
		return FieldError("name", "required, at most 80 characters")
	}
	if s.Kind != KindLED && s.Kind != KindKiosk {
		return FieldError("kind", `want "led" or "kiosk"`)
	}
	if s.HallID == "" {
		return FieldError("hall_id", "required")
	}
	if len(s.Groups) > 20 {
		return FieldError("groups", "at most 20")
	}
	for i, g := range s.Groups {
		if !ValidKey(g) {
			return FieldError("groups["+itoa(i)+"]", "want lower-case letters, digits, '-' or '_'")
		}
	}
	if s.Groups == nil {
		s.Groups = []string{}
	}
	return nil
}

// Placement is the screen as targets and the scheduler see it, in hall h
// (nil: the default zone and no default playlist).
func (s *Screen) Placement(h *Hall) Placement {
	ps := Placement{ID: s.ID, HallID: s.HallID, Kind: s.Kind, Groups: s.Groups, TZ: DefaultTZ}
	if h != nil {
		ps.TZ, ps.DefaultPlaylistID = h.TZ, h.DefaultPlaylistID
	}
	return ps
}

// Presence is a connected screen's live state, as the process holding its
// connections knows it.
type Presence struct {
	ScreenID    string     `json:"screen_id"`
	Online      bool       `json:"online"`
	Connections int        `json:"connections"`
	ConnectedAt *time.Time `json:"connected_at,omitempty"` // the oldest live connection's hello
	LastSeen    time.Time  `json:"last_seen"`
	Version     string     `json:"version,omitempty"`
	Showing     *Showing   `json:"showing,omitempty"`
	UptimeS     int64      `json:"uptime_s,omitempty"`
	// ManifestETag is the manifest the screen last received.
	ManifestETag string `json:"manifest_etag,omitempty"`
	// SecureContext is what the screen's browser last said of itself:
	// false when the page is not in a secure context (https or localhost)
	// or has no service worker, so it cannot start without the server; nil
	// when it did not say.
	SecureContext *bool `json:"secure_context,omitempty"`
	// Display is the size of the screen's page, as its hello said; nil
	// when it did not say.
	Display *Display `json:"screen,omitempty"`
}

// Display is a screen's page size in CSS pixels.
type Display struct {
	W int `json:"w"`
	H int `json:"h"`
}

// Valid reports whether the size is one a real screen has (1 to 16384 each
// way).
func (d *Display) Valid() bool {
	return d != nil && d.W >= 1 && d.H >= 1 && d.W <= 16384 && d.H <= 16384
}

// Pairing is a screen being set up on site: it shows Code, an admin claims
// it, and the screen collects its token with the secret.
type Pairing struct {
	ID         string    `json:"id"`
	Code       string    `json:"code"`
	SecretHash string    `json:"-"`
	ExpiresAt  time.Time `json:"expires_at"`
	ScreenID   string    `json:"screen_id,omitempty"`
	// Token is held only between the claim and the screen's collection.
	Token string `json:"-"`
}

// Interrupt levels.
const (
	LevelInfo   = "info"
	LevelUrgent = "urgent"
)

// Interrupt is a notice that breaks into the rotation of targeted screens.
type Interrupt struct {
	ID        string     `json:"id"`
	Target    Target     `json:"target"`
	Level     string     `json:"level"`
	Text      string     `json:"text,omitempty"`
	ItemID    string     `json:"item_id,omitempty"`
	Until     time.Time  `json:"until"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ClearedAt *time.Time `json:"cleared_at,omitempty"`
}

// Active reports whether the interrupt shows at t.
func (i *Interrupt) Active(t time.Time) bool {
	return i.ClearedAt == nil && t.Before(i.Until)
}

// Media is an uploaded file, stored content-addressed under its SHA-256.
type Media struct {
	SHA256    string    `json:"sha256"`
	Type      string    `json:"type"` // image, video, pdf
	MIME      string    `json:"mime"`
	Size      int64     `json:"size"`
	Name      string    `json:"name,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// URL is where the media file is served.
func (m *Media) URL() string { return "/media/" + m.SHA256 }

// ScreenStore keeps screens, pairings, playlists, schedules, interrupts and
// media records.
type ScreenStore interface {
	CreateScreen(ctx context.Context, s *Screen) error
	Screen(ctx context.Context, id string) (*Screen, error)
	ScreenByTokenHash(ctx context.Context, hash string) (*Screen, error)
	ListScreens(ctx context.Context) ([]*Screen, error) // not revoked, by name
	// UpdateScreen saves a screen's name, kind, hall and groups; ENotFound
	// when it is missing or revoked.
	UpdateScreen(ctx context.Context, s *Screen) error
	RevokeScreen(ctx context.Context, id string, at time.Time) error
	// SaveScreenStatus stores what a screen last reported.
	SaveScreenStatus(ctx context.Context, id string, seen time.Time, version string, showing *Showing) error

	CreatePairing(ctx context.Context, p *Pairing) error // EConflict on a live code clash
	Pairing(ctx context.Context, id string) (*Pairing, error)
	PairingByCode(ctx context.Context, code string, now time.Time) (*Pairing, error) // unexpired only
	// ClaimPairing creates the screen and sets it and token on the pairing,
	// unclaimed and unexpired at now, in one step.
	ClaimPairing(ctx context.Context, id string, sc *Screen, token string, now time.Time) error
	DeletePairing(ctx context.Context, id string) error
	DeleteExpiredPairings(ctx context.Context, now time.Time) (int, error)

	PutPlaylist(ctx context.Context, p *Playlist) error
	Playlist(ctx context.Context, id string) (*Playlist, error)
	ListPlaylists(ctx context.Context) ([]*Playlist, error)
	DeletePlaylist(ctx context.Context, id string) error

	PutSchedule(ctx context.Context, s *Schedule) error
	Schedule(ctx context.Context, id string) (*Schedule, error)
	ListSchedules(ctx context.Context) ([]*Schedule, error)
	DeleteSchedule(ctx context.Context, id string) error

	CreateInterrupt(ctx context.Context, i *Interrupt) error
	Interrupt(ctx context.Context, id string) (*Interrupt, error)
	ListInterrupts(ctx context.Context, activeAt time.Time) ([]*Interrupt, error) // zero: all
	ClearInterrupt(ctx context.Context, id string, at time.Time) error

	PutMedia(ctx context.Context, m *Media) error // no-op if the hash exists
	Media(ctx context.Context, sha string) (*Media, error)
}
