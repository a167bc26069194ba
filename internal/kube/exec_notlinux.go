//go:build !linux

package kube

import (
	"os/exec"
	"syscall"
)

// setDeathSignal: only Linux has a parent death signal; elsewhere a plugin
// is killed when its request's context ends (which the provider's orphan
// watch does when Terraform is gone), not when the provider is killed.
func setDeathSignal(*syscall.SysProcAttr) {}

// runBound runs cmd.
func runBound(cmd *exec.Cmd) error { return cmd.Run() }
