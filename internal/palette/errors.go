package palette

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Sentinel errors matched by errors.Is against an *APIError (through its Is
// method) or against errors the client builds itself (a lookup that found
// nothing wraps ErrNotFound).
var (
	// ErrNotFound is a 404 (or a lookup that found nothing).
	ErrNotFound = errors.New("palette: not found")
	// ErrConflict is a 409.
	ErrConflict = errors.New("palette: conflict")
	// ErrValidation is a 400.
	ErrValidation = errors.New("palette: invalid request")
	// ErrUnauthorized is a 401.
	ErrUnauthorized = errors.New("palette: unauthorized")
	// ErrForbidden is a 403.
	ErrForbidden = errors.New("palette: forbidden")
	// ErrRateLimited is a 429.
	ErrRateLimited = errors.New("palette: rate limited")
	// ErrServer is any 5xx.
	ErrServer = errors.New("palette: server error")
	// ErrOutcomeUnknown marks a non-idempotent request whose answer was lost
	// (connection reset, EOF or timeout after sending, or a 502/503/504): the
	// server may or may not have processed it, so the client did not repeat it.
	ErrOutcomeUnknown = errors.New("palette: outcome of a non-idempotent request is unknown")
)

// APIError is an error answer of the Palette API (V1Error).
type APIError struct {
	StatusCode int
	Code       string
	Message    string
	Ref        string
	Details    map[string]any
	Method     string
	Path       string
	// Host is the API host that answered; 401 and 403 name it, since the
	// usual cause is a key of another Palette (or project) than the host.
	Host string
}

// Error includes the request, status, code, message and ref.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("palette: ")
	if e.Method != "" || e.Path != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	fmt.Fprintf(&b, "%d", e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Ref != "" {
		fmt.Fprintf(&b, " (ref %s)", e.Ref)
	}
	if e.Host != "" {
		switch e.StatusCode {
		case http.StatusUnauthorized:
			fmt.Fprintf(&b, " — %s refused the API key: check api_key (PALETTE_API_KEY) and host", e.Host)
		case http.StatusForbidden:
			fmt.Fprintf(&b, " — %s denied this API key: check its rights and the project (project_uid, project_name)", e.Host)
		}
	}
	return b.String()
}

// sentinelStatus is the status code of each sentinel error that stands for
// one (ErrServer stands for all of 5xx).
var sentinelStatus = []struct {
	err    error
	status int
}{
	{ErrNotFound, http.StatusNotFound},
	{ErrConflict, http.StatusConflict},
	{ErrValidation, http.StatusBadRequest},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden},
	{ErrRateLimited, http.StatusTooManyRequests},
}

// Is matches the sentinel errors by status code. (A table, not a map: a
// map lookup panics on a target errors.Is may pass that is not comparable.)
func (e *APIError) Is(target error) bool {
	if target == ErrServer {
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	for _, s := range sentinelStatus {
		if s.err == target {
			return e.StatusCode == s.status
		}
	}
	return false
}

// IsCode reports whether err is (or wraps) an *APIError with the given code.
func IsCode(err error, code string) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Code == code
}

// maxErrorText bounds the message taken from a non-JSON error body.
const maxErrorText = 1024

// newAPIError builds an APIError from an error answer. A body that is not the
// spec's JSON still yields an error, with the body's text as message.
func newAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	var wire wire.Error
	if err := json.Unmarshal(body, &wire); err == nil && (wire.Code != "" || wire.Message != "") {
		e.Code, e.Message, e.Ref, e.Details = wire.Code, wire.Message, wire.Ref, wire.Details
		return e
	}
	text := strings.TrimSpace(string(body))
	if len(text) > maxErrorText {
		text = text[:maxErrorText] + "…"
	}
	if text == "" {
		text = http.StatusText(status)
	}
	e.Message = text
	return e
}

// outcomeUnknownError wraps the cause of a lost answer to a non-idempotent
// request; it matches ErrOutcomeUnknown and the cause.
type outcomeUnknownError struct {
	cause error
}

func (e *outcomeUnknownError) Error() string {
	return "palette: answer lost, the request may have been processed: " + e.cause.Error()
}

func (e *outcomeUnknownError) Unwrap() []error { return []error{ErrOutcomeUnknown, e.cause} }
