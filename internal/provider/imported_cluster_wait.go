package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// errClusterGone is returned by findClusterByID for a cluster that is
// deleted or unknown to Palette; it wraps palette.ErrNotFound.
var errClusterGone = fmt.Errorf("cluster is gone from Palette: %w", palette.ErrNotFound)

// findClusterByID returns the cluster, or an error that matches
// palette.ErrNotFound when it does not exist or is Deleted.
func findClusterByID(ctx context.Context, c *palette.Client, uid string) (*palette.Cluster, error) {
	cl, err := c.GetCluster(ctx, uid)
	if err != nil {
		return nil, err
	}
	if cl.Status.State == palette.StateDeleted {
		return nil, errClusterGone
	}
	return cl, nil
}

// statusCluster returns the cluster's state and health ("" when unknown).
func statusCluster(ctx context.Context, c *palette.Client, uid string, withHealth bool) (state, health string, err error) {
	cl, err := findClusterByID(ctx, c, uid)
	if err != nil {
		return "", "", err
	}
	if !withHealth || cl.Status.State != palette.StateRunning {
		return cl.Status.State, "", nil
	}
	ov, err := c.GetClusterOverview(ctx, uid)
	if err != nil {
		return cl.Status.State, "", err
	}
	return cl.Status.State, ov.Status.Health.State, nil
}

// pollCap is the longest interval between two checks: the slack after the
// awaited change stays at most half a second (the goal is under one), at
// two requests a second once the wait is long.
const pollCap = 500 * time.Millisecond

// poll calls check until it reports done, an error, or ctx ends. The
// interval starts short and grows to pollCap, so that the slack after the
// awaited change stays short without hammering the API.
func poll(ctx context.Context, what string, check func() (done bool, err error)) error {
	interval := 100 * time.Millisecond
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("timed out waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
		if interval < pollCap {
			interval = min(pollCap, interval*3/2)
		}
	}
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
		state, health, err := statusCluster(ctx, c, uid, healthy)
		if err != nil {
			return false, err
		}
		if now := state + "/" + health; now != last {
			tflog.Debug(ctx, "imported cluster status", map[string]any{"uid": uid, "state": state, "health": health})
			last = now
		}
		switch state {
		case palette.StateError:
			return false, fmt.Errorf("the agent reported an error for cluster %s", uid)
		case palette.StateDeleting:
			return false, fmt.Errorf("cluster %s is being deleted", uid)
		case palette.StateRunning:
			return !healthy || health == palette.HealthHealthy, nil
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
