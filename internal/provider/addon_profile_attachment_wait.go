package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
)

// errPackFailed is wrapped by waitPacksReady when the agent reports a pack
// in Error.
var errPackFailed = errors.New("the agent could not deploy a pack")

// statusPacks returns the status.packs entries of a profile on a cluster.
func statusPacks(ctx context.Context, c *palette.Client, clusterUID, profileUID string) ([]palette.PackStatus, error) {
	cl, err := findClusterByID(ctx, c, clusterUID)
	if err != nil {
		return nil, err
	}
	return profilePackStatuses(cl, profileUID), nil
}

// packsProgress tells whether every named pack is Ready, and returns the
// failures (pack name and message) and a summary of the states.
func packsProgress(statuses []palette.PackStatus, names []string) (ready bool, failures []string, summary string) {
	byName := map[string]palette.PackStatus{}
	for _, s := range statuses {
		byName[s.Name] = s
	}
	ready = true
	parts := make([]string, 0, len(names))
	for _, n := range names {
		s, ok := byName[n]
		state := "not reported"
		if ok {
			state = packState(s.Condition)
		}
		parts = append(parts, n+"="+state)
		switch state {
		case packStateReady:
		case packStateError:
			failures = append(failures, fmt.Sprintf("pack %q: %s", n, s.Condition.Message))
			ready = false
		default:
			ready = false
		}
	}
	return ready, failures, strings.Join(parts, ", ")
}

// waitPacksReady waits until the agent reports every named pack of the
// profile Ready; a pack in Error ends the wait with its name and message.
func waitPacksReady(ctx context.Context, c *palette.Client, clusterUID, profileUID string, names []string) error {
	last := ""
	err := poll(ctx, "the agent to deploy the profile's packs", func() (bool, error) {
		statuses, err := statusPacks(ctx, c, clusterUID, profileUID)
		if err != nil {
			return false, err
		}
		ready, failures, summary := packsProgress(statuses, names)
		if summary != last {
			tflog.Debug(ctx, "add-on profile packs", map[string]any{"cluster_uid": clusterUID, "profile_uid": profileUID, "packs": summary})
			last = summary
		}
		if len(failures) > 0 {
			return false, fmt.Errorf("%w: %s", errPackFailed, strings.Join(failures, "; "))
		}
		return ready, nil
	})
	if err != nil && errors.Is(err, context.DeadlineExceeded) && last != "" {
		err = fmt.Errorf("%w (last seen: %s)", err, last)
	}
	return err
}

// waitPacksRemoved waits until the profile's packs are gone from the
// cluster's status: the agent has removed their objects. A cluster that is
// gone counts as done.
func waitPacksRemoved(ctx context.Context, c *palette.Client, clusterUID, profileUID string) error {
	return poll(ctx, "the agent to remove the profile's objects from the cluster", func() (bool, error) {
		statuses, err := statusPacks(ctx, c, clusterUID, profileUID)
		if errors.Is(err, palette.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		return len(statuses) == 0, nil
	})
}

// profilePackNames returns the names of a profile's packs.
func profilePackNames(p *palette.ClusterProfile) []string {
	packs := profileTemplate(p).Packs
	names := make([]string, 0, len(packs))
	for _, pk := range packs {
		names = append(names, pk.Name)
	}
	return names
}
