package palettespec

import (
	"path/filepath"
	"testing"
)

// TestLocateStrategies checks that the go.mod reading and `go list` agree
// on where the SDK module is (Load uses the first that finds the file).
func TestLocateStrategies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	fromGoMod, ok := moduleDirFromGoMod()
	if !ok {
		t.Fatal("go.mod does not name the SDK module")
	}
	fromGoList, err := moduleDirFromGoList()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Clean(fromGoMod) != filepath.Clean(fromGoList) {
		t.Errorf("go.mod says %s, go list says %s (GOMODCACHE set by go env -w?)", fromGoMod, fromGoList)
	}
}

func TestEscapeModule(t *testing.T) {
	if got := escapeModule("github.com/BurntSushi/toml"); got != "github.com/!burnt!sushi/toml" {
		t.Errorf("escapeModule = %s", got)
	}
}
