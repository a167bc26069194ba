package kubelocal

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// freePorts reserves n distinct free TCP ports on 127.0.0.1 by listening on
// :0 (all listeners are held open together, then closed).
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("kubelocal: reserve port: %w", err)
		}
		ls = append(ls, l)
		addr, ok := l.Addr().(*net.TCPAddr)
		if !ok {
			return nil, fmt.Errorf("kubelocal: reserve port: unexpected address %v", l.Addr())
		}
		ports = append(ports, addr.Port)
	}
	return ports, nil
}

// children tracks processes started by this process so they can be reaped.
var children = struct {
	sync.Mutex
	done map[int]chan struct{}
}{done: map[int]chan struct{}{}}

// spawner runs exec.Cmd.Start on one OS thread that is locked for the life of
// the process, so Pdeathsig (tied to the creating thread on Linux) only fires
// when this process dies.
var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd *exec.Cmd
	res chan error
}

func startOnLockedThread(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the process
			for r := range spawner.reqs {
				r.res <- r.cmd.Start()
			}
		}()
	})
	res := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd, res}
	return <-res
}

// startProcess starts bin with args (and env added to this process's
// environment) in its own session, stdout/stderr going to logPath. With
// dieWithParent the process is killed when this process exits (used by
// tests); otherwise it outlives the caller.
func startProcess(bin string, args []string, logPath string, dieWithParent bool, env ...string) (int, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "### %s %s %s\n", time.Now().Format(time.RFC3339), bin, strings.Join(args, " "))
	// The control plane outlives the command that starts it: no context.
	cmd := exec.Command(bin, args...) //nolint:noctx
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = filepath.Dir(logPath)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if dieWithParent {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
		err = startOnLockedThread(cmd)
	} else {
		err = cmd.Start()
	}
	if err != nil {
		return 0, fmt.Errorf("kubelocal: start %s: %w", filepath.Base(bin), err)
	}
	pid := cmd.Process.Pid
	done := make(chan struct{})
	children.Lock()
	children.done[pid] = done
	children.Unlock()
	go func() {
		cmd.Wait() //nolint:errcheck // reap; exit status is in the log
		close(done)
		children.Lock()
		delete(children.done, pid)
		children.Unlock()
	}()
	return pid, nil
}

// alive reports whether pid is a running (non-zombie) process whose command
// line mentions want (guards against PID reuse).
func alive(pid int, want string) bool {
	if pid <= 0 {
		return false
	}
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	if st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
		// state is the field after the ")" closing the comm.
		if i := bytes.LastIndexByte(st, ')'); i >= 0 && i+2 < len(st) && (st[i+2] == 'Z' || st[i+2] == 'X') {
			return false
		}
	}
	if want != "" {
		cl, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		if err == nil && !bytes.Contains(cl, []byte(want)) {
			return false
		}
	}
	return true
}

// stopProcess sends SIGTERM to pid's process group, waits up to grace, then
// SIGKILLs and waits for it to disappear.
func stopProcess(pid int, want string, grace time.Duration) error {
	if !alive(pid, want) {
		return nil
	}
	signal := func(sig syscall.Signal) {
		if err := syscall.Kill(-pid, sig); err != nil { // process group (Setsid)
			syscall.Kill(pid, sig) //nolint:errcheck
		}
	}
	signal(syscall.SIGTERM)
	if waitGone(pid, want, grace) {
		return nil
	}
	signal(syscall.SIGKILL)
	if waitGone(pid, want, 10*time.Second) {
		return nil
	}
	return fmt.Errorf("kubelocal: process %d did not exit after SIGKILL", pid)
}

func waitGone(pid int, want string, d time.Duration) bool {
	children.Lock()
	done := children.done[pid]
	children.Unlock()
	deadline := time.Now().Add(d)
	for {
		if done != nil {
			select {
			case <-done:
				return true
			default:
			}
		} else if !alive(pid, want) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		if done != nil {
			select {
			case <-done:
				return true
			case <-time.After(50 * time.Millisecond):
			}
		} else {
			time.Sleep(50 * time.Millisecond) // polling a foreign PID; no event to wait on
		}
	}
}

// tailFile returns the last n lines of a log file, for error messages.
func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
