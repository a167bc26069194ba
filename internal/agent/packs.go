package agent

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/terraform-palette/terraform-provider-palette/internal/kube"
	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// Pack conditions the agent reports.
const (
	ConditionReady = "Ready"
	ConditionError = "Error"
	// ConditionWaiting is a pack the agent applies again soon (the
	// apiserver refused it for a reason that passes).
	ConditionWaiting = "Waiting"
)

// pruneResync is how often the agent looks for stray pack objects even when
// the desired set did not change (a full label listing walks every type).
const pruneResync = time.Minute

// clusterOps is what the agent needs of internal/kube.
type clusterOps interface {
	// Get, ListObjects and GetObject read the objects of the manifest by name.
	manifest.Reader
	Get(ctx context.Context, ref kube.ObjectRef) (*unstructured.Unstructured, error)
	Apply(ctx context.Context, manifest []byte, opts kube.ApplyOptions) ([]kube.ObjectRef, error)
	ApplyObjects(ctx context.Context, objs []*unstructured.Unstructured, opts kube.ApplyOptions) ([]kube.ObjectRef, error)
	ListByLabel(ctx context.Context, selector string) ([]kube.ObjectRef, error)
	Delete(ctx context.Context, refs []kube.ObjectRef, opts kube.DeleteOptions) error
	WaitGone(ctx context.Context, refs []kube.ObjectRef) error
	NodeFacts(ctx context.Context) (*kube.NodeFacts, error)
}

func readyStatus(key packKey) wire.ClusterPackStatus {
	return wire.ClusterPackStatus{ProfileUID: key.profileUID, Name: key.name,
		Condition: wire.ClusterCondition{Type: ConditionReady, Status: "True"}}
}

// waitingStatus is a pack the agent will apply again soon, without failure.
func waitingStatus(key packKey, reason string, err error) wire.ClusterPackStatus {
	return wire.ClusterPackStatus{ProfileUID: key.profileUID, Name: key.name,
		Condition: wire.ClusterCondition{Type: ConditionWaiting, Status: "False", Reason: reason, Message: err.Error()}}
}

// terminatingRetry is how soon an apply refused by a terminating namespace
// is tried again.
const terminatingRetry = time.Second

// refusedTerminating tells whether the apiserver refused an object because
// its namespace is being terminated.
func refusedTerminating(err error) bool {
	if err == nil {
		return false
	}
	return apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) ||
		strings.Contains(err.Error(), "because it is being terminated")
}

func errorStatus(key packKey, reason string, err error) wire.ClusterPackStatus {
	return wire.ClusterPackStatus{ProfileUID: key.profileUID, Name: key.name,
		Condition: wire.ClusterCondition{Type: ConditionError, Status: "False", Reason: reason, Message: err.Error()}}
}

// packLabels are the labels of every object of a pack.
func (a *Agent) packLabels(key packKey) map[string]string {
	return manifest.PackLabels(a.info.ClusterUID, key.profileUID, key.name)
}

// reconcilePacks deploys the manifest packs of the desired profiles, removes
// the objects of profiles and packs no longer desired, and reports the status
// of exactly the current packs.
func (a *Agent) reconcilePacks(ctx context.Context, profiles []wire.DesiredProfile) error {
	now := time.Now()
	want := map[packKey]bool{}
	statuses := []wire.ClusterPackStatus{}
	var errs []error
	for _, prof := range profiles {
		for _, p := range prof.Packs {
			key := packKey{prof.UID, p.Name}
			if want[key] {
				continue
			}
			want[key] = true
			st := a.packs[key]
			if st == nil {
				st = &packState{}
				a.packs[key] = st
			}
			a.syncPack(ctx, prof, p, key, st, now)
			statuses = append(statuses, st.status)
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("agent: %w", ctx.Err())
	}
	sig := desiredSignature(want)
	if sig != a.prunedFor || now.Sub(a.prunedAt) > pruneResync {
		if err := a.pruneUndesired(ctx, profiles); err != nil {
			errs = append(errs, err)
		} else {
			a.prunedFor, a.prunedAt = sig, now
		}
	}
	for k := range a.packs {
		if !want[k] {
			delete(a.packs, k)
		}
	}
	sort.Slice(statuses, func(i, j int) bool {
		if statuses[i].ProfileUID != statuses[j].ProfileUID {
			return statuses[i].ProfileUID < statuses[j].ProfileUID
		}
		return statuses[i].Name < statuses[j].Name
	})
	if !a.reportedOnce || !reflect.DeepEqual(statuses, a.lastReported) || now.Sub(a.reportedAt) > statusResync {
		if err := a.call(ctx, func(ctx context.Context, c *palette.Client) error {
			return c.ReportPacks(ctx, a.info.ClusterUID, statuses)
		}); err != nil {
			errs = append(errs, fmt.Errorf("reporting pack status: %w", err))
		} else {
			a.reportedOnce, a.lastReported, a.reportedAt = true, statuses, now
		}
	}
	return errors.Join(errs...)
}

func desiredSignature(want map[packKey]bool) string {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k.profileUID+"/"+k.name)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// syncPack renders a pack and applies it when its content changed (or a
// failed apply is due for another try), and records its status.
func (a *Agent) syncPack(ctx context.Context, prof wire.DesiredProfile, p wire.Pack, key packKey, st *packState, now time.Time) {
	if msgs := validation.IsValidLabelValue(key.name); len(msgs) > 0 || key.name == "" {
		st.status = errorStatus(key, "InvalidPack", fmt.Errorf("pack name %q cannot be used as a label value: %s", key.name, strings.Join(msgs, "; ")))
		return
	}
	if msgs := validation.IsValidLabelValue(key.profileUID); len(msgs) > 0 || key.profileUID == "" {
		st.status = errorStatus(key, "InvalidPack", fmt.Errorf("profile UID %q cannot be used as a label value", key.profileUID))
		return
	}
	rp, err := RenderPack(prof, p)
	if err != nil {
		if st.status.Condition.Message != err.Error() {
			a.log.Warn("pack does not render", "profile_uid", key.profileUID, "pack", key.name, "error", err)
		}
		st.hash, st.retryAt = "", time.Time{}
		st.status = errorStatus(key, "RenderFailed", err)
		return
	}
	if rp.Hash == st.hash && (st.status.Condition.Type == ConditionReady || now.Before(st.retryAt)) {
		return
	}
	var refs []kube.ObjectRef
	if len(strings.TrimSpace(string(rp.Manifest))) > 0 {
		refs, err = a.ops.Apply(ctx, rp.Manifest, kube.ApplyOptions{
			FieldManager: manifest.FieldManagerAgent,
			ExtraLabels:  a.packLabels(key),
			Namespace:    "default",
		})
	}
	st.hash = rp.Hash
	if refusedTerminating(err) {
		// A namespace of the pack is still going (the pack was just
		// removed, e.g. by a replaced attachment): not a failure. Wait for
		// it to go and try again soon.
		a.log.Info("a namespace of the pack is being terminated; retrying", "profile_uid", key.profileUID, "pack", key.name)
		st.retryAt = now.Add(terminatingRetry)
		st.status = waitingStatus(key, "NamespaceTerminating", fmt.Errorf("waiting for a namespace being terminated to go: %w", err))
		return
	}
	if err != nil {
		a.log.Warn("pack apply failed", "profile_uid", key.profileUID, "pack", key.name, "error", err)
		st.retryAt = now.Add(applyRetry)
		st.status = errorStatus(key, "ApplyFailed", fmt.Errorf("applying pack %q: %w", key.name, err))
		return
	}
	a.log.Info("pack applied", "profile_uid", key.profileUID, "pack", key.name, "objects", len(refs))
	st.refs, st.retryAt = refs, time.Time{}
	st.status = readyStatus(key)
	// Objects the pack no longer contains.
	sel := manifest.PackSelector(a.info.ClusterUID, key.profileUID, key.name)
	if err := a.deleteStray(ctx, sel, refs); err != nil {
		a.log.Warn("removing objects the pack no longer has failed", "pack", key.name, "error", err)
	}
}

// deleteStray deletes the objects matching sel that are not in keep.
func (a *Agent) deleteStray(ctx context.Context, sel string, keep []kube.ObjectRef) error {
	found, err := a.ops.ListByLabel(ctx, sel)
	if err != nil {
		return fmt.Errorf("listing %s: %w", sel, err)
	}
	var stray []kube.ObjectRef
	for _, r := range found {
		if !slices.ContainsFunc(keep, func(k kube.ObjectRef) bool { return sameObject(k, r) }) {
			stray = append(stray, r)
		}
	}
	if len(stray) == 0 {
		return nil
	}
	a.log.Info("deleting pack objects no longer desired", "selector", sel, "objects", len(stray))
	if err := a.ops.Delete(ctx, stray, kube.DeleteOptions{}); err != nil {
		return fmt.Errorf("deleting %d objects: %w", len(stray), err)
	}
	return nil
}

func sameObject(a, b kube.ObjectRef) bool {
	return a.Group == b.Group && a.Kind == b.Kind && a.Namespace == b.Namespace && a.Name == b.Name
}

// pruneUndesired deletes the objects of profiles that are no longer desired
// and of packs no longer in a desired profile.
func (a *Agent) pruneUndesired(ctx context.Context, profiles []wire.DesiredProfile) error {
	var uids []string
	for _, p := range profiles {
		if validation.IsValidLabelValue(p.UID) == nil && p.UID != "" {
			uids = append(uids, p.UID)
		}
	}
	sort.Strings(uids)
	uids = slices.Compact(uids)
	sel := manifest.StrayProfilesSelector(a.info.ClusterUID, uids)
	var errs []error
	if err := a.deleteStray(ctx, sel, nil); err != nil {
		errs = append(errs, err)
	}
	for _, p := range profiles {
		if !slices.Contains(uids, p.UID) {
			continue
		}
		var names []string
		for _, pk := range p.Packs {
			if validation.IsValidLabelValue(pk.Name) == nil && pk.Name != "" {
				names = append(names, pk.Name)
			}
		}
		sort.Strings(names)
		names = slices.Compact(names)
		if err := a.deleteStray(ctx, manifest.StrayPacksSelector(a.info.ClusterUID, p.UID, names), nil); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
