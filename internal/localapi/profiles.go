package localapi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

var profileTypes = []string{wire.ProfileTypeCluster, wire.ProfileTypeInfra, wire.ProfileTypeAddOn, wire.ProfileTypeSystem}

func profileNotFound(c *call, uid string) *apiError {
	return notFound("ClusterProfile '%s' is not found in the %s", uid, c.scopeName)
}

// profileVisible reports whether a profile of scope ps can be seen from scope cs:
// its own scope, and tenant profiles from every project.
func profileVisible(ps, cs string) bool { return ps == cs || ps == "" }

func (s *Server) findProfile(ctx context.Context, q queryer, c *call, uid string) (*profileRow, error) {
	p, err := loadProfile(ctx, q, uid)
	if errors.Is(err, errNotFound) {
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
	return listProfiles(ctx, s.st.db, scope)
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
	if err := checkLabels("metadata.labels", in.Metadata.Labels); err != nil {
		return err
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
			t.Packs[i].Manifests = []wire.ManifestInputEntity{}
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
		exists, err := profileVersionExists(ctx, tx, scope, in.Metadata.Name, in.Spec.Version)
		if err != nil {
			return err
		}
		if exists {
			return errf(http.StatusConflict, wire.CodeConflict, "profile '%s' version '%s' already exists", in.Metadata.Name, in.Spec.Version)
		}
		now := s.now().UnixNano()
		tmpl := mustJSON(in.Spec.Template)
		var pub any
		if publish {
			pub = tmpl
		}
		return insertProfileRow(ctx, tx, uid, scope, in, tmpl, pub, now)
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
		return publishDraft(r.Context(), tx, p.UID, s.now().UnixNano())
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
	out := wire.ClusterProfilesMetadata{Items: make([]wire.ProfileMetadataItem, 0, len(all))}
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
	var req wire.ClusterProfilesFilterSpec
	if err := decodeBody(r, &req, false); err != nil {
		return err
	}
	pg, err := parsePaging(r, wire.SearchFilterSummarySpec{})
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
	sorts := make([]wire.SearchFilterSortSpec, 0, len(req.Sort))
	for _, sp := range req.Sort {
		sorts = append(sorts, wire.SearchFilterSortSpec(sp))
	}
	if err := sortProfiles(matched, sorts); err != nil {
		return err
	}
	page, lm := pg.page(len(matched))
	out := wire.ClusterProfilesSummary{Items: make([]wire.ClusterProfileSummary, 0, page.end-page.start), ListMeta: lm}
	for _, p := range matched[page.start:page.end] {
		j := profileJSON(p)
		out.Items = append(out.Items, wire.ClusterProfileSummary{
			Metadata: j.Metadata,
			SpecSummary: wire.ProfileSpecSummary{
				Published: &wire.ClusterProfileTemplateSummary{Type: p.Type, CloudType: p.CloudType},
				Version:   p.Version,
			},
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
