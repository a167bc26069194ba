package provider

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Waiting for an imported cluster: its status (statusCluster, shared by
// the waiters of one cluster) and the waits of create, update and delete.
// Finding it by UID (findClusterByID) is shared with the other resources
// and the data sources (cluster_read.go).

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
