package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Finding an attachment and its packs' status, and waiting for the agent to
// deploy or remove them.

// errPackFailed is wrapped by waitPacksReady when the agent reports a pack
// in Error.
var errPackFailed = errors.New("the agent could not deploy a pack")

// statusPacks returns the status.packs entries of a profile on a cluster.
func statusPacks(ctx context.Context, c *palette.Client, clusterUID, profileUID string) ([]wire.ClusterPackStatus, error) {
	cl, err := findClusterByID(ctx, c, clusterUID)
	if err != nil {
		return nil, err
	}
	return profilePackStatuses(cl, profileUID), nil
}

// packsProgress tells whether every named pack is Ready, and returns the
// failures (pack name and message) and a summary of the states.
func packsProgress(statuses []wire.ClusterPackStatus, names []string) (ready bool, failures []string, summary string) {
	byName := map[string]wire.ClusterPackStatus{}
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

// packErrorGrace is how long the agent may report an apply failure before
// the wait takes it for a failure: the agent tries again by itself, and an
// apiserver away for a moment (a restart, a network blip) heals.
var packErrorGrace = 60 * time.Second

// packFailures decides when the failures the agent reports end the wait:
// at once when a pack cannot be deployed as it is (it does not render, its
// name is invalid), after packErrorGrace of failures with no pause when
// the apply itself failed.
type packFailures struct {
	grace time.Duration
	since time.Time // start of the current run of failures
}

func (f *packFailures) fatal(now time.Time, failures []string, transient bool) bool {
	if len(failures) == 0 {
		f.since = time.Time{}
		return false
	}
	if !transient {
		return true
	}
	if f.since.IsZero() {
		f.since = now
	}
	return now.Sub(f.since) >= f.grace
}

// transientFailure tells whether every failing pack of names failed in its
// apply (reason ApplyFailed), which the agent retries.
func transientFailure(statuses []wire.ClusterPackStatus, names []string) bool {
	for _, s := range statuses {
		if slices.Contains(names, s.Name) && packState(s.Condition) == packStateError && s.Condition.Reason != "ApplyFailed" {
			return false
		}
	}
	return true
}

// waitPacksReady waits until the agent reports every named pack of the
// profile Ready; a pack in Error ends the wait with its name and message
// (when the error lasts: packFailures).
func waitPacksReady(ctx context.Context, c *palette.Client, clusterUID, profileUID string, names []string) error {
	last, lastFailure := "", ""
	failing := packFailures{grace: packErrorGrace}
	err := poll(ctx, "the agent to deploy the profile's packs", func() (bool, error) {
		statuses, err := statusPacks(ctx, c, clusterUID, profileUID)
		if err != nil {
			return false, err
		}
		ready, failures, summary := packsProgress(statuses, names)
		if summary != last {
			tflog.Info(ctx, "add-on profile packs", map[string]any{"cluster_uid": clusterUID, "profile_uid": profileUID, "packs": summary})
			last = summary
		}
		if failing.fatal(time.Now(), failures, transientFailure(statuses, names)) {
			return false, fmt.Errorf("%w: %s", errPackFailed, strings.Join(failures, "; "))
		}
		lastFailure = strings.Join(failures, "; ")
		return ready, nil
	})
	if err != nil && errors.Is(err, context.DeadlineExceeded) && last != "" {
		err = fmt.Errorf("%w (last seen: %s)", err, last)
		if lastFailure != "" {
			err = fmt.Errorf("%w: %w: %s", err, errPackFailed, lastFailure)
		}
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
func profilePackNames(p *wire.ClusterProfile) []string {
	packs := profileTemplate(p).Packs
	names := make([]string, 0, len(packs))
	for _, pk := range packs {
		names = append(names, pk.Name)
	}
	return names
}

func findAttached(list *wire.SpectroClusterProfileList, profileUID string) *wire.SpectroClusterProfile {
	for i := range list.Profiles {
		if list.Profiles[i].Metadata.UID == profileUID {
			return &list.Profiles[i]
		}
	}
	return nil
}
