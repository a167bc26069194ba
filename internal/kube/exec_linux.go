package kube

import (
	"os/exec"
	"runtime"
	"syscall"
)

// setDeathSignal has the kernel kill the plugin if the provider dies
// (killed, say) while the plugin runs.
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// runBound runs cmd on a thread the goroutine keeps until the plugin has
// exited: the parent death signal follows the thread that started the
// process, not the process (https://go.dev/issue/27505).
func runBound(cmd *exec.Cmd) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return cmd.Run()
}
