package httpapi

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/search"
)

// publicItem is an item in a public listing: its latest published revision
// and whether it is on show.
type publicItem struct {
	ID             string     `json:"id"`
	Revision       int        `json:"revision"`
	Category       string     `json:"category"`
	Department     string     `json:"department"`
	Hall           string     `json:"hall,omitempty"`
	Title          string     `json:"title"`
	Summary        string     `json:"summary"`
	Stage          hall.Stage `json:"stage,omitempty"`
	MatterID       string     `json:"matter_id,omitempty"`
	HasFinance     bool       `json:"has_finance,omitempty"`
	PublishedAt    time.Time  `json:"published_at"`
	FirstPublished time.Time  `json:"first_published"`
	ValidUntil     *time.Time `json:"valid_until,omitempty"`
	State          string     `json:"state"` // live, withdrawn, expired, scheduled
	WithdrawReason string     `json:"withdraw_reason,omitempty"`
	ArchiveIndex   int64      `json:"archive_index"`
	URL            string     `json:"url"`
	Page           string     `json:"page"`
}

// publicState names where a published item stands at t.
func publicState(p *hall.PublicState, t time.Time) string {
	switch {
	case p.WithdrawnAt != nil:
		return "withdrawn"
	case p.ValidUntil != nil && !t.Before(*p.ValidUntil):
		return "expired"
	case p.ValidFrom != nil && t.Before(*p.ValidFrom):
		return "scheduled"
	}
	return "live"
}

func toPublic(it *hall.Item, now time.Time) publicItem {
	p := it.Public
	return publicItem{ID: it.ID, Revision: p.Revision, Category: p.Category, Department: p.Department,
		Hall: p.Hall, Title: p.Title, Summary: p.Summary, Stage: p.Stage, MatterID: p.MatterID, HasFinance: p.HasFinance,
		PublishedAt: p.PublishedAt, FirstPublished: p.FirstPublished, ValidUntil: p.ValidUntil,
		State: publicState(p, now), WithdrawReason: p.WithdrawReason, ArchiveIndex: p.ArchiveIndex,
		URL: revisionURL(it.ID, p.Revision), Page: "/p/" + it.ID}
}

func revisionURL(id string, n int) string {
	return "/api/v1/public/items/" + id + "/revisions/" + strconv.Itoa(n)
}

// publicItems lists published items for kiosks: live ones by default, with
// include=archived also withdrawn and expired ones; q searches title,
// summary, body and finance lines (server/search), best matches first;
// month (YYYY-MM) filters by publication month.
func (s *Server) publicItems(c echo.Context) error {
	now := s.Now()
	f := hall.ItemFilter{Public: true, Category: c.QueryParam("category"), Department: c.QueryParam("department"),
		MatterID: c.QueryParam("matter_id"), Q: c.QueryParam("q"), LiveAt: now}
	if ok, err := s.boardScope(c, &f); err != nil || !ok {
		if err == nil {
			c.Response().Header().Set("Cache-Control", "public, max-age=10")
			err = c.JSON(http.StatusOK, map[string]any{"items": []publicItem{}})
		}
		return err
	}
	if _, err := search.ParseQuery(f.Q); err != nil {
		return hall.FieldError("q", "%v", err)
	}
	switch c.QueryParam("include") {
	case "":
	case "archived":
		f.LiveAt = time.Time{}
	default:
		return hall.FieldError("include", `want "archived" or nothing`)
	}
	if m := c.QueryParam("month"); m != "" {
		start, err := time.ParseInLocation("2006-01", m, s.loc)
		if err != nil || start.Year() < 1949 || start.Year() > 2199 {
			return hall.FieldError("month", "want YYYY-MM")
		}
		f.PublishedFrom, f.PublishedTo = start, start.AddDate(0, 1, 0)
	}
	var err error
	if f.Limit, err = queryInt(c, "limit", 100, 1, 500); err != nil {
		return err
	}
	if f.Offset, err = queryInt(c, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	items, err := s.Archive.PublicItems(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]publicItem, len(items))
	for i, it := range items {
		out[i] = toPublic(it, now)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=10")
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

type publicCategory struct {
	*hall.Category
	Count       int        `json:"count"`
	LastUpdated *time.Time `json:"last_updated,omitempty"`
}

// publicCategories lists the catalogue with how many items are on show in
// each and when the newest was published, and the departments' names.
func (s *Server) publicCategories(c echo.Context) error {
	ctx := c.Request().Context()
	cats, err := s.Store.ListCategories(ctx)
	if err != nil {
		return err
	}
	f := hall.ItemFilter{Public: true, LiveAt: s.Now()}
	ok, err := s.boardScope(c, &f)
	if err != nil {
		return err
	}
	var items []*hall.Item
	if ok {
		if items, err = hall.AllItems(ctx, hall.ListFunc(s.Archive.PublicItems), f); err != nil {
			return err
		}
	}
	out := make([]publicCategory, 0, len(cats))
	for _, cat := range cats {
		if g := c.QueryParam("group"); g == "" || cat.Group == g {
			out = append(out, publicCategory{Category: cat})
		}
	}
	for _, it := range items {
		for i := range out {
			if out[i].Key != it.Public.Category {
				continue
			}
			out[i].Count++
			if t := it.Public.PublishedAt; out[i].LastUpdated == nil || t.After(*out[i].LastUpdated) {
				out[i].LastUpdated = &t
			}
		}
	}
	depts, err := s.Store.ListDepartments(ctx)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=10")
	return c.JSON(http.StatusOK, map[string]any{"categories": out, "departments": depts})
}

// boardScope narrows f to the board the query names: hall=H, the items on
// hall H's own board; board=H, everything H's board shows (the township's
// items, H's own and those of the halls under it); group=party, government
// or finance, the categories under that heading (三务公开). It reports
// false when nothing can match (a group with no category).
func (s *Server) boardScope(c echo.Context, f *hall.ItemFilter) (bool, error) {
	ctx := c.Request().Context()
	if id := c.QueryParam("hall"); id != "" {
		if _, err := s.Store.Hall(ctx, id); hall.IsCode(err, hall.ENotFound) {
			return false, hall.FieldError("hall", "no hall %q", id)
		} else if err != nil {
			return false, err
		}
		f.Halls = []string{id}
	}
	if id := c.QueryParam("board"); id != "" {
		if f.Halls != nil {
			return false, hall.FieldError("board", "give hall or board, not both")
		}
		halls, err := s.Store.ListHalls(ctx)
		if err != nil {
			return false, err
		}
		if !slices.ContainsFunc(halls, func(h *hall.Hall) bool { return h.ID == id }) {
			return false, hall.FieldError("board", "no hall %q", id)
		}
		f.Halls = []string{"", id}
		for _, h := range halls {
			if h.Parent == id {
				f.Halls = append(f.Halls, h.ID)
			}
		}
	}
	switch g := c.QueryParam("group"); g {
	case "":
	case hall.GroupParty, hall.GroupGovernment, hall.GroupFinance:
		cats, err := s.Store.ListCategories(ctx)
		if err != nil {
			return false, err
		}
		for _, cat := range cats {
			if cat.Group == g {
				f.Categories = append(f.Categories, cat.Key)
			}
		}
		if len(f.Categories) == 0 {
			return false, nil
		}
	default:
		return false, hall.FieldError("group", `want "party", "government" or "finance"`)
	}
	return true, nil
}

// publicHall is what the public reads of a hall.
type publicHall struct {
	ID     string        `json:"id"`
	Name   string        `json:"name"`
	Kind   hall.HallKind `json:"kind"`
	Parent string        `json:"parent,omitempty"`
}

// publicHalls lists the halls, so a phone can find its village's board.
func (s *Server) publicHalls(c echo.Context) error {
	halls, err := s.Store.ListHalls(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]publicHall, len(halls))
	for i, h := range halls {
		out[i] = publicHall{ID: h.ID, Name: h.Name, Kind: h.Kind, Parent: h.Parent}
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, map[string]any{"halls": out})
}

// publicView is a revision as the public reads it, with the item's state.
type publicView struct {
	*hall.Revision
	State          string `json:"state"`
	WithdrawReason string `json:"withdraw_reason,omitempty"`
	Latest         int    `json:"latest_revision"`
}

// publicItem serves the current published revision of an item. A withdrawn
// or expired item is still served, marked so: the archive is public. What
// is current, and the content, come from the archive's entries (checked
// against the signed tree), never from the editable item row.
func (s *Server) publicItem(c echo.Context) error {
	ctx := c.Request().Context()
	it, err := s.Archive.PublicItem(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	rev, err := s.Archive.Revision(ctx, it.ID, it.Public.Revision)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, publicView{Revision: rev, State: publicState(it.Public, s.Now()),
		WithdrawReason: it.Public.WithdrawReason, Latest: it.Public.Revision})
}

// publicRevisions lists an item's published revisions and state changes.
func (s *Server) publicRevisions(c echo.Context) error {
	revs, entries, err := s.Archive.History(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if len(revs) == 0 {
		return hall.NotFound("published item", c.Param("id"))
	}
	type revSummary struct {
		Revision     int       `json:"revision"`
		Title        string    `json:"title"`
		PublishedAt  time.Time `json:"published_at"`
		ArchiveIndex int64     `json:"archive_index"`
		URL          string    `json:"url"`
	}
	out := make([]revSummary, len(revs))
	for i, r := range revs {
		out[i] = revSummary{r.Revision, r.Title, r.PublishedAt, r.ArchiveIndex, revisionURL(r.ID, r.Revision)}
	}
	return c.JSON(http.StatusOK, map[string]any{"revisions": out, "entries": entries})
}

// publicRevision serves one revision: immutable, cached for a year.
func (s *Server) publicRevision(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return hall.FieldError("n", "want a revision number from 1")
	}
	rev, err := s.Archive.Revision(c.Request().Context(), c.Param("id"), n)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.JSON(http.StatusOK, rev)
}

// itemQR is a QR code of the item's public page, for residents to take an
// item home on a phone.
func (s *Server) itemQR(c echo.Context) error {
	it, err := s.Archive.PublicItem(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	base := s.PublicURL
	if base == "" {
		scheme := "http"
		if c.IsTLS() {
			scheme = "https"
		}
		base = scheme + "://" + c.Request().Host
		c.Response().Header().Set("Vary", "Host")
	}
	png, err := qrcode.Encode(strings.TrimRight(base, "/")+"/p/"+it.ID, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", png)
}

// publicMatter lists a matter's items by stage: before, during, after.
func (s *Server) publicMatter(c echo.Context) error {
	ctx := c.Request().Context()
	m, err := s.Store.Matter(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	items, err := s.Archive.PublicItems(ctx, hall.ItemFilter{Public: true, MatterID: m.ID, Limit: 500})
	if err != nil {
		return err
	}
	now := s.Now()
	order := map[hall.Stage]int{hall.StageBefore: 0, hall.StageDuring: 1, hall.StageAfter: 2}
	out := make([]publicItem, len(items))
	for i, it := range items {
		out[i] = toPublic(it, now)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if order[out[i].Stage] != order[out[j].Stage] {
			return order[out[i].Stage] < order[out[j].Stage]
		}
		return out[i].FirstPublished.Before(out[j].FirstPublished)
	})
	return c.JSON(http.StatusOK, map[string]any{"matter": m, "items": out})
}
