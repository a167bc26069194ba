package localapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// maxBodyBytes is the largest request body the server reads.
const maxBodyBytes = 1 << 20

// apiError is an error answered to the client with a status and a code.
type apiError struct {
	status  int
	code    string
	message string
	details map[string]any
	// retryAfter, when set, is sent as Retry-After (whole seconds, at least 1).
	retryAfter time.Duration
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// tooManyRequests is a 429 TooManyRequests answer with Retry-After.
func tooManyRequests(wait time.Duration, format string, args ...any) *apiError {
	e := errf(http.StatusTooManyRequests, wire.CodeTooManyRequests, format, args...)
	e.retryAfter = max(wait, time.Second)
	return e
}

// retryAfterSeconds is wait in whole seconds, rounded up, at least 1.
func retryAfterSeconds(wait time.Duration) int {
	return max(int(math.Ceil(wait.Seconds())), 1)
}

func badRequest(format string, args ...any) *apiError {
	return errf(http.StatusBadRequest, wire.CodeBadRequest, format, args...)
}

func notFound(format string, args ...any) *apiError {
	return errf(http.StatusNotFound, wire.CodeResourceNotFound, format, args...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(wire.Error{Code: wire.CodeInternal, Message: "encoding the answer failed", Ref: randHex(16)})
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	if e.retryAfter > 0 {
		w.Header().Set(wire.HeaderRetryAfter, strconv.Itoa(retryAfterSeconds(e.retryAfter)))
	}
	writeJSON(w, e.status, wire.Error{Code: e.code, Message: e.message, Details: e.details, Ref: randHex(16)})
}

// decodeBody decodes a JSON body into v. An empty body is an error only when
// required. Wrong types, malformed JSON and trailing data are 400; a body over
// maxBodyBytes is 413.
func decodeBody(r *http.Request, v any, required bool) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case isTimeout(err):
			return errRequestTimeout
		case errors.As(err, &mbe):
			return errf(http.StatusRequestEntityTooLarge, wire.CodeRequestTooLarge, "request body is larger than %d bytes", maxBodyBytes)
		case errors.Is(err, io.EOF):
			if !required {
				return nil
			}
			return badRequest("request body is empty")
		default:
			return badRequest("request body does not match the schema: %v", err)
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errf(http.StatusRequestEntityTooLarge, wire.CodeRequestTooLarge, "request body is larger than %d bytes", maxBodyBytes)
		}
		if isTimeout(err) {
			return errRequestTimeout
		}
		return badRequest("request body has data after the JSON value")
	}
	return nil
}

// codeUnsupportedMediaType is the code of a 415 answer.
const codeUnsupportedMediaType = "UnsupportedMediaType"

// isJSONContentType reports whether a Content-Type header says JSON:
// application/json, with no charset or charset utf-8 (RFC 8259: JSON
// exchanged between systems is UTF-8).
func isJSONContentType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// checkJSONBody answers 415 UnsupportedMediaType for a request whose body
// is not declared JSON: every body palette-local reads is JSON, and a body
// of another type (text/plain, a form) is what a web page can send
// cross-site without a CORS preflight. A request without a body needs no
// Content-Type; one of unknown length (chunked) is peeked at.
func checkJSONBody(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if isJSONContentType(ct) {
		return nil
	}
	switch {
	case r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody:
		return nil
	case r.ContentLength < 0:
		br := bufio.NewReader(r.Body)
		if _, err := br.Peek(1); errors.Is(err, io.EOF) {
			return nil
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{br, r.Body}
	}
	if ct == "" {
		return errf(http.StatusUnsupportedMediaType, codeUnsupportedMediaType, "the request has a body without a Content-Type: send application/json")
	}
	return errf(http.StatusUnsupportedMediaType, codeUnsupportedMediaType, "Content-Type %q is not accepted: send application/json (charset utf-8, if any)", ct)
}

// codeRequestTimeout is the code of a 408 answer.
const codeRequestTimeout = "RequestTimeout"

// errRequestTimeout answers a body that did not arrive within the server's
// read timeout (Config.ReadTimeout).
var errRequestTimeout = errf(http.StatusRequestTimeout, codeRequestTimeout, "the request body did not arrive in time")

// isTimeout reports whether reading the request ran past its deadline.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// codeStorageFull is the code of a 507 answer: the store's disk is full.
const codeStorageFull = "StorageFull"

// storageFull reports whether a store error is SQLite's SQLITE_FULL
// ("database or disk is full": the disk, or Config.MaxStorePages) or the
// system's ENOSPC.
func storageFull(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "database or disk is full")
}
