package localapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

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
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
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
