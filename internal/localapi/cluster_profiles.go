package localapi

// The add-on profiles attached to a cluster:
// /v1/spectroclusters/{uid}/profiles (GET, PATCH, PUT, DELETE).

import (
	"context"
	"database/sql"
	"net/http"
	"slices"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

// pathAttachments loads the attachments of the cluster of the path, visible
// to the call (404 otherwise).
func (s *Server) pathAttachments(r *http.Request, c *call) ([]attachment, error) {
	row, err := s.findCluster(r.Context(), s.st.db, c, r.PathValue("uid"))
	if err != nil {
		return nil, err
	}
	return loadAttachments(r.Context(), s.st.db, row.UID)
}

// GET /v1/spectroclusters/{uid}/profiles: v1SpectroClusterProfileList,
// each pack with its whole values as the cluster has them (the profile's,
// or the attachment's packValues, which replace them).
func (s *Server) getClusterProfiles(w http.ResponseWriter, r *http.Request, c *call) error {
	atts, err := s.pathAttachments(r, c)
	if err != nil {
		return err
	}
	out := wire.SpectroClusterProfileList{Profiles: make([]wire.SpectroClusterProfile, 0, len(atts))}
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
	entry   wire.SpectroClusterProfileEntity
	newUID  string
	oldUID  string // the attached profile it replaces, if any
	profile *profileRow
}

// changeProfiles implements PATCH (add or update the listed, keep the rest;
// replaceWithProfile swaps in place) and PUT (replace the set).
func (s *Server) changeProfiles(w http.ResponseWriter, r *http.Request, c *call, replaceAll bool) error {
	var req wire.SpectroClusterProfiles
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
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
					// Also accepted: uid is the new profile, replaceWithProfile the attached one.
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
			if slices.ContainsFunc(p.Published.Packs, func(pk wire.Pack) bool { return pk.Name == wire.PackSpectroProxy }) {
				return errf(http.StatusBadRequest, wire.CodeSpectroProxyNotAllowed,
					"profile '%s' contains the pack '%s': the Spectro Proxy pack cannot be deployed on an imported cluster", p.Name, wire.PackSpectroProxy)
			}
			// v1PackValuesEntity has no uid (wire.Pack, shared with
			// v1PackManifestEntity, has): a packValues entry keeps none.
			for i := range pa.entry.PackValues {
				pa.entry.PackValues[i].UID = ""
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
		var next []attachedValues
		added := map[string]*profileRow{}
		if replaceAll {
			for _, pa := range plan {
				next = append(next, attachedValues{pa.newUID, pa.entry.PackValues, pa.entry.Variables})
				if _, ok := attached[pa.newUID]; !ok {
					added[pa.newUID] = pa.profile
				}
			}
		} else {
			for _, a := range atts {
				next = append(next, attachedValues{a.profileUID, a.packValues, a.variables})
			}
			for _, pa := range plan {
				idx := slices.IndexFunc(next, func(x attachedValues) bool { return x.uid == pa.newUID })
				if pa.oldUID != "" {
					old := slices.IndexFunc(next, func(x attachedValues) bool { return x.uid == pa.oldUID })
					if idx >= 0 && old >= 0 && idx != old {
						next = slices.Delete(next, idx, idx+1)
						old = slices.IndexFunc(next, func(x attachedValues) bool { return x.uid == pa.oldUID })
					}
					if old >= 0 {
						next[old] = attachedValues{pa.newUID, pa.entry.PackValues, pa.entry.Variables}
					}
				} else if idx >= 0 {
					if !sameJSON(next[idx].packValues, pa.entry.PackValues) || !sameJSON(next[idx].variables, pa.entry.Variables) {
						// New values: the packs are redeployed, so their status
						// waits for the agent again.
						added[pa.newUID] = pa.profile
					}
					next[idx].packValues, next[idx].variables = pa.entry.PackValues, pa.entry.Variables
				} else {
					next = append(next, attachedValues{pa.newUID, pa.entry.PackValues, pa.entry.Variables})
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
		if err := replaceAttachments(ctx, tx, row.UID, next); err != nil {
			return err
		}
		return s.updatePackStatus(ctx, tx, row, added, removed)
	})
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
	packs := make([]wire.ClusterPackStatus, 0, len(row.Packs))
	for _, p := range row.Packs {
		if _, ok := added[p.ProfileUID]; ok {
			continue
		}
		if removed[p.ProfileUID] {
			if s.cfg.SimulateAgents {
				continue
			}
			p.Condition = wire.ClusterCondition{Type: "Removing", Status: "True", Message: "the profile was detached; waiting for the agent to remove the pack"}
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
			cond := wire.ClusterCondition{Type: "Ready", Status: "Unknown", Reason: "WaitingForAgent", Message: "waiting for the agent to deploy the pack"}
			if s.cfg.SimulateAgents {
				cond = wire.ClusterCondition{Type: "Ready", Status: "True"}
			}
			packs = append(packs, wire.ClusterPackStatus{ProfileUID: uid, Name: pk.Name, Condition: cond})
		}
	}
	return setClusterPacks(ctx, tx, row.UID, packs, s.now().UnixNano())
}

// DELETE /v1/spectroclusters/{uid}/profiles.
func (s *Server) deleteClusterProfiles(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.SpectroClusterProfilesDeleteEntity
	if err := decodeBody(r, &req, true); err != nil {
		return err
	}
	return s.updateCluster(w, r, c, func(ctx context.Context, tx *sql.Tx, row *clusterRow) error {
		removed := map[string]bool{}
		for _, uid := range req.ProfileUIDs {
			detached, err := detachProfile(ctx, tx, row.UID, uid)
			if err != nil {
				return err
			}
			if detached {
				removed[uid] = true
			}
		}
		if len(removed) == 0 {
			return nil
		}
		return s.updatePackStatus(ctx, tx, row, nil, removed)
	})
}
