//go:build !unix

package kube

// openNonblock: no FIFOs to wait for.
const openNonblock = 0
