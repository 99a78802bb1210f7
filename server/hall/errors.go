// Package hall is the domain of hallcast: disclosure items and their immutable
// revisions, finance tables, the catalogue (halls, departments, categories),
// users and roles, the archive entries, the audit log, and the error codes every
// layer speaks. It imports no adapter; the stores, the HTTP API and the hub
// depend on it, never the other way round.
package hall

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The HTTP layer maps each to one status (see docs/PROTOCOL.md,
// "Errors").
const (
	EValidation      = "validation"      // 422
	EUnauthenticated = "unauthenticated" // 401
	EForbidden       = "forbidden"       // 403
	ENotFound        = "not_found"       // 404
	EConflict        = "conflict"        // 409
	ETooLarge        = "too_large"       // 413
	ERateLimited     = "rate_limited"    // 429
	EInternal        = "internal"        // 500
	// EUnavailable: the store cannot be reached (a Redis outage); the
	// request changed nothing and may be retried.
	EUnavailable = "unavailable" // 503
)

// Error is an error a caller may show: a code, a message for people and, where
// one field is at fault, its path ("finance.lines[3].amount"). Details carries
// structured help such as the privacy guard's findings.
type Error struct {
	Code    string
	Message string
	Field   string
	Details any
	// RetryAfter tells a refused caller when to try again (rate_limited,
	// unavailable); zero says nothing.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns a validation error that names the field at fault.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EValidation, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a not_found error for a kind of thing and its id.
func NotFound(kind, id string) *Error {
	return &Error{Code: ENotFound, Message: fmt.Sprintf("%s %q not found", kind, id)}
}

// ErrorCode returns the code of an *Error in err's chain, or EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// IsCode reports whether err carries the code.
func IsCode(err error, code string) bool { return err != nil && ErrorCode(err) == code }

func itoa(i int) string { return fmt.Sprint(i) }
