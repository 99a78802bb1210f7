package httpapi

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/hallcast/hallcast/server/bulletin"
	"github.com/hallcast/hallcast/server/hall"
	"github.com/hallcast/hallcast/server/revdiff"
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
	if _, err := search.ParseQuery(f.Q); err != nil {
		return hall.FieldError("q", "%v", err).WithReason("search_query_invalid")
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
	items, err := s.Public.ListItems(c.Request().Context(), scopeOf(c), f)
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

// scopeOf reads the board a public listing is narrowed to: hall, board,
// group.
func scopeOf(c echo.Context) bulletin.Scope {
	return bulletin.Scope{Hall: c.QueryParam("hall"), Board: c.QueryParam("board"), Group: c.QueryParam("group")}
}

// publicCategories lists the catalogue with how many items are on show in
// each and when the newest was published, and the departments' names.
func (s *Server) publicCategories(c echo.Context) error {
	cats, depts, err := s.Public.Categories(c.Request().Context(), scopeOf(c), s.Now())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=10")
	return c.JSON(http.StatusOK, map[string]any{"categories": cats, "departments": depts})
}

// publicHalls lists the halls, so a phone can find its village's board.
func (s *Server) publicHalls(c echo.Context) error {
	halls, err := s.Public.Halls(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, map[string]any{"halls": halls})
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
		// Redacted: the content was deleted (the URL answers 410).
		Redacted *hall.Redaction `json:"redacted,omitempty"`
	}
	out := make([]revSummary, len(revs))
	for i, r := range revs {
		out[i] = revSummary{r.Revision, r.Title, r.PublishedAt, r.ArchiveIndex, revisionURL(r.ID, r.Revision), r.Redacted}
	}
	return c.JSON(http.StatusOK, map[string]any{"revisions": out, "entries": entries})
}

// publicRevision serves one revision, 410 with the reason once it is
// redacted. Its content never changes, but it may be redacted: caches keep
// it for five minutes, not for good.
func (s *Server) publicRevision(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return hall.FieldError("n", "want a revision number from 1")
	}
	rev, err := s.Archive.Revision(c.Request().Context(), c.Param("id"), n)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, rev)
}

// publicDiff says what changed between two published revisions: to
// (default the latest) against from (default the one before it).
func (s *Server) publicDiff(c echo.Context) error {
	ctx := c.Request().Context()
	it, err := s.Archive.PublicItem(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	latest := it.Public.Revision
	num := func(field string, def int) (int, error) {
		v := c.QueryParam(field)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > latest {
			return 0, hall.FieldError(field, "want a published revision from 1 to %d (0: nothing)", latest)
		}
		return n, nil
	}
	to, err := num("to", latest)
	if err != nil {
		return err
	}
	from, err := num("from", to-1)
	if err != nil {
		return err
	}
	side := func(n int) (*hall.Revision, error) {
		if n == 0 {
			return &hall.Revision{ID: it.ID}, nil
		}
		return s.Archive.Revision(ctx, it.ID, n)
	}
	a, err := side(from)
	if err != nil {
		return err
	}
	b, err := side(to)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, map[string]any{"from": from, "to": to, "diff": revdiff.Compare(a, b)})
}

// itemQR is a QR code of the item's public page, for residents to take an
// item home on a phone.
func (s *Server) itemQR(c echo.Context) error {
	it, err := s.Archive.PublicItem(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	path := "/p/" + it.ID
	if v := c.QueryParam("rev"); v != "" {
		// A printed notice of one revision (/p/{id}?print=1&rev=N).
		latest := 0
		if it.Public != nil {
			latest = it.Public.Revision
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > latest {
			return hall.FieldError("rev", "want a published revision from 1 to %d", latest).WithReason("revision_not_published")
		}
		path += "?rev=" + strconv.Itoa(n)
	}
	return s.qrPNG(c, path)
}

// receiptPattern is a receipt as the kiosk shows it: FK and letters or digits.
var receiptPattern = regexp.MustCompile(`^FK[0-9A-Z]{1,22}$`)

// receiptQR is a QR code of the phone page that looks up a receipt
// (/r/{receipt}), for the kiosk to show beside the receipt it has just
// given. The receipt need not be stored yet (the kiosk may still be
// sending the feedback); it is only checked for its form.
func (s *Server) receiptQR(c echo.Context) error {
	r := strings.ToUpper(strings.Join(strings.Fields(c.Param("receipt")), ""))
	if !receiptPattern.MatchString(r) {
		return hall.FieldError("receipt", "want a receipt number like FK1A2B3C4D")
	}
	return s.qrPNG(c, "/r/"+r)
}

// qrPNG answers a QR code of path on the public address: --public-url, or
// the scheme and Host of the request.
func (s *Server) qrPNG(c echo.Context, path string) error {
	base := s.PublicURL
	if base == "" {
		scheme := "http"
		if c.IsTLS() {
			scheme = "https"
		}
		base = scheme + "://" + c.Request().Host
		c.Response().Header().Set("Vary", "Host")
	}
	png, err := qrcode.Encode(strings.TrimRight(base, "/")+path, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", png)
}

// publicMatter lists a matter's items by stage: before, during, after.
func (s *Server) publicMatter(c echo.Context) error {
	m, items, err := s.Public.Matter(c.Request().Context(), c.Param("id"))
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
