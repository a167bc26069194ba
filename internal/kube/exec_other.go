//go:build !unix

package kube

import "os/exec"

// ownProcessGroup: the plugin's process is killed on cancellation
// (exec.CommandContext's default); process groups are a Unix notion.
func ownProcessGroup(*exec.Cmd) {}
