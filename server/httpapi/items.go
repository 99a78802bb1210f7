package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/financefile"
	"github.com/hallcast/hallcast/server/hall"
)

// itemRequest is the body of POST /items and PUT /items/{id}. Dates and
// finance lines are decoded by hand so errors can name the exact field.
type itemRequest struct {
	Category   string          `json:"category"`
	Department string          `json:"department"`
	Hall       string          `json:"hall"`
	Title      string          `json:"title"`
	Summary    string          `json:"summary"`
	Body       string          `json:"body"`
	Stage      hall.Stage      `json:"stage"`
	MatterID   string          `json:"matter_id"`
	Cadence    hall.Cadence    `json:"cadence"`
	ValidFrom  string          `json:"valid_from"`
	ValidUntil string          `json:"valid_until"`
	Finance    *financeRequest `json:"finance"`
	Assets     []hall.Asset    `json:"assets"`
	Version    int             `json:"version"`
}

type financeRequest struct {
	Currency string            `json:"currency"`
	Unit     string            `json:"unit"`
	Lines    []json.RawMessage `json:"lines"`
}

func (s *Server) decodeItem(c echo.Context) (*hall.Item, error) {
	var in itemRequest
	if err := bind(c, &in); err != nil {
		return nil, err
	}
	it := &hall.Item{Category: in.Category, Department: in.Department, Hall: in.Hall, Title: in.Title, Summary: in.Summary,
		Body: in.Body, Stage: in.Stage, MatterID: in.MatterID, Cadence: in.Cadence, Assets: in.Assets, Version: in.Version}
	var err error
	if it.ValidFrom, err = parseTime("valid_from", in.ValidFrom, s.loc); err != nil {
		return nil, err
	}
	if it.ValidUntil, err = parseTime("valid_until", in.ValidUntil, s.loc); err != nil {
		return nil, err
	}
	if in.Finance != nil {
		if len(in.Finance.Lines) > hall.MaxFinanceLines {
			return nil, hall.FieldError("finance.lines", "at most %d lines", hall.MaxFinanceLines)
		}
		f := &hall.Finance{Currency: in.Finance.Currency, Unit: in.Finance.Unit, Lines: make([]hall.FinanceLine, len(in.Finance.Lines))}
		for i, raw := range in.Finance.Lines {
			if err := decodeStrict(raw, &f.Lines[i]); err != nil {
				if he, ok := err.(*hall.Error); ok && he.Field != "" {
					he.Field = fmt.Sprintf("finance.lines[%d].%s", i, he.Field)
				} else if ok {
					he.Field = fmt.Sprintf("finance.lines[%d]", i)
				}
				return nil, err
			}
		}
		it.Finance = f
	}
	return it, nil
}

// decodeStrict decodes one JSON value, refusing unknown fields.
func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytesReader(raw))
	dec.DisallowUnknownFields()
	return decodeErr(dec.Decode(v))
}

func (s *Server) createItem(c echo.Context) error {
	it, err := s.decodeItem(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.Desk.CreateDraft(ctx, userOf(c), it); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"item": s.Desk.View(ctx, it)})
}

func (s *Server) updateItem(c echo.Context) error {
	in, err := s.decodeItem(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	it, err := s.Desk.UpdateDraft(ctx, userOf(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": s.Desk.View(ctx, it)})
}

// previewItem answers the revision an unsaved working copy would publish
// (body_html rendered and sanitised as on publish); nothing is saved.
func (s *Server) previewItem(c echo.Context) error {
	in, err := s.decodeItem(c)
	if err != nil {
		return err
	}
	rev, err := s.Desk.Preview(c.Request().Context(), userOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rev)
}

func (s *Server) getItem(c echo.Context) error {
	v, err := s.Desk.Item(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": v})
}

func (s *Server) listItems(c echo.Context) error {
	f := hall.ItemFilter{Category: c.QueryParam("category"), Department: c.QueryParam("department"),
		Status: hall.Status(c.QueryParam("status")), MatterID: c.QueryParam("matter_id"), Q: c.QueryParam("q")}
	var err error
	if f.Limit, err = queryInt(c, "limit", 100, 1, 1000); err != nil {
		return err
	}
	if f.Offset, err = queryInt(c, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	views, err := s.Desk.List(c.Request().Context(), userOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": views})
}

func (s *Server) itemRevisions(c echo.Context) error {
	revs, entries, err := s.Desk.ItemRevisions(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"revisions": revs, "entries": entries})
}

// itemDiff says what changed between two revisions of an item (the working
// copy against the latest published one by default).
func (s *Server) itemDiff(c echo.Context) error {
	d, err := s.Desk.Diff(c.Request().Context(), userOf(c), c.Param("id"), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) submitItem(c echo.Context) error {
	ctx := c.Request().Context()
	it, err := s.Desk.Submit(ctx, userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": s.Desk.View(ctx, it)})
}

type approveRequest struct {
	// Version is the version of the item the reviewer read; the approval
	// fails if the item has changed since (0: no check).
	Version int `json:"version"`
}

func (s *Server) approveItem(c echo.Context) error {
	var in approveRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	ctx := c.Request().Context()
	it, err := s.Desk.Approve(ctx, userOf(c), c.Param("id"), in.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": s.Desk.View(ctx, it)})
}

type returnRequest struct {
	// Version is the item version the reviewer read (0: no check).
	Version int    `json:"version"`
	Comment string `json:"comment"`
}

// returnItem sends a submitted or approved item back to its editor with a
// comment.
func (s *Server) returnItem(c echo.Context) error {
	var in returnRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	it, err := s.Desk.Return(ctx, userOf(c), c.Param("id"), in.Version, in.Comment)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": s.Desk.View(ctx, it)})
}

type publishRequest struct {
	// PrivacyOverride is an admin's reason to publish flagged personal data.
	PrivacyOverride string `json:"privacy_override"`
}

func (s *Server) publishItem(c echo.Context) error {
	var in publishRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	rev, err := s.Desk.Publish(c.Request().Context(), userOf(c), c.Param("id"), in.PrivacyOverride)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"revision": rev})
}

type withdrawRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) withdrawItem(c echo.Context) error {
	var in withdrawRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	it, err := s.Desk.Withdraw(ctx, userOf(c), c.Param("id"), in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": s.Desk.View(ctx, it)})
}

// redactRevision deletes a revision's content for good (admin only).
func (s *Server) redactRevision(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return hall.FieldError("n", "want a revision number from 1")
	}
	var in withdrawRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	it, err := s.Desk.Redact(ctx, userOf(c), c.Param("id"), n, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"item": s.Desk.View(ctx, it)})
}

// privacyCheck lists the personal data the guard would block, so editors
// can mask it before submitting.
func (s *Server) privacyCheck(c echo.Context) error {
	f, err := s.Desk.Privacy(c.Request().Context(), userOf(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"findings": f})
}

// parseFinance reads a finance table from an uploaded spreadsheet (field
// "file") and answers it with any problems; it saves nothing.
func (s *Server) parseFinance(c echo.Context) error {
	r := c.Request()
	if r.ContentLength > financefile.MaxBytes+1<<20 {
		return hall.Errorf(hall.ETooLarge, "the file exceeds %d MiB", financefile.MaxBytes>>20)
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, financefile.MaxBytes+1<<20)
	fh, err := c.FormFile("file")
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return hall.Errorf(hall.ETooLarge, "the file exceeds %d MiB", financefile.MaxBytes>>20)
		}
		return hall.FieldError("file", "want a multipart/form-data upload with an .xlsx or .csv file in the field \"file\"")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := s.Desk.ParseFinance(r.Context(), userOf(c), f, fh.Filename)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// financeWorkbook downloads an item's finance table as an .xlsx workbook.
func (s *Server) financeWorkbook(c echo.Context) error {
	var buf bytes.Buffer
	if err := s.Desk.FinanceWorkbook(c.Request().Context(), userOf(c), c.Param("id"), &buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+financefile.Filename(c.Param("id"))+`"`)
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}
