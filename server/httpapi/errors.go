package httpapi

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hallcast/hallcast/server/hall"
)

// statusOf maps error codes to HTTP statuses (docs/PROTOCOL.md, "Errors").
func statusOf(code string) int {
	switch code {
	case hall.EValidation:
		return http.StatusUnprocessableEntity
	case hall.EUnauthenticated:
		return http.StatusUnauthorized
	case hall.EForbidden:
		return http.StatusForbidden
	case hall.ENotFound:
		return http.StatusNotFound
	case hall.EConflict:
		return http.StatusConflict
	case hall.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case hall.EGone:
		return http.StatusGone
	case hall.ERateLimited:
		return http.StatusTooManyRequests
	case hall.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// codeOf maps Echo's own HTTP errors (unknown route, body limit…) to codes.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusUnsupportedMediaType:
		return hall.EValidation
	case http.StatusUnauthorized:
		return hall.EUnauthenticated
	case http.StatusForbidden:
		return hall.EForbidden
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return hall.ENotFound
	case http.StatusConflict:
		return hall.EConflict
	case http.StatusRequestEntityTooLarge:
		return hall.ETooLarge
	case http.StatusTooManyRequests:
		return hall.ERateLimited
	case http.StatusServiceUnavailable:
		return hall.EUnavailable
	}
	return hall.EInternal
}

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Reason  string   `json:"reason"`
	Args    []string `json:"args,omitempty"`
	Field   string   `json:"field,omitempty"`
	Details any      `json:"details,omitempty"`
}

// handleError is Echo's HTTPErrorHandler: one mapping from every error to
// the JSON error shape. Internal causes are logged, never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var body errorJSON
	var he *echo.HTTPError
	var de *hall.Error
	switch {
	case errors.As(err, &de):
		body = errorJSON{Code: de.Code, Reason: de.ReasonCode(), Args: de.Args, Message: de.Message, Field: de.Field, Details: de.Details}
		if de.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(de.RetryAfter.Seconds()))))
		}
	case errors.As(err, &he):
		body = errorJSON{Code: codeOf(he.Code), Message: http.StatusText(he.Code)}
		body.Reason = body.Code
		if he.Code == http.StatusMethodNotAllowed {
			body.Message, body.Reason = "method not allowed", "method_not_allowed"
		}
	default:
		body = errorJSON{Code: hall.EInternal, Reason: hall.EInternal}
	}
	status := statusOf(body.Code)
	if he != nil && body.Code == codeOf(he.Code) {
		status = he.Code
	}
	if body.Code == hall.EInternal {
		s.logger.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
		body.Message, body.Reason, body.Args, body.Field, body.Details = "internal error", hall.EInternal, nil, "", nil
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, errorBody{body})
	}
	if err != nil {
		s.logger.Warn("write error response", "err", err)
	}
}
