package localapi

// A cluster's namespaces with their resource allocation and its RBAC
// bindings (GET/PUT /v1/spectroclusters/{uid}/config/namespaces and
// …/config/rbacs, and the single entries …/{namespaceUid} and …/{rbacUid}),
// which the agent applies; and its upgrade settings (POST
// …/upgrade/settings), stored as given.
//
// A list PUT replaces the whole list: an entry with a uid keeps it (and its
// creation time and errors), an entry without one gets a new one, an entry
// left out is removed (the agent removes what it created for it). Entries
// are validated as Kubernetes and Palette would: names, quotas, binding
// types, role kinds and subjects. Imported clusters need Full Permission
// for either list.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/terraform-palette/terraform-provider-palette/internal/manifest"
	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// configInput is one entry of a list PUT, or the body of a single-entry
// PUT (v1ClusterNamespaceResourceInputEntity, v1ClusterRbacInputEntity).
type configInput struct {
	Metadata wire.ObjectMetaUpdateEntity
	Spec     json.RawMessage
}

// configKind is what differs between the namespace and RBAC lists.
type configKind struct {
	// kind is the store's kind (kindNamespaces, kindRbacs).
	kind string
	// entry names one entry in messages.
	entry string
	// readOnlyCode and readOnlyWhat refuse a read-only cluster.
	readOnlyCode, readOnlyWhat string
	// spec validates one entry (where names it in messages) and returns
	// its spec as stored.
	spec func(where string, meta wire.ObjectMetaUpdateEntity, raw json.RawMessage) (string, error)
	// list validates the entries of a list together.
	list func(entries []configEntry) error
}

var (
	namespacesKind = configKind{
		kind: kindNamespaces, entry: "namespace",
		readOnlyCode: wire.CodeNamespacesRequireFullPermission, readOnlyWhat: "namespaces",
		spec: namespaceSpec, list: checkNamespaceList,
	}
	rbacsKind = configKind{
		kind: kindRbacs, entry: "RBAC entry",
		readOnlyCode: wire.CodeRbacsRequireFullPermission, readOnlyWhat: "RBAC bindings",
		spec: rbacSpec, list: checkRbacList,
	}
)

// reservedNamespaces are the namespaces Kubernetes creates itself; a
// namespace entry may not name them.
var reservedNamespaces = map[string]bool{
	"default": true, "kube-system": true, "kube-public": true, "kube-node-lease": true,
}

// GET /v1/spectroclusters/{uid}/config/namespaces.
func (s *Server) getNamespaces(w http.ResponseWriter, r *http.Request, c *call) error {
	entries, err := s.configEntries(r, c, kindNamespaces)
	if err != nil {
		return err
	}
	out := wire.ClusterNamespaceResources{Items: make([]wire.ClusterNamespaceResource, 0, len(entries))}
	for _, e := range entries {
		item, err := namespaceResource(e)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, item)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GET /v1/spectroclusters/{uid}/config/namespaces/{namespaceUid}.
func (s *Server) getNamespace(w http.ResponseWriter, r *http.Request, c *call) error {
	e, err := s.configEntry(r, c, namespacesKind, r.PathValue("namespaceUid"))
	if err != nil {
		return err
	}
	item, err := namespaceResource(*e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, item)
	return nil
}

// PUT /v1/spectroclusters/{uid}/config/namespaces.
func (s *Server) putNamespaces(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ClusterNamespaceResourcesUpdateEntity
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	in := make([]configInput, len(req.Namespaces))
	for i, e := range req.Namespaces {
		in[i] = configInput{e.Metadata, e.Spec}
	}
	return s.putConfigList(w, r, c, namespacesKind, "namespaces", in)
}

// PUT /v1/spectroclusters/{uid}/config/namespaces/{namespaceUid}.
func (s *Server) putNamespace(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ClusterNamespaceResourceInputEntity
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	return s.putConfigEntry(w, r, c, namespacesKind, r.PathValue("namespaceUid"), configInput{req.Metadata, req.Spec})
}

// GET /v1/spectroclusters/{uid}/config/rbacs.
func (s *Server) getRbacs(w http.ResponseWriter, r *http.Request, c *call) error {
	entries, err := s.configEntries(r, c, kindRbacs)
	if err != nil {
		return err
	}
	out := wire.ClusterRbacs{Items: make([]wire.ClusterRbac, 0, len(entries))}
	for _, e := range entries {
		item, err := rbacResource(e)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, item)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// GET /v1/spectroclusters/{uid}/config/rbacs/{rbacUid}.
func (s *Server) getRbac(w http.ResponseWriter, r *http.Request, c *call) error {
	e, err := s.configEntry(r, c, rbacsKind, r.PathValue("rbacUid"))
	if err != nil {
		return err
	}
	item, err := rbacResource(*e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, item)
	return nil
}

// PUT /v1/spectroclusters/{uid}/config/rbacs.
func (s *Server) putRbacs(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ClusterRbacResourcesUpdateEntity
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	in := make([]configInput, len(req.Rbacs))
	for i, e := range req.Rbacs {
		in[i] = configInput{e.Metadata, e.Spec}
	}
	return s.putConfigList(w, r, c, rbacsKind, "rbacs", in)
}

// PUT /v1/spectroclusters/{uid}/config/rbacs/{rbacUid}.
func (s *Server) putRbac(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ClusterRbacInputEntity
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	return s.putConfigEntry(w, r, c, rbacsKind, r.PathValue("rbacUid"), configInput{req.Metadata, req.Spec})
}

// liveCluster is findCluster, with a Deleted cluster not found either.
func (s *Server) liveCluster(ctx context.Context, q queryer, c *call, uid string) (*clusterRow, error) {
	row, err := s.findCluster(ctx, q, c, uid)
	if err != nil {
		return nil, err
	}
	if row.State == wire.StateDeleted {
		return nil, clusterNotFound(c, uid)
	}
	return row, nil
}

// configEntries reads the entries of a kind of the cluster of the path.
func (s *Server) configEntries(r *http.Request, c *call, kind string) ([]configEntry, error) {
	row, err := s.liveCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return nil, err
	}
	return loadConfigEntries(r.Context(), s.st.db, row.UID, kind)
}

// configEntry reads one entry of the cluster of the path (404 when the
// cluster has none with the UID).
func (s *Server) configEntry(r *http.Request, c *call, k configKind, entryUID string) (*configEntry, error) {
	entries, err := s.configEntries(r, c, k.kind)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.UID == entryUID {
			return &e, nil
		}
	}
	return nil, notFound("cluster '%s' has no %s '%s'", r.PathValue("uid"), k.entry, entryUID)
}

// changeConfig runs fn in one write transaction with the cluster of the
// path and its entries of a kind, once the cluster may take them: it exists
// and is not Deleted (404), is not being deleted (409) and, when fn is to
// store entries (some is true), has Full Permission. fn returns the new
// list, which is validated and stored; the answer is 204.
func (s *Server) changeConfig(w http.ResponseWriter, r *http.Request, c *call, k configKind, some bool,
	fn func(row *clusterRow, old []configEntry) ([]configEntry, error)) error {
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		switch {
		case row.State == wire.StateDeleted:
			return clusterNotFound(c, row.UID)
		case some && row.ImportMode == wire.ImportModeReadOnly:
			return errf(http.StatusBadRequest, k.readOnlyCode,
				"cluster '%s' was imported read-only: %s require Full Permission", row.UID, k.readOnlyWhat)
		case row.State == wire.StateDeleting:
			return errf(http.StatusConflict, wire.CodeConflict, "cluster '%s' is %s", row.UID, row.State)
		}
		old, err := loadConfigEntries(ctx, tx, row.UID, k.kind)
		if err != nil {
			return err
		}
		next, err := fn(row, old)
		if err != nil {
			return err
		}
		if err := k.list(next); err != nil {
			return err
		}
		return replaceConfigEntries(ctx, tx, row.UID, k.kind, next)
	})
}

// putConfigList replaces the cluster's whole list of a kind.
func (s *Server) putConfigList(w http.ResponseWriter, r *http.Request, c *call, k configKind, field string, in []configInput) error {
	return s.changeConfig(w, r, c, k, len(in) > 0, func(row *clusterRow, old []configEntry) ([]configEntry, error) {
		byUID := map[string]configEntry{}
		for _, e := range old {
			byUID[e.UID] = e
		}
		seen := map[string]bool{}
		next := make([]configEntry, 0, len(in))
		for i, e := range in {
			where := fmt.Sprintf("%s[%d]", field, i)
			var prev *configEntry
			if uid := e.Metadata.UID; uid != "" {
				p, ok := byUID[uid]
				if !ok {
					return nil, badRequest("%s: cluster '%s' has no %s '%s' (leave metadata.uid out to add one)", where, row.UID, k.entry, uid)
				}
				if seen[uid] {
					return nil, badRequest("%s: %s '%s' is listed twice", where, k.entry, uid)
				}
				seen[uid] = true
				prev = &p
			}
			entry, err := s.configEntryOf(k, where, e, prev)
			if err != nil {
				return nil, err
			}
			next = append(next, entry)
		}
		return next, nil
	})
}

// putConfigEntry replaces one entry of the cluster's list of a kind.
func (s *Server) putConfigEntry(w http.ResponseWriter, r *http.Request, c *call, k configKind, entryUID string, in configInput) error {
	if in.Metadata.UID != "" && in.Metadata.UID != entryUID {
		return badRequest("metadata.uid '%s' is not the %s of the path, '%s'", in.Metadata.UID, k.entry, entryUID)
	}
	return s.changeConfig(w, r, c, k, true, func(row *clusterRow, old []configEntry) ([]configEntry, error) {
		next := make([]configEntry, len(old))
		copy(next, old)
		for i, e := range next {
			if e.UID != entryUID {
				continue
			}
			entry, err := s.configEntryOf(k, fmt.Sprintf("%s '%s'", k.entry, entryUID), in, &e)
			if err != nil {
				return nil, err
			}
			next[i] = entry
			return next, nil
		}
		return nil, notFound("cluster '%s' has no %s '%s'", row.UID, k.entry, entryUID)
	})
}

// configEntryOf validates an entry as sent and makes it the entry to store:
// prev's (when it replaces one) with the new metadata and spec, or a new
// entry with a new UID.
func (s *Server) configEntryOf(k configKind, where string, in configInput, prev *configEntry) (configEntry, error) {
	if err := checkLabels(where+": metadata.labels", in.Metadata.Labels); err != nil {
		return configEntry{}, err
	}
	spec, err := k.spec(where, in.Metadata, in.Spec)
	if err != nil {
		return configEntry{}, err
	}
	now := s.now().UTC()
	e := configEntry{UID: newUID(), Created: now, Modified: now}
	if prev != nil {
		e = *prev
	}
	changed := prev == nil || e.Name != in.Metadata.Name || e.Spec != spec ||
		!maps.Equal(e.Labels, in.Metadata.Labels) || !maps.Equal(e.Annotations, in.Metadata.Annotations)
	e.Name, e.Labels, e.Annotations, e.Spec = in.Metadata.Name, in.Metadata.Labels, in.Metadata.Annotations, spec
	if changed {
		e.Modified = now
	}
	return e, nil
}

// configMeta is the metadata of an entry as the API shows it.
func configMeta(e configEntry) wire.ObjectMeta {
	created, modified := e.Created, e.Modified
	return wire.ObjectMeta{
		UID: e.UID, Name: e.Name, Labels: maps.Clone(e.Labels), Annotations: maps.Clone(e.Annotations),
		CreationTimestamp: &created, LastModifiedTimestamp: &modified,
	}
}

// namespaceResource is a stored namespace entry as the API shows it
// (v1ClusterNamespaceResource). spec.resourceAllocation is never null:
// Spectro Cloud's Terraform provider reads it without a check.
func namespaceResource(e configEntry) (wire.ClusterNamespaceResource, error) {
	var spec wire.ClusterNamespaceSpec
	if err := json.Unmarshal([]byte(e.Spec), &spec); err != nil {
		return wire.ClusterNamespaceResource{}, fmt.Errorf("decoding the spec of namespace entry %s: %w", e.UID, err)
	}
	if spec.ResourceAllocation == nil {
		spec.ResourceAllocation = &wire.ClusterNamespaceResourceAllocation{}
	}
	return wire.ClusterNamespaceResource{
		Metadata: configMeta(e), Spec: spec, Status: &wire.ClusterNamespaceStatus{Errors: e.Errors},
	}, nil
}

// rbacResource is a stored RBAC entry as the API shows it (v1ClusterRbac).
func rbacResource(e configEntry) (wire.ClusterRbac, error) {
	var spec wire.ClusterRbacSpec
	if err := json.Unmarshal([]byte(e.Spec), &spec); err != nil {
		return wire.ClusterRbac{}, fmt.Errorf("decoding the spec of RBAC entry %s: %w", e.UID, err)
	}
	return wire.ClusterRbac{Metadata: configMeta(e), Spec: spec, Status: &wire.ClusterRbacStatus{Errors: e.Errors}}, nil
}

// namespaceSpecInput is v1ClusterNamespaceSpec as sent, with pointers where
// a value given must be told from one left out.
type namespaceSpecInput struct {
	IsRegex            bool `json:"isRegex"`
	ResourceAllocation *struct {
		CPUCores  *float64 `json:"cpuCores"`
		MemoryMiB *float64 `json:"memoryMiB"`
		GpuConfig *struct {
			Limit    *int32  `json:"limit"`
			Provider *string `json:"provider"`
		} `json:"gpuConfig"`
	} `json:"resourceAllocation"`
}

// gpuProviderNvidia is the only GPU provider of v1GpuConfig.
const gpuProviderNvidia = "nvidia"

// namespaceSpec validates a namespace entry: its name is a DNS-1123 label
// that is neither a namespace Kubernetes creates nor an agent's namespace;
// cpuCores and memoryMiB are > 0 when given; gpuConfig.limit is >= -1.
func namespaceSpec(where string, meta wire.ObjectMetaUpdateEntity, raw json.RawMessage) (string, error) {
	var in namespaceSpecInput
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &in); err != nil {
			return "", badRequest("%s.spec does not match v1ClusterNamespaceSpec: %v", where, err)
		}
	}
	name := meta.Name
	switch {
	case name == "":
		return "", badRequest("%s.metadata.name is required", where)
	case in.IsRegex:
		return "", badRequest("%s: namespace '%s' has spec.isRegex: palette-local manages named namespaces only", where, name)
	}
	if msgs := validation.IsDNS1123Label(name); len(msgs) > 0 {
		return "", badRequest("%s.metadata.name '%s' is not a valid namespace name: %s", where, name, strings.Join(msgs, "; "))
	}
	if reservedNamespaces[name] {
		return "", badRequest("%s: namespace '%s' is one Kubernetes manages itself", where, name)
	}
	if _, ok := manifest.ClusterUIDOf(name); ok {
		return "", badRequest("%s: namespace '%s' is the namespace of a Palette agent", where, name)
	}
	spec := wire.ClusterNamespaceSpec{}
	if a := in.ResourceAllocation; a != nil {
		out := &wire.ClusterNamespaceResourceAllocation{}
		if a.CPUCores != nil {
			if *a.CPUCores <= 0 {
				return "", badRequest("%s.spec.resourceAllocation.cpuCores must be greater than 0, not %v", where, *a.CPUCores)
			}
			out.CPUCores = *a.CPUCores
		}
		if a.MemoryMiB != nil {
			if *a.MemoryMiB <= 0 {
				return "", badRequest("%s.spec.resourceAllocation.memoryMiB must be greater than 0, not %v", where, *a.MemoryMiB)
			}
			out.MemoryMiB = *a.MemoryMiB
		}
		if g := a.GpuConfig; g != nil {
			gpu := &wire.GpuConfig{}
			if g.Limit != nil {
				if *g.Limit < -1 {
					return "", badRequest("%s.spec.resourceAllocation.gpuConfig.limit must be -1 (no limit) or more, not %d", where, *g.Limit)
				}
				gpu.Limit = *g.Limit
			}
			if g.Provider != nil {
				if *g.Provider != gpuProviderNvidia {
					return "", badRequest("%s.spec.resourceAllocation.gpuConfig.provider must be '%s', not '%s'", where, gpuProviderNvidia, *g.Provider)
				}
				gpu.Provider = *g.Provider
			}
			out.GpuConfig = gpu
		}
		spec.ResourceAllocation = out
	}
	return mustJSON(spec), nil
}

// checkNamespaceList refuses a name listed twice.
func checkNamespaceList(entries []configEntry) error {
	seen := map[string]bool{}
	for i, e := range entries {
		if seen[e.Name] {
			return badRequest("namespaces[%d]: namespace '%s' is listed twice", i, e.Name)
		}
		seen[e.Name] = true
	}
	return nil
}

// rbacSpec validates an RBAC entry: its name, when given, is a DNS-1123
// subdomain; a RoleBinding has a namespace, a ClusterRoleBinding none and a
// ClusterRole; roles are Role or ClusterRole; subjects are User, Group or
// ServiceAccount, and a ServiceAccount has a namespace.
func rbacSpec(where string, meta wire.ObjectMetaUpdateEntity, raw json.RawMessage) (string, error) {
	var spec wire.ClusterRbacSpec
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &spec); err != nil {
			return "", badRequest("%s.spec does not match v1ClusterRbacSpec: %v", where, err)
		}
	}
	if meta.Name != "" {
		if msgs := validation.IsDNS1123Subdomain(meta.Name); len(msgs) > 0 {
			return "", badRequest("%s.metadata.name '%s' is not a valid name: %s", where, meta.Name, strings.Join(msgs, "; "))
		}
	}
	if spec.Bindings == nil {
		spec.Bindings = []wire.ClusterRbacBinding{}
	}
	for i := range spec.Bindings {
		b := &spec.Bindings[i]
		at := fmt.Sprintf("%s.spec.bindings[%d]", where, i)
		if b.Role.Kind != wire.RoleKindRole && b.Role.Kind != wire.RoleKindClusterRole {
			return "", badRequest("%s.role.kind must be '%s' or '%s', not '%s'", at, wire.RoleKindRole, wire.RoleKindClusterRole, b.Role.Kind)
		}
		if b.Role.Name == "" {
			return "", badRequest("%s.role.name is required", at)
		}
		if msgs := path.IsValidPathSegmentName(b.Role.Name); len(msgs) > 0 {
			return "", badRequest("%s.role.name '%s' is not a valid role name: %s", at, b.Role.Name, strings.Join(msgs, "; "))
		}
		switch b.Type {
		case wire.BindingTypeRoleBinding:
			if b.Namespace == "" {
				return "", badRequest("%s: a RoleBinding needs a namespace", at)
			}
			if msgs := validation.IsDNS1123Label(b.Namespace); len(msgs) > 0 {
				return "", badRequest("%s.namespace '%s' is not a valid namespace name: %s", at, b.Namespace, strings.Join(msgs, "; "))
			}
		case wire.BindingTypeClusterRoleBinding:
			if b.Namespace != "" {
				return "", badRequest("%s: a ClusterRoleBinding has no namespace (got '%s')", at, b.Namespace)
			}
			if b.Role.Kind != wire.RoleKindClusterRole {
				return "", badRequest("%s: a ClusterRoleBinding binds a ClusterRole, not a %s", at, b.Role.Kind)
			}
		default:
			return "", badRequest("%s.type must be '%s' or '%s', not '%s'", at, wire.BindingTypeRoleBinding, wire.BindingTypeClusterRoleBinding, b.Type)
		}
		if b.Subjects == nil {
			b.Subjects = []wire.ClusterRbacSubjects{}
		}
		for j, sub := range b.Subjects {
			sat := fmt.Sprintf("%s.subjects[%d]", at, j)
			if sub.Name == "" {
				return "", badRequest("%s.name is required", sat)
			}
			switch sub.Type {
			case wire.SubjectUser, wire.SubjectGroup:
			case wire.SubjectServiceAccount:
				if sub.Namespace == "" {
					return "", badRequest("%s: a ServiceAccount needs a namespace", sat)
				}
				if msgs := validation.IsDNS1123Label(sub.Namespace); len(msgs) > 0 {
					return "", badRequest("%s.namespace '%s' is not a valid namespace name: %s", sat, sub.Namespace, strings.Join(msgs, "; "))
				}
				if msgs := validation.IsDNS1123Subdomain(sub.Name); len(msgs) > 0 {
					return "", badRequest("%s.name '%s' is not a valid service account name: %s", sat, sub.Name, strings.Join(msgs, "; "))
				}
			default:
				return "", badRequest("%s.type must be '%s', '%s' or '%s', not '%s'", sat,
					wire.SubjectUser, wire.SubjectGroup, wire.SubjectServiceAccount, sub.Type)
			}
		}
	}
	return mustJSON(spec), nil
}

// checkRbacList refuses a name listed twice, and bindings the agent would
// give one name (manifest.RbacBindingName) or an invalid one.
func checkRbacList(entries []configEntry) error {
	names := map[string]bool{}
	objects := map[string]int{}
	for i, e := range entries {
		if e.Name != "" {
			if names[e.Name] {
				return badRequest("rbacs[%d]: the name '%s' is listed twice", i, e.Name)
			}
			names[e.Name] = true
		}
		var spec wire.ClusterRbacSpec
		if err := json.Unmarshal([]byte(e.Spec), &spec); err != nil {
			return fmt.Errorf("decoding the spec of RBAC entry %s: %w", e.UID, err)
		}
		for j, b := range spec.Bindings {
			name := manifest.RbacBindingName(e.Name, e.UID, j, len(spec.Bindings))
			if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
				return badRequest("rbacs[%d].spec.bindings[%d]: its %s would be named '%s', not a valid name: %s", i, j, b.Type, name, strings.Join(msgs, "; "))
			}
			key := b.Type + "/" + b.Namespace + "/" + name
			if k, ok := objects[key]; ok {
				return badRequest("rbacs[%d].spec.bindings[%d]: its %s would be named '%s' like a binding of rbacs[%d]", i, j, b.Type, name, k)
			}
			objects[key] = i
		}
	}
	return nil
}

// POST /v1/spectroclusters/{uid}/upgrade/settings
// (v1SpectroClustersUidUpgradeSettings): stored, nothing reads it back (the
// spec has no GET of one cluster's settings).
func (s *Server) postUpgradeSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	var req struct {
		SpectroComponents *string `json:"spectroComponents"`
	}
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	if v := req.SpectroComponents; v == nil || (*v != "lock" && *v != "unlock") {
		return badRequest("spectroComponents must be 'lock' or 'unlock'")
	}
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		return storeExtra(ctx, tx, row.UID, "upgradeSettings", mustJSON(req))
	})
}
