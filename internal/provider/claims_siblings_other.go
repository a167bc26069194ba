//go:build !linux

package provider

// processStamp: without /proc the provider does not share claims between
// its processes (siblingClaim reports no conflict; the apply still refuses
// a name taken meanwhile).
func processStamp(int) (string, bool) { return "", false }

// ownDir is not reached without processStamp.
func ownDir(string) bool { return false }
