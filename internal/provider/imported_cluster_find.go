package provider

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// errClusterGone is returned by findClusterByID for a cluster that is
// deleted or unknown to Palette; it wraps palette.ErrNotFound.
var errClusterGone = fmt.Errorf("cluster is gone from Palette: %w", palette.ErrNotFound)

// findClusterByID returns the cluster, or an error that matches
// palette.ErrNotFound when it does not exist or is Deleted.
func findClusterByID(ctx context.Context, c *palette.Client, uid string) (*wire.SpectroCluster, error) {
	cl, err := c.GetCluster(ctx, uid)
	if err != nil {
		return nil, err
	}
	if cl.Status.State == wire.StateDeleted {
		return nil, errClusterGone
	}
	return cl, nil
}

// statusCluster returns the cluster's state and health from one request,
// the overview (GET /v1/dashboard/spectroclusters/{uid}/overview:
// status.state and status.health). Waits of several resources on one
// cluster share it: a status younger than statusShareWindow, or one being
// fetched, is answered to every waiter (sharedStatus).
func statusCluster(ctx context.Context, c *palette.Client, uid string) (state, health string, err error) {
	return sharedStatuses.get(ctx, c, uid)
}

func fetchStatus(ctx context.Context, c *palette.Client, uid string) (state, health string, err error) {
	ov, err := c.GetClusterOverview(ctx, uid)
	if err != nil {
		return "", "", err
	}
	if ov.Status.State == wire.StateDeleted {
		return "", "", errClusterGone
	}
	return ov.Status.State, ov.Status.Health.State, nil
}

// statusShareWindow is how long one status answers every waiter of a
// cluster.
const statusShareWindow = 250 * time.Millisecond

type statusResult struct {
	done          chan struct{}
	at            time.Time
	state, health string
	err           error
}

// sharedStatus dedups the status polls of one cluster across waiters.
type sharedStatus struct {
	mu   sync.Mutex
	last map[string]*statusResult
}

var sharedStatuses = &sharedStatus{last: map[string]*statusResult{}}

func (s *sharedStatus) get(ctx context.Context, c *palette.Client, uid string) (string, string, error) {
	key := c.BaseURL() + "|" + c.ProjectUID() + "|" + uid
	s.mu.Lock()
	r := s.last[key]
	if r != nil {
		select {
		case <-r.done:
			if time.Since(r.at) > statusShareWindow {
				r = nil
			}
		default: // in flight: join it
		}
	}
	if r == nil {
		r = &statusResult{done: make(chan struct{})}
		s.last[key] = r
		s.mu.Unlock()
		// Shared with the other waiters: not cancelled by this one's context.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.RequestBudget())
		r.state, r.health, r.err = fetchStatus(fctx, c, uid)
		cancel()
		r.at = time.Now()
		close(r.done)
		s.mu.Lock()
		for k, old := range s.last { // drop old entries
			select {
			case <-old.done:
				if time.Since(old.at) > time.Minute {
					delete(s.last, k)
				}
			default:
			}
		}
		s.mu.Unlock()
		return r.state, r.health, r.err
	}
	s.mu.Unlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		return "", "", ctx.Err()
	}
	return r.state, r.health, r.err
}

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

// waitClusterRunning waits until the agent registered (state Running).
func waitClusterRunning(ctx context.Context, c *palette.Client, uid string) error {
	return waitCluster(ctx, c, uid, false)
}

// waitClusterHealthy waits until the cluster is Running and Healthy.
func waitClusterHealthy(ctx context.Context, c *palette.Client, uid string) error {
	return waitCluster(ctx, c, uid, true)
}

func waitCluster(ctx context.Context, c *palette.Client, uid string, healthy bool) error {
	what := "the agent to register (state Running)"
	if healthy {
		what = "the cluster to be Running and Healthy"
	}
	last := ""
	err := poll(ctx, what, func() (bool, error) {
		state, health, err := statusCluster(ctx, c, uid)
		if err != nil {
			return false, err
		}
		if now := state + "/" + health; now != last {
			tflog.Info(ctx, "imported cluster status", map[string]any{"uid": uid, "state": state, "health": health})
			last = now
		}
		switch state {
		case wire.StateError:
			return false, fmt.Errorf("the agent reported an error for cluster %s", uid)
		case wire.StateDeleting:
			return false, fmt.Errorf("cluster %s is being deleted", uid)
		case wire.StateRunning:
			return !healthy || health == wire.HealthHealthy, nil
		}
		return false, nil
	})
	if err != nil && errors.Is(err, context.DeadlineExceeded) && last != "" {
		err = fmt.Errorf("%w (last seen: %s)", err, last)
	}
	return err
}

// waitClusterDeleted waits until Palette answers Deleted or 404.
func waitClusterDeleted(ctx context.Context, c *palette.Client, uid string) error {
	return poll(ctx, "Palette to finish deleting the cluster (the agent removes itself)", func() (bool, error) {
		_, err := findClusterByID(ctx, c, uid)
		if errors.Is(err, palette.ErrNotFound) {
			return true, nil
		}
		return false, err
	})
}

// waitFor applies the wait_for attribute.
func waitFor(ctx context.Context, c *palette.Client, uid, mode string) error {
	switch mode {
	case waitForNone:
		return nil
	case waitForRunning:
		return waitClusterRunning(ctx, c, uid)
	default:
		return waitClusterHealthy(ctx, c, uid)
	}
}
