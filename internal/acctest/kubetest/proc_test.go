package kubetest_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// processGone reports an error if pid is still a live (non-zombie) process.
func processGone(pid int) error {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) && (s[i+2] == 'Z' || s[i+2] == 'X') {
		return nil
	}
	return fmt.Errorf("process %d still running: %s", pid, s)
}
