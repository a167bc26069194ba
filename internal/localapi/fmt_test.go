package localapi_test

import (
	"encoding/json"
	"fmt"
)

var jsonUnmarshal = json.Unmarshal

func sprintf(f string, a ...any) string { return fmt.Sprintf(f, a...) }

func mustUnmarshal(t interface {
	Helper()
	Fatalf(string, ...any)
}, b []byte, v any) {
	t.Helper()
	if err := jsonUnmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}
