package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-palette/terraform-provider-palette/internal/palette"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// A cluster's Day-2 lists (its namespaces, its RBAC entries) are each one
// list in Palette that a PUT replaces whole, while each Terraform resource
// (palette_cluster_namespace, palette_cluster_role_binding) owns one entry,
// and other modules and Palette's UI own others. So, per cluster and list:
//
//   - writes are serialised within a run (one lock per cluster and list),
//     and each write re-reads the latest list first, changes only its own
//     entry and sends every other entry back as Palette showed it;
//   - an update of one entry uses the single-entry PUT, which leaves the
//     others alone;
//   - refreshes read each cluster's list once per run, shared by all the
//     resources of that cluster, and a write replaces what they share with
//     the list as Palette shows it after the write.
//
// What can still race is two Terraform runs writing one cluster's list at
// the same moment (Palette's list PUT has no version to check): docs say so.

// configList is one kind of Day-2 list: E is an entry as Palette shows it,
// I as a PUT sends it.
type configList[E, I any] struct {
	what string // "namespace", "RBAC entry"
	// Method expressions of the client: the client comes first.
	get    func(*palette.Client, context.Context, string) ([]E, error)
	put    func(*palette.Client, context.Context, string, []I) error
	putOne func(*palette.Client, context.Context, string, I) error
	meta   func(*E) *wire.ObjectMeta
	input  func(*E) I

	mu    sync.Mutex
	locks map[string]chan struct{} // cluster uid → write lock (a one-slot semaphore, so waiting honours ctx)
	reads map[string]*listRead[E]  // cluster uid → this run's read
}

// listRead is one read of a cluster's list, shared by concurrent callers.
type listRead[E any] struct {
	done  chan struct{}
	items []E
	err   error
}

func newNamespaceList() *configList[wire.ClusterNamespaceResource, wire.ClusterNamespaceResourceInputEntity] {
	return &configList[wire.ClusterNamespaceResource, wire.ClusterNamespaceResourceInputEntity]{
		what:   "namespace",
		get:    (*palette.Client).GetClusterNamespaces,
		put:    (*palette.Client).PutClusterNamespaces,
		putOne: (*palette.Client).PutClusterNamespace,
		meta:   func(e *wire.ClusterNamespaceResource) *wire.ObjectMeta { return &e.Metadata },
		input:  (*wire.ClusterNamespaceResource).Input,
	}
}

func newRbacList() *configList[wire.ClusterRbac, wire.ClusterRbacInputEntity] {
	return &configList[wire.ClusterRbac, wire.ClusterRbacInputEntity]{
		what:   "RBAC entry",
		get:    (*palette.Client).GetClusterRbacs,
		put:    (*palette.Client).PutClusterRbacs,
		putOne: (*palette.Client).PutClusterRbac,
		meta:   func(e *wire.ClusterRbac) *wire.ObjectMeta { return &e.Metadata },
		input:  (*wire.ClusterRbac).Input,
	}
}

// namespaceList and rbacList return the run's lists, made on first use.
func (pd *providerData) namespaceList() *configList[wire.ClusterNamespaceResource, wire.ClusterNamespaceResourceInputEntity] {
	pd.namespacesOnce.Do(func() { pd.namespaces = newNamespaceList() })
	return pd.namespaces
}

func (pd *providerData) rbacList() *configList[wire.ClusterRbac, wire.ClusterRbacInputEntity] {
	pd.rbacsOnce.Do(func() { pd.rbacs = newRbacList() })
	return pd.rbacs
}

// read returns cluster uid's list: read once per run, shared by every
// caller (a refresh of N resources of one cluster costs one request). A
// failed read is not kept: the next caller asks again.
func (l *configList[E, I]) read(ctx context.Context, c *palette.Client, uid string) ([]E, error) {
	l.mu.Lock()
	if l.reads == nil {
		l.reads = map[string]*listRead[E]{}
	}
	r, ok := l.reads[uid]
	if !ok {
		r = &listRead[E]{done: make(chan struct{})}
		l.reads[uid] = r
		l.mu.Unlock()
		r.items, r.err = l.get(c, ctx, uid)
		if r.err != nil {
			l.mu.Lock()
			if l.reads[uid] == r {
				delete(l.reads, uid)
			}
			l.mu.Unlock()
		}
		close(r.done)
		return r.items, r.err
	}
	l.mu.Unlock()
	select {
	case <-r.done:
		return r.items, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for the %ss of cluster %s: %w", l.what, uid, ctx.Err())
	}
}

// remember makes items what later reads of cluster uid get.
func (l *configList[E, I]) remember(uid string, items []E) {
	r := &listRead[E]{done: make(chan struct{}), items: items}
	close(r.done)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reads == nil {
		l.reads = map[string]*listRead[E]{}
	}
	l.reads[uid] = r
}

// forget drops what reads of cluster uid share (after a failed write, whose
// outcome only a new read tells).
func (l *configList[E, I]) forget(uid string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.reads, uid)
}

// lock takes cluster uid's write lock, waiting at most until ctx ends.
func (l *configList[E, I]) lock(ctx context.Context, uid string) (unlock func(), err error) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]chan struct{}{}
	}
	ch, ok := l.locks[uid]
	if !ok {
		ch = make(chan struct{}, 1)
		l.locks[uid] = ch
	}
	l.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another write to the %ss of cluster %s: %w", l.what, uid, ctx.Err())
	}
}

// errEntryUnchanged tells modify that nothing is to be written.
var errEntryUnchanged = errors.New("unchanged")

// rmw is one read-modify-write of cluster uid's list under its lock:
// prepare gets the latest list and returns the write to make (or
// errEntryUnchanged: nothing is written). It returns the list as Palette
// shows it afterwards. When the write fails, the list is read again, so
// that the caller can tell what Palette holds (after, possibly nil when
// that read fails too).
func (l *configList[E, I]) rmw(ctx context.Context, c *palette.Client, uid string, prepare func(latest []E) (write func() error, err error)) (after []E, err error) {
	unlock, err := l.lock(ctx, uid)
	if err != nil {
		return nil, err
	}
	defer unlock()
	latest, err := l.get(c, ctx, uid)
	if err != nil {
		return nil, err
	}
	write, err := prepare(latest)
	if errors.Is(err, errEntryUnchanged) {
		l.remember(uid, latest)
		return latest, nil
	}
	if err != nil {
		return latest, err
	}
	return l.afterWrite(ctx, c, uid, write())
}

// modify is rmw with the list PUT: change returns the whole list to send.
func (l *configList[E, I]) modify(ctx context.Context, c *palette.Client, uid string, change func([]E) ([]I, error)) ([]E, error) {
	return l.rmw(ctx, c, uid, func(latest []E) (func() error, error) {
		send, err := change(latest)
		return func() error { return l.put(c, ctx, uid, send) }, err
	})
}

// afterWrite reads the list after a write and shares it with later reads;
// a write error is returned with the list as read afterwards.
func (l *configList[E, I]) afterWrite(ctx context.Context, c *palette.Client, uid string, werr error) ([]E, error) {
	after, rerr := l.get(c, ctx, uid)
	if rerr != nil {
		l.forget(uid)
		if werr != nil {
			return nil, werr
		}
		return nil, fmt.Errorf("reading the %ss of cluster %s after the change: %w", l.what, uid, rerr)
	}
	l.remember(uid, after)
	return after, werr
}

// inputs are the entries of list as a PUT sends them back.
func (l *configList[E, I]) inputs(list []E) []I {
	out := make([]I, 0, len(list)+1)
	for i := range list {
		out = append(out, l.input(&list[i]))
	}
	return out
}

// withSpec returns raw (a spec as Palette sent it, possibly empty) with the
// given keys set (a nil value removes the key), so that an entry sent back
// keeps what Palette holds beyond what the resource manages.
func withSpec(raw json.RawMessage, set map[string]any) (json.RawMessage, error) {
	m := map[string]any{}
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("decoding the entry's spec: %w", err)
		}
	}
	for k, v := range set {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// find returns the entry of list with uid (when given) or else name; nil
// when none has.
func (l *configList[E, I]) find(list []E, uid, name string) *E {
	if uid != "" {
		for i := range list {
			if l.meta(&list[i]).UID == uid {
				return &list[i]
			}
		}
	}
	if name == "" {
		return nil
	}
	for i := range list {
		if l.meta(&list[i]).Name == name {
			return &list[i]
		}
	}
	return nil
}

// without returns list without the entry of that uid, as a PUT sends it.
func (l *configList[E, I]) without(list []E, uid string) []I {
	out := make([]I, 0, len(list))
	for i := range list {
		if l.meta(&list[i]).UID != uid {
			out = append(out, l.input(&list[i]))
		}
	}
	return out
}

// configEntryID is the ID of a Day-2 resource: <cluster_uid>:<name>.
func configEntryID(clusterUID, name string) string { return clusterScopedID(clusterUID, name) }

// parseConfigEntryID splits <cluster_uid>:<name>.
func parseConfigEntryID(id, nameWhat string) (clusterUID, name string, err error) {
	c, n, ok := splitClusterScopedID(id)
	if !ok || n == "" {
		return "", "", fmt.Errorf("%q is not <cluster_uid>:<%s> (the cluster's 24-hex-character UID, a colon, the %s)", id, nameWhat, nameWhat)
	}
	return c, n, nil
}

// importConfigEntry reads the cluster UID and entry name of an import of a
// Day-2 resource: the ID `<cluster_uid>:<name>`, or (Terraform 1.12 or
// later) the identity { cluster_id, name }. It also sets the identity.
func importConfigEntry(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, nameWhat string) (clusterUID, name string, ok bool) {
	id := req.ID
	if id == "" {
		c := identityString(ctx, req.Identity, "cluster_id", &resp.Diagnostics)
		n := identityString(ctx, req.Identity, "name", &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return "", "", false
		}
		id = configEntryID(c, n)
	}
	clusterUID, name, err := parseConfigEntryID(id, nameWhat)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error()+".")
		return "", "", false
	}
	setConfigEntryIdentity(ctx, resp.Identity, clusterUID, name, &resp.Diagnostics)
	return clusterUID, name, true
}

func setConfigEntryIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, clusterUID, name string, diags *diag.Diagnostics) {
	setIdentity(ctx, id, diags, map[string]string{"cluster_id": clusterUID, "name": name})
}

// createEntry adds the entry named name (built by build) to cluster cid's
// list. When the list has an entry of that name already, it returns it as
// existing and writes nothing. When the write fails but the list read
// afterwards holds the entry as planned (same reports it), the answer was
// lost and the entry is returned; otherwise the error.
func (l *configList[E, I]) createEntry(ctx context.Context, c *palette.Client, cid, name string, build func() (I, error), same func(*E) bool) (entry, existing *E, err error) {
	after, err := l.modify(ctx, c, cid, func(latest []E) ([]I, error) {
		if existing = l.find(latest, "", name); existing != nil {
			return nil, errEntryExists
		}
		in, err := build()
		if err != nil {
			return nil, err
		}
		return append(l.inputs(latest), in), nil
	})
	if errors.Is(err, errEntryExists) {
		return nil, existing, nil
	}
	entry = l.find(after, "", name)
	switch {
	case err != nil && (entry == nil || !same(entry)):
		return nil, nil, err
	case entry == nil:
		return nil, nil, fmt.Errorf("palette accepted %s %q but does not list it", l.what, name)
	}
	return entry, nil, nil
}

// changeEntry updates the entry uid (or name) of cluster cid's list with
// the single-entry PUT (build gets Palette's entry). It returns the entry as
// Palette shows it afterwards (nil when gone) and whether the list could be
// read afterwards (so that the state can say what Palette holds).
func (l *configList[E, I]) changeEntry(ctx context.Context, c *palette.Client, cid, uid, name string, build func(*E) (I, error)) (entry *E, known bool, err error) {
	// The single-entry PUT leaves the other entries alone.
	after, err := l.rmw(ctx, c, cid, func(latest []E) (func() error, error) {
		e := l.find(latest, uid, name)
		if e == nil {
			return nil, fmt.Errorf("%s %q: %w (removed outside Terraform: `terraform apply` again configures it anew)", l.what, name, errEntryNotFound)
		}
		entry, err := build(e)
		return func() error { return l.putOne(c, ctx, cid, entry) }, err
	})
	entry = l.find(after, uid, name)
	if err == nil && entry == nil {
		err = fmt.Errorf("palette accepted %s %q but no longer lists it", l.what, name)
	}
	return entry, after != nil, err
}

// removeEntry removes the entry uid (or name) from cluster cid's list;
// an entry or cluster already gone is success.
func (l *configList[E, I]) removeEntry(ctx context.Context, c *palette.Client, cid, uid, name string) error {
	after, err := l.modify(ctx, c, cid, func(latest []E) ([]I, error) {
		e := l.find(latest, uid, name)
		if e == nil {
			return nil, errEntryUnchanged
		}
		return l.without(latest, l.meta(e).UID), nil
	})
	switch {
	case err == nil:
		return nil
	case after == nil && errors.Is(err, palette.ErrNotFound):
		return nil // the cluster is gone, and its entries with it
	case after != nil && l.find(after, uid, name) == nil:
		return nil // the answer was lost, but the entry is gone
	}
	return err
}

// errEntryExists: the cluster's list has an entry of that name already.
var errEntryExists = errors.New("already in the cluster's list")

// warnEntryErrors reports the errors Palette shows for an entry (what the
// agent could not apply in the cluster) as a warning.
func warnEntryErrors(what, name string, errs []wire.ClusterResourceError, diags *diag.Diagnostics) {
	if len(errs) == 0 {
		return
	}
	diags.AddWarning(fmt.Sprintf("Palette reports errors for %s %q", what, name),
		"The cluster's agent could not apply it:\n  "+strings.Join(entryErrors(errs), "\n  "))
}

// Day-2 entries are written in one request each; the timeouts bound the wait
// for the cluster's lock (other writes of the run) and the retries.
const defaultConfigEntryTimeout = 5 * time.Minute

// errEntryNotFound: the cluster's list has no such entry (test with
// errors.Is); a cluster that is gone is palette.ErrNotFound.
var errEntryNotFound = errors.New("not in the cluster's list")

// goneEntry reports whether err says that an entry or its cluster is gone.
func goneEntry(err error) bool {
	return errors.Is(err, errEntryNotFound) || errors.Is(err, palette.ErrNotFound)
}

// entryErrors are the errors Palette reports for an entry, one line each.
func entryErrors(errs []wire.ClusterResourceError) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		line := e.Msg
		if e.Name != "" {
			line = e.Name + ": " + line
		}
		out = append(out, line)
	}
	return out
}

// entryRules are the plan-time rules of a new Day-2 entry beyond its
// cluster's: twice reports a second resource of the configuration with the
// same entry, exists an entry of that name made outside the resource.
type entryRules struct {
	feature clusterFeature
	claim   string // the ownership claim's prefix: "namespace", "rbac"
	twice   func(clusterUID, name string) *ruleViolation
	exists  func(clusterUID, name, uid string) *ruleViolation
}

// planEntry runs, in ModifyPlan, the rules shared by the Day-2 resources
// when the cluster is known: the cluster exists and is Full Permission;
// and, for a new entry, its ID, that no other resource of the configuration
// has it, and that the cluster's list (read once per run) has no entry of
// that name yet.
func (l *configList[E, I]) planEntry(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, rules entryRules) {
	var clusterID, name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("cluster_id"), &clusterID)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() || !known(clusterID) {
		return
	}
	cid := clusterID.ValueString()
	creating := req.State.Raw.IsNull()
	if !planConfigCluster(ctx, pd, cid, rules.feature, creating, &resp.Diagnostics) || !creating || !known(name) {
		return
	}
	n := name.ValueString()
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), configEntryID(cid, n))...)
	if _, conflict := pd.ownership().claim(phasePlan, rules.claim+"/"+configEntryID(cid, n), ""); conflict {
		rules.twice(cid, n).addTo(&resp.Diagnostics)
		return
	}
	list, err := l.read(ctx, pd.client, cid)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("cluster_id"), fmt.Sprintf("Error reading the cluster's %ss", l.what),
			fmt.Sprintf("Cluster %s: %s", cid, err))
		return
	}
	if e := l.find(list, "", n); e != nil {
		rules.exists(cid, n, l.meta(e).UID).addAtPlanTo(&resp.Diagnostics)
	}
}

// claimEntry claims, at apply time, the entry name of cluster cid for the
// resource creating it; false after the diagnostic of a second claim.
func (pd *providerData) claimEntry(rules entryRules, cid, name string, diags *diag.Diagnostics) bool {
	if _, conflict := pd.ownership().claim(phaseApply, rules.claim+"/"+configEntryID(cid, name), ""); conflict {
		rules.twice(cid, name).addTo(diags)
		return false
	}
	return true
}

// stateAfterFailedChange makes the state of an update whose write failed
// say what Palette holds: the entry as read after the write (flatten sets
// the model from it), gone when the list no longer has it, or else (the
// list could not be read) the prior state.
func stateAfterFailedChange[E, M any](ctx context.Context, state *tfsdk.State, prior *M, e *E, listed bool, flatten func(*M, *E), diags *diag.Diagnostics) {
	switch {
	case e != nil:
		flatten(prior, e)
		diags.Append(state.Set(ctx, prior)...)
	case listed:
		state.RemoveResource(ctx)
	default:
		diags.Append(state.Set(ctx, prior)...)
	}
}
