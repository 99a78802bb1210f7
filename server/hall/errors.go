// Package hall is the domain of hallcast: disclosure items and their immutable
// revisions, finance tables, the catalogue (halls, departments, categories),
// users and roles, the archive entries, the audit log, and the error codes every
// layer speaks. It imports no adapter; the stores, the HTTP API and the hub
// depend on it, never the other way round.
package hall

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
	// EGone: the thing existed but was removed for good (a redacted
	// revision); the message says why.
	EGone        = "gone"         // 410
	ERateLimited = "rate_limited" // 429
	EInternal    = "internal"     // 500
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
	// Reason names the failure itself, finer than Code and as stable:
	// "required", "wrong_username_or_password", "pairing_not_found". Errorf,
	// FieldError and NotFound derive it from their format (ReasonOf); a
	// caller may set its own. Empty: the Code stands for it.
	Reason string
	// Args are the values the message was made from, in order, as text
	// (strings unquoted), so that a client can word the reason in its own
	// language: "line %q is %d but …" → ["103", "500000000", …].
	Args    []string
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

// Errorf returns an *Error with the code and a formatted message; its
// Reason is derived from the format (ReasonOf).
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Reason: ReasonOf(format), Args: argStrings(args)}
}

// FieldError returns a validation error that names the field at fault.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EValidation, Field: field, Message: fmt.Sprintf(format, args...), Reason: ReasonOf(format), Args: argStrings(args)}
}

// NotFound returns a not_found error for a kind of thing and its id; its
// reason is "<kind>_not_found" ("pairing_not_found").
func NotFound(kind, id string) *Error {
	return &Error{Code: ENotFound, Message: fmt.Sprintf("%s %q not found", kind, id), Reason: ReasonOf(kind) + "_not_found", Args: []string{id}}
}

// WithReason sets the error's reason and returns it: for a failure whose
// derived reason would be vague or shared with a different failure.
func (e *Error) WithReason(reason string) *Error {
	e.Reason = reason
	return e
}

// ReasonCode is the error's reason, or its code when it has none.
func (e *Error) ReasonCode() string {
	if e.Reason != "" {
		return e.Reason
	}
	return e.Code
}

// ReasonOf derives a stable reason from a message format: its words in
// lower case joined by "_", without the verbs (%q, %d…) and at most eight
// words: "wrong username or password" → "wrong_username_or_password",
// "line %q is %d but its sub-items add up to %d" →
// "line_is_but_its_sub_items_add_up". The reasons in use are listed in
// docs/PROTOCOL.md (a test keeps that table complete).
func ReasonOf(format string) string {
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	verb := false
	for _, r := range format {
		switch {
		case verb:
			if unicode.IsLetter(r) {
				verb = false
			}
			continue
		case r == '%':
			flush()
			verb = true
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			w.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	if len(words) > 8 {
		words = words[:8]
	}
	return strings.Join(words, "_")
}

// argStrings renders the arguments of a message as text.
func argStrings(args []any) []string {
	if len(args) == 0 {
		return nil
	}
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = fmt.Sprint(a)
	}
	return out
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
