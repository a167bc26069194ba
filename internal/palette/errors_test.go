package palette

import (
	"errors"
	"net/http"
	"testing"
)

// multiError is an error type errors.Is may be asked about that is not
// comparable (it holds a slice).
type multiError []error

func (multiError) Error() string { return "several errors" }

// An *APIError matches the sentinel of its status code and no other, and a
// target that is not comparable is no match (not a panic).
func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrNotFound, ErrConflict, ErrValidation, ErrUnauthorized, ErrForbidden, ErrRateLimited, ErrServer}
	for _, c := range []struct {
		status int
		want   error
	}{
		{http.StatusNotFound, ErrNotFound},
		{http.StatusConflict, ErrConflict},
		{http.StatusBadRequest, ErrValidation},
		{http.StatusUnauthorized, ErrUnauthorized},
		{http.StatusForbidden, ErrForbidden},
		{http.StatusTooManyRequests, ErrRateLimited},
		{http.StatusInternalServerError, ErrServer},
		{http.StatusServiceUnavailable, ErrServer},
		{http.StatusTeapot, nil},
	} {
		err := &APIError{StatusCode: c.status}
		for _, s := range sentinels {
			if got := errors.Is(err, s); got != (s == c.want) { //nolint:errorlint // which sentinel, exactly
				t.Errorf("status %d: errors.Is(err, %v) = %v", c.status, s, got)
			}
		}
		if errors.Is(err, multiError{errors.New("x")}) {
			t.Errorf("status %d matches a foreign error", c.status)
		}
	}
}
