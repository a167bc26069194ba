package provider

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ownDir tells whether dir is a directory (not a link) of this user that
// nobody else may write to.
func ownDir(dir string) bool {
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// processStamp names process pid by its PID and its start time (clock ticks
// after boot, /proc/<pid>/stat field 22), so that a PID used again by a
// later process is another stamp. ok is false when the process does not
// exist.
func processStamp(pid int) (string, bool) {
	if pid <= 1 {
		return "", false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", false
	}
	// The command name (field 2) is in parentheses and may hold blanks:
	// the fields after it start after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	fields := strings.Fields(s[i+1:])
	// fields[0] is field 3 (state); field 22 is fields[19].
	if len(fields) < 20 {
		return "", false
	}
	return strconv.Itoa(pid) + "-" + fields[19], true
}
