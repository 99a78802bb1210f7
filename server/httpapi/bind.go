package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
)

// maxJSONBody bounds every JSON request body.
const maxJSONBody = 1 << 20

// bind decodes a JSON body strictly into v: application/json only, unknown
// fields rejected, one value only, at most maxJSONBody bytes. Errors name
// the field at fault where the decoder knows it.
func bind(c echo.Context, v any) error {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	if mt != "application/json" {
		return hall.Errorf(hall.EValidation, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := decodeErr(dec.Decode(v)); err != nil {
		return err
	}
	if dec.More() {
		return hall.Errorf(hall.EValidation, "malformed JSON: more than one value in the body")
	}
	return nil
}

// decodeErr turns a json decoding error into a validation error.
func decodeErr(err error) error {
	if err == nil {
		return nil
	}
	var big *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &big):
		return hall.Errorf(hall.ETooLarge, "body exceeds %d bytes", big.Limit)
	case errors.Is(err, io.EOF):
		return hall.Errorf(hall.EValidation, "empty body: want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return hall.Errorf(hall.EValidation, "malformed JSON: unexpected end")
	case errors.As(err, &syn):
		return hall.Errorf(hall.EValidation, "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		return hall.FieldError(typ.Field, "want %s, got JSON %s", typ.Type, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return hall.FieldError(name, "unknown field")
	}
	var he *hall.Error
	if errors.As(err, &he) {
		return he
	}
	return hall.Errorf(hall.EValidation, "malformed JSON: %v", err)
}

// parseTime reads an RFC 3339 time, or a date (YYYY-MM-DD) at midnight in
// loc. Absurd dates are refused.
func parseTime(field, s string, loc *time.Location) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		if t, err = time.ParseInLocation(time.DateOnly, s, loc); err != nil {
			return nil, hall.FieldError(field, "want an RFC 3339 time or YYYY-MM-DD, got %q", s)
		}
	}
	if t.Year() < 1949 || t.Year() > 2199 {
		return nil, hall.FieldError(field, "date out of range (1949 to 2199)")
	}
	return &t, nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
