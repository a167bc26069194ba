package localapi

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var profileTypes = []string{wire.ProfileTypeCluster, wire.ProfileTypeInfra, wire.ProfileTypeAddOn, wire.ProfileTypeSystem}

// profileRow is a stored profile.
type profileRow struct {
	UID, Scope, Name, Version, Type, CloudType string
	Template                                   wire.ProfileTemplate
	Published                                  *wire.ProfileTemplate
	Created, Modified                          time.Time
}

const profileCols = `uid, scope, name, version, type, cloud_type, template, published, created, modified`

func scanProfile(sc scanner) (*profileRow, error) {
	var (
		p                 profileRow
		tmpl              string
		pub               sql.NullString
		created, modified int64
	)
	if err := sc.Scan(&p.UID, &p.Scope, &p.Name, &p.Version, &p.Type, &p.CloudType, &tmpl, &pub, &created, &modified); err != nil {
		return nil, err
	}
	p.Created, p.Modified = fromNanos(created), fromNanos(modified)
	if err := json.Unmarshal([]byte(tmpl), &p.Template); err != nil {
		return nil, fmt.Errorf("decoding stored template: %w", err)
	}
	if pub.Valid {
		p.Published = &wire.ProfileTemplate{}
		if err := json.Unmarshal([]byte(pub.String), p.Published); err != nil {
			return nil, fmt.Errorf("decoding stored published template: %w", err)
		}
	}
	return &p, nil
}

func profileNotFound(c *call, uid string) *apiError {
	return notFound("ClusterProfile '%s' is not found in the %s", uid, c.scopeName)
}

// visible reports whether a profile of scope ps can be seen from scope cs:
// its own scope, and tenant profiles from every project.
func profileVisible(ps, cs string) bool { return ps == cs || ps == "" }

func (s *Server) findProfile(ctx context.Context, q queryer, c *call, uid string) (*profileRow, error) {
	p, err := scanProfile(q.QueryRowContext(ctx, `SELECT `+profileCols+` FROM profiles WHERE uid = ?`, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, profileNotFound(c, uid)
	}
	if err != nil {
		return nil, fmt.Errorf("loading profile: %w", err)
	}
	if !profileVisible(p.Scope, c.scope) {
		return nil, profileNotFound(c, uid)
	}
	return p, nil
}

func (s *Server) visibleProfiles(ctx context.Context, scope string) ([]*profileRow, error) {
	rows, err := s.st.db.QueryContext(ctx, `SELECT `+profileCols+` FROM profiles WHERE scope = ? OR scope = '' ORDER BY name, version, uid`, scope)
	if err != nil {
		return nil, fmt.Errorf("listing profiles: %w", err)
	}
	defer rows.Close()
	var out []*profileRow
	for rows.Next() {
		p, err := scanProfile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func profileJSON(p *profileRow) wire.ClusterProfile {
	created, modified := p.Created, p.Modified
	var pub *wire.ClusterProfileTemplate
	if p.Published != nil {
		t := publishedTemplate(p.UID, p.Name, p.Version, *p.Published, nil)
		pub = &t
	} else {
		// Never null: an unpublished profile shows an empty published version.
		pub = &wire.ClusterProfileTemplate{UID: p.UID, Name: p.Name, Type: p.Type, CloudType: p.CloudType,
			ProfileVersion: p.Version, Packs: []wire.PackRef{}}
	}
	draft := publishedTemplate(p.UID, p.Name, p.Version, p.Template, nil)
	return wire.ClusterProfile{
		Metadata: wire.ObjectMeta{
			UID: p.UID, Name: p.Name,
			Annotations:       map[string]string{"scope": scopeAnnotation(p.Scope)},
			CreationTimestamp: &created, LastModifiedTimestamp: &modified,
		},
		Spec: wire.ClusterProfileSpec{Version: p.Version, Draft: &draft, Published: pub},
	}
}

// validateProfile checks a profile creation body and fills defaults.
func validateProfile(in *wire.ClusterProfileEntity) error {
	if strings.TrimSpace(in.Metadata.Name) == "" || len(in.Metadata.Name) > 128 {
		return errf(http.StatusBadRequest, wire.CodeInvalidName, "profile name must be 1 to 128 characters")
	}
	t := &in.Spec.Template
	if in.Spec.Version == "" {
		in.Spec.Version = "1.0.0"
	}
	if !slices.Contains(profileTypes, t.Type) {
		return badRequest("spec.template.type must be one of %v, not '%s'", profileTypes, t.Type)
	}
	if t.CloudType == "" {
		t.CloudType = "all"
	}
	if t.Packs == nil {
		t.Packs = []wire.Pack{}
	}
	seen := map[string]bool{}
	for i, p := range t.Packs {
		if p.Name == "" {
			return badRequest("spec.template.packs[%d].name is required", i)
		}
		if seen[p.Name] {
			return badRequest("pack '%s' is listed twice", p.Name)
		}
		seen[p.Name] = true
		if p.Manifests == nil {
			t.Packs[i].Manifests = []wire.ManifestEntry{}
		}
	}
	return nil
}

func (s *Server) insertProfile(ctx context.Context, scope string, in wire.ClusterProfileEntity, publish bool) (string, error) {
	if err := validateProfile(&in); err != nil {
		return "", err
	}
	uid := newUID()
	err := s.st.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM profiles WHERE scope = ? AND name = ? AND version = ?`,
			scope, in.Metadata.Name, in.Spec.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errf(http.StatusConflict, wire.CodeConflict, "profile '%s' version '%s' already exists", in.Metadata.Name, in.Spec.Version)
		}
		now := s.now().UnixNano()
		tmpl := mustJSON(in.Spec.Template)
		var pub any
		if publish {
			pub = tmpl
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO profiles(uid, scope, name, version, type, cloud_type, template, published, created, modified)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			uid, scope, in.Metadata.Name, in.Spec.Version, in.Spec.Template.Type, in.Spec.Template.CloudType, tmpl, pub, now, now)
		return err
	})
	if err != nil {
		return "", err
	}
	return uid, nil
}

// CreateProfile creates and publishes a profile in a project (projectUID) or,
// when projectUID is empty, in the tenant. in carries metadata.name,
// spec.version and spec.template.
func (s *Server) CreateProfile(ctx context.Context, in wire.ClusterProfileEntity, projectUID string) (string, error) {
	if projectUID != "" {
		if _, err := s.st.projectName(ctx, projectUID); err != nil {
			return "", fmt.Errorf("project %s: %w", projectUID, err)
		}
	}
	uid, err := s.insertProfile(ctx, projectUID, in, true)
	if err != nil {
		return "", fmt.Errorf("creating profile: %w", err)
	}
	return uid, nil
}

// POST /v1/clusterprofiles.
func (s *Server) createProfileHandler(w http.ResponseWriter, r *http.Request, c *call) error {
	var in wire.ClusterProfileEntity
	if err := decodeBody(r, &in, true); err != nil {
		return err
	}
	uid, err := s.insertProfile(r.Context(), c.scope, in, r.URL.Query().Get("publish") == "true")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wire.UIDResponse{UID: uid})
	return nil
}

// PATCH /v1/clusterprofiles/{uid}/publish.
func (s *Server) publishProfile(w http.ResponseWriter, r *http.Request, c *call) error {
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		p, err := s.findProfile(r.Context(), tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		if p.Scope != c.scope {
			return forbidden("profile '%s' belongs to the tenant and cannot be published from a project", p.UID)
		}
		_, err = tx.ExecContext(r.Context(), `UPDATE profiles SET published = template, modified = ? WHERE uid = ?`, s.now().UnixNano(), p.UID)
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GET /v1/clusterprofiles/{uid}.
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, c *call) error {
	p, err := s.findProfile(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, profileJSON(p))
	return nil
}

// GET /v1/dashboard/clusterprofiles/metadata.
func (s *Server) profilesMetadata(w http.ResponseWriter, r *http.Request, c *call) error {
	all, err := s.visibleProfiles(r.Context(), c.scope)
	if err != nil {
		return err
	}
	out := wire.ProfilesMetadata{Items: make([]wire.ProfileMetadataItem, 0, len(all))}
	for _, p := range all {
		out.Items = append(out.Items, wire.ProfileMetadataItem{
			Metadata: wire.NameUID{Name: p.Name, UID: p.UID},
			Spec:     wire.ProfileMetadataSpec{CloudType: p.CloudType, Version: p.Version},
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// POST /v1/dashboard/clusterprofiles?limit=&continue=: the body is
// v1ClusterProfilesFilterSpec (profileName, version, profileType, scope).
func (s *Server) searchProfiles(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.ProfileFilterSpec
	if err := decodeBody(r, &req, false); err != nil {
		return err
	}
	pg, err := parsePaging(r, wire.SearchRequest{})
	if err != nil {
		return err
	}
	all, err := s.visibleProfiles(r.Context(), c.scope)
	if err != nil {
		return err
	}
	f := req.Filter
	var matched []*profileRow
	for _, p := range all {
		if f.ProfileName != nil && f.ProfileName.Eq != "" && p.Name != f.ProfileName.Eq {
			continue
		}
		if f.Version != nil && f.Version.Eq != "" && p.Version != f.Version.Eq {
			continue
		}
		if len(f.ProfileType) > 0 && !slices.Contains(f.ProfileType, p.Type) {
			continue
		}
		if f.Scope != "" && scopeAnnotation(p.Scope) != f.Scope {
			continue
		}
		matched = append(matched, p)
	}
	sorts := make([]wire.SortSpec, 0, len(req.Sort))
	for _, sp := range req.Sort {
		sorts = append(sorts, wire.SortSpec(sp))
	}
	if err := sortProfiles(matched, sorts); err != nil {
		return err
	}
	page, lm := pg.page(len(matched))
	out := wire.ProfileSearchResponse{Items: make([]wire.ProfileSearchItem, 0, page.end-page.start), ListMeta: lm}
	for _, p := range matched[page.start:page.end] {
		j := profileJSON(p)
		out.Items = append(out.Items, wire.ProfileSearchItem{
			Metadata: j.Metadata,
			SpecSummary: wire.ProfileSpecSummary{
				Published: &wire.ProfileTemplateSummary{Type: p.Type, CloudType: p.CloudType},
				Version:   p.Version,
			},
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// attachment is a profile attached to a cluster, with the profile's published version.
type attachment struct {
	clusterUID, profileUID, name, typ, version string
	position                                   int
	published                                  wire.ProfileTemplate
	packValues                                 []wire.Pack
	variables                                  []wire.Variable
}

func loadAttachments(ctx context.Context, q queryer, clusterUID string) ([]attachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+attachmentCols+` FROM attachments a JOIN profiles p ON p.uid = a.profile_uid
		WHERE a.cluster_uid = ? ORDER BY a.position`, clusterUID)
	if err != nil {
		return nil, fmt.Errorf("loading attachments: %w", err)
	}
	return scanAttachments(rows)
}

// attachmentCols are the columns scanAttachments reads.
const attachmentCols = `a.cluster_uid, a.profile_uid, p.name, p.type, p.version, a.position, COALESCE(p.published, p.template), a.pack_values, a.variables`

// scanAttachments reads rows of attachmentCols; it closes rows.
func scanAttachments(rows *sql.Rows) ([]attachment, error) {
	defer rows.Close()
	var out []attachment
	for rows.Next() {
		var a attachment
		var pub, pv, vars string
		if err := rows.Scan(&a.clusterUID, &a.profileUID, &a.name, &a.typ, &a.version, &a.position, &pub, &pv, &vars); err != nil {
			return nil, err
		}
		if err := unmarshalColumns([]string{pub, pv, vars}, []any{&a.published, &a.packValues, &a.variables}); err != nil {
			return nil, err
		}
		if a.packValues == nil {
			a.packValues = []wire.Pack{}
		}
		if a.variables == nil {
			a.variables = []wire.Variable{}
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// GET /v1/spectroclusters/{uid}/profiles: v1SpectroClusterProfileList,
// each pack with its whole values as the cluster has them (the profile's,
// or the attachment's packValues, which replace them).
func (s *Server) getClusterProfiles(w http.ResponseWriter, r *http.Request, c *call) error {
	row, err := s.findCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return err
	}
	atts, err := loadAttachments(r.Context(), s.st.db, row.UID)
	if err != nil {
		return err
	}
	out := wire.ClusterProfiles{Profiles: make([]wire.AttachedProfile, 0, len(atts))}
	for _, a := range atts {
		out.Profiles = append(out.Profiles, attachedProfileJSON(a))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) patchClusterProfiles(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.changeProfiles(w, r, c, false)
}

func (s *Server) putClusterProfiles(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.changeProfiles(w, r, c, true)
}

// plannedAttachment is one entry of a PATCH/PUT after resolving swaps.
type plannedAttachment struct {
	entry   wire.ProfileAttachment
	newUID  string
	oldUID  string // the attached profile it replaces, if any
	profile *profileRow
}

// changeProfiles implements PATCH (add or update the listed, keep the rest;
// replaceWithProfile swaps in place) and PUT (replace the set).
func (s *Server) changeProfiles(w http.ResponseWriter, r *http.Request, c *call, replaceAll bool) error {
	var req wire.ProfilesRequest
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		ctx := r.Context()
		row, err := s.findCluster(ctx, tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		atts, err := loadAttachments(ctx, tx, row.UID)
		if err != nil {
			return err
		}
		attached := map[string]attachment{}
		for _, a := range atts {
			attached[a.profileUID] = a
		}
		var plan []plannedAttachment
		seen := map[string]bool{}
		for i, e := range req.Profiles {
			if e.UID == "" {
				return badRequest("profiles[%d].uid is required", i)
			}
			pa := plannedAttachment{entry: e, newUID: e.UID}
			if e.ReplaceWithProfile != "" && e.ReplaceWithProfile != e.UID {
				_, repAttached := attached[e.ReplaceWithProfile]
				_, uidAttached := attached[e.UID]
				switch {
				case repAttached && !uidAttached:
					// Contract form: uid is the new profile, replaceWithProfile the attached one.
					pa.oldUID = e.ReplaceWithProfile
				case uidAttached && !repAttached:
					// Palette API form: uid is attached, replaceWithProfile is the new one.
					pa.newUID, pa.oldUID = e.ReplaceWithProfile, e.UID
				default:
					return badRequest("profiles[%d]: exactly one of uid '%s' and replaceWithProfile '%s' must be attached to the cluster", i, e.UID, e.ReplaceWithProfile)
				}
			}
			if seen[pa.newUID] {
				return badRequest("profile '%s' is listed twice", pa.newUID)
			}
			seen[pa.newUID] = true
			p, err := s.findProfile(ctx, tx, c, pa.newUID)
			if err != nil {
				return err
			}
			if p.Type != wire.ProfileTypeAddOn {
				return errf(http.StatusBadRequest, wire.CodeFullProfileNotAllowed,
					"profile '%s' is of type '%s': only add-on profiles can be attached to an imported cluster", p.Name, p.Type)
			}
			if p.Published == nil {
				return badRequest("profile '%s' is not published", p.Name)
			}
			pa.profile = p
			plan = append(plan, pa)
		}
		if len(plan) > 0 {
			if row.ImportMode == wire.ImportModeReadOnly {
				return errf(http.StatusBadRequest, wire.CodeAddonProfilesRequireFullPermission,
					"cluster '%s' was imported read-only: add-on profiles require Full Permission", row.UID)
			}
			if row.State != wire.StateRunning {
				return errf(http.StatusConflict, wire.CodeClusterNotRunning, "cluster '%s' is %s, not Running", row.UID, row.State)
			}
		}

		// Compute the new ordered set.
		type slot struct {
			uid        string
			packValues []wire.Pack
			variables  []wire.Variable
		}
		var next []slot
		added := map[string]*profileRow{}
		if replaceAll {
			for _, pa := range plan {
				next = append(next, slot{pa.newUID, pa.entry.PackValues, pa.entry.Variables})
				if _, ok := attached[pa.newUID]; !ok {
					added[pa.newUID] = pa.profile
				}
			}
		} else {
			for _, a := range atts {
				next = append(next, slot{a.profileUID, a.packValues, a.variables})
			}
			for _, pa := range plan {
				idx := slices.IndexFunc(next, func(x slot) bool { return x.uid == pa.newUID })
				if pa.oldUID != "" {
					old := slices.IndexFunc(next, func(x slot) bool { return x.uid == pa.oldUID })
					if idx >= 0 && old >= 0 && idx != old {
						next = slices.Delete(next, idx, idx+1)
						old = slices.IndexFunc(next, func(x slot) bool { return x.uid == pa.oldUID })
					}
					if old >= 0 {
						next[old] = slot{pa.newUID, pa.entry.PackValues, pa.entry.Variables}
					}
				} else if idx >= 0 {
					if !sameJSON(next[idx].packValues, pa.entry.PackValues) || !sameJSON(next[idx].variables, pa.entry.Variables) {
						// New values: the packs are redeployed, so their status
						// waits for the agent again.
						added[pa.newUID] = pa.profile
					}
					next[idx].packValues, next[idx].variables = pa.entry.PackValues, pa.entry.Variables
				} else {
					next = append(next, slot{pa.newUID, pa.entry.PackValues, pa.entry.Variables})
				}
				if _, ok := attached[pa.newUID]; !ok {
					added[pa.newUID] = pa.profile
				}
			}
		}
		keep := map[string]bool{}
		for _, sl := range next {
			keep[sl.uid] = true
		}
		removed := map[string]bool{}
		for uid := range attached {
			if !keep[uid] {
				removed[uid] = true
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE cluster_uid = ?`, row.UID); err != nil {
			return err
		}
		for i, sl := range next {
			pv, vars := sl.packValues, sl.variables
			if pv == nil {
				pv = []wire.Pack{}
			}
			if vars == nil {
				vars = []wire.Variable{}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO attachments(cluster_uid, profile_uid, position, pack_values, variables) VALUES (?, ?, ?, ?, ?)`,
				row.UID, sl.uid, i, mustJSON(pv), mustJSON(vars)); err != nil {
				return err
			}
		}
		return s.updatePackStatus(ctx, tx, row, added, removed)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sameJSON compares two lists by their JSON, an empty list equal to none.
func sameJSON[T any](a, b []T) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return mustJSON(a) == mustJSON(b)
}

// updatePackStatus marks the packs of removed profiles Removing and adds
// placeholders for the packs of added ones until the agent reports.
func (s *Server) updatePackStatus(ctx context.Context, tx *sql.Tx, row *clusterRow, added map[string]*profileRow, removed map[string]bool) error {
	packs := make([]wire.PackStatus, 0, len(row.Packs))
	for _, p := range row.Packs {
		if _, ok := added[p.ProfileUID]; ok {
			continue
		}
		if removed[p.ProfileUID] {
			if s.cfg.SimulateAgents {
				continue
			}
			p.Condition = wire.Condition{Type: "Removing", Status: "True", Message: "the profile was detached; waiting for the agent to remove the pack"}
		}
		packs = append(packs, p)
	}
	uids := make([]string, 0, len(added))
	for uid := range added {
		uids = append(uids, uid)
	}
	slices.Sort(uids)
	for _, uid := range uids {
		for _, pk := range added[uid].Published.Packs {
			cond := wire.Condition{Type: "Ready", Status: "Unknown", Reason: "WaitingForAgent", Message: "waiting for the agent to deploy the pack"}
			if s.cfg.SimulateAgents {
				cond = wire.Condition{Type: "Ready", Status: "True"}
			}
			packs = append(packs, wire.PackStatus{ProfileUID: uid, Name: pk.Name, Condition: cond})
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE clusters SET packs = ?, modified = ? WHERE uid = ?`, mustJSON(packs), s.now().UnixNano(), row.UID)
	return err
}

// DELETE /v1/spectroclusters/{uid}/profiles.
func (s *Server) deleteClusterProfiles(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.DeleteProfilesRequest
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	err := s.st.write(r.Context(), func(tx *sql.Tx) error {
		ctx := r.Context()
		row, err := s.findCluster(ctx, tx, c, r.PathValue("uid"))
		if err != nil {
			return err
		}
		removed := map[string]bool{}
		for _, uid := range req.ProfileUIDs {
			res, err := tx.ExecContext(ctx, `DELETE FROM attachments WHERE cluster_uid = ? AND profile_uid = ?`, row.UID, uid)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err == nil && n > 0 {
				removed[uid] = true
			}
		}
		if len(removed) == 0 {
			return nil
		}
		return s.updatePackStatus(ctx, tx, row, nil, removed)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
