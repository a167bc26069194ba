package provider

import (
	"context"
	"fmt"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// poll is the one loop of the provider's waits: the cluster's
// (imported_cluster_find.go) and the add-on packs' (addon_profile_attachment_find.go).

// pollCap is the longest interval between two checks: the slack after the
// awaited change stays at most half a second (the goal is under one), at
// two requests a second once the wait is long.
const pollCap = 500 * time.Millisecond

// pollBackoff spaces the checks of poll: 100ms, growing by half each time,
// to pollCap (100, 150, 225, 337.5, 500, 500, ... ms).
var pollBackoff = wait.Backoff{Duration: 100 * time.Millisecond, Factor: 1.5, Cap: pollCap, Steps: math.MaxInt32}

// poll calls check until it reports done, an error, or ctx ends. The
// interval starts short and grows to pollCap, so that the slack after the
// awaited change stays short without hammering the API. An error of check
// is returned as it is; the end of ctx as "timed out waiting for <what>"
// wrapping ctx.Err().
func poll(ctx context.Context, what string, check func() (done bool, err error)) error {
	var checkErr error
	err := pollBackoff.DelayFunc().Until(ctx, true, true, func(context.Context) (bool, error) {
		done, err := check()
		checkErr = err
		return done, err
	})
	if err != nil && checkErr == nil {
		return fmt.Errorf("timed out waiting for %s: %w", what, err)
	}
	return err
}
