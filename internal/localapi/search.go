package localapi

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/terraform-palette/terraform-provider-palette/internal/wire"
)

const maxPageSize = 50

// paging is the limit and offset of a search page.
type paging struct {
	limit, offset int
	hash          string
}

type continueToken struct {
	Offset int    `json:"o"`
	Hash   string `json:"h"`
}

// parsePaging reads limit (≤ 50, default 50) and the opaque continue token,
// which must come from the same filter and sort.
func parsePaging(r *http.Request, req wire.SearchFilterSummarySpec) (paging, error) {
	q := r.URL.Query()
	sum := sha256.Sum256([]byte(mustJSON(req.Filter) + "|" + mustJSON(req.Sort)))
	p := paging{limit: maxPageSize, hash: hex.EncodeToString(sum[:8])}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, badRequest("limit must be an integer, not '%s'", v)
		}
		if n > 0 && n < maxPageSize {
			p.limit = n
		}
	}
	if v := q.Get("continue"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		var tok continueToken
		if err == nil {
			err = json.Unmarshal(raw, &tok)
		}
		if err != nil || tok.Offset < 0 {
			return p, badRequest("invalid continue token")
		}
		if tok.Hash != p.hash {
			return p, badRequest("the continue token belongs to another filter or sort")
		}
		p.offset = tok.Offset
	}
	return p, nil
}

type pageBounds struct{ start, end int }

func (p paging) page(total int) (pageBounds, wire.ListMetaData) {
	start := min(p.offset, total)
	end := min(start+p.limit, total)
	lm := wire.ListMetaData{Count: total, Limit: p.limit, Offset: start}
	if end < total {
		lm.Continue = base64.RawURLEncoding.EncodeToString([]byte(mustJSON(continueToken{Offset: end, Hash: p.hash})))
	}
	return pageBounds{start, end}, lm
}

// propertyValues returns the values of a property of one object.
type propertyValues func(property string) ([]string, error)

func conjunctionAnd(c string) (bool, error) {
	switch strings.ToLower(c) {
	case "", "and":
		return true, nil
	case "or":
		return false, nil
	}
	return false, badRequest("conjunction must be 'and' or 'or', not '%s'", c)
}

// matchFilter evaluates a v1SearchFilterSpec on one object.
func matchFilter(f *wire.SearchFilterSpec, get propertyValues) (bool, error) {
	if f == nil || len(f.FilterGroups) == 0 {
		return true, nil
	}
	return combine(f.Conjunction, f.FilterGroups, func(g wire.SearchFilterGroup) (bool, error) { return matchGroup(g, get) })
}

func matchGroup(g wire.SearchFilterGroup, get propertyValues) (bool, error) {
	if _, err := conjunctionAnd(g.Conjunction); err != nil {
		return false, err
	}
	if len(g.Filters) == 0 {
		return true, nil
	}
	return combine(g.Conjunction, g.Filters, func(f wire.SearchFilterItem) (bool, error) { return matchOne(f, get) })
}

// combine joins the matches of items with the conjunction ("and" or "or").
func combine[T any](conjunction string, items []T, match func(T) (bool, error)) (bool, error) {
	and, err := conjunctionAnd(conjunction)
	if err != nil {
		return false, err
	}
	result := and
	for _, it := range items {
		ok, err := match(it)
		if err != nil {
			return false, err
		}
		if and {
			result = result && ok
		} else {
			result = result || ok
		}
	}
	return result, nil
}

func matchOne(f wire.SearchFilterItem, get propertyValues) (bool, error) {
	vals, err := get(f.Property)
	if err != nil {
		return false, err
	}
	switch {
	case f.Condition.Bool != nil:
		want := strconv.FormatBool(f.Condition.Bool.Value)
		return slices.Contains(vals, want), nil
	case f.Condition.String != nil:
		sc := f.Condition.String
		op, err := stringOperator(sc.Operator)
		if err != nil {
			return false, err
		}
		and := false
		if sc.Match.Conjunction != "" {
			if and, err = conjunctionAnd(sc.Match.Conjunction); err != nil {
				return false, err
			}
		}
		result := and
		if len(sc.Match.Values) == 0 {
			result = true
		}
		for _, want := range sc.Match.Values {
			hit := false
			for _, v := range vals {
				a, b := v, want
				if sc.IgnoreCase {
					a, b = strings.ToLower(a), strings.ToLower(b)
				}
				if op(a, b) {
					hit = true
					break
				}
			}
			if and {
				result = result && hit
			} else {
				result = result || hit
			}
		}
		if sc.Negation {
			result = !result
		}
		return result, nil
	}
	return false, badRequest("filter on '%s' needs a string or bool condition", f.Property)
}

func stringOperator(op string) (func(a, b string) bool, error) {
	switch op {
	case "", "eq":
		return func(a, b string) bool { return a == b }, nil
	case "neq":
		return func(a, b string) bool { return a != b }, nil
	case "contains":
		return strings.Contains, nil
	case "beginsWith":
		return strings.HasPrefix, nil
	case "endsWith":
		return strings.HasSuffix, nil
	}
	return nil, badRequest("unknown string operator '%s' (use eq, neq, contains, beginsWith or endsWith)", op)
}

func filterMentions(f *wire.SearchFilterSpec, property string) bool {
	if f == nil {
		return false
	}
	for _, g := range f.FilterGroups {
		for _, x := range g.Filters {
			if x.Property == property {
				return true
			}
		}
	}
	return false
}

func clusterProperty(row *clusterRow) propertyValues {
	return func(prop string) ([]string, error) {
		switch prop {
		case "clusterName", "name":
			return []string{row.Name}, nil
		case "uid":
			return []string{row.UID}, nil
		case "cloudType", "environment":
			return []string{row.CloudType}, nil
		case "clusterState", "state":
			return []string{row.State}, nil
		case "isDeleted":
			return []string{strconv.FormatBool(row.State == wire.StateDeleted)}, nil
		case "importMode":
			return []string{row.ImportMode}, nil
		case "tag", "tags":
			out := make([]string, 0, 2*len(row.Labels))
			for k, v := range row.Labels {
				out = append(out, k+":"+v, k)
			}
			return out, nil
		}
		return nil, badRequest("unknown filter property '%s' (use clusterName, cloudType, clusterState, isDeleted, importMode or tag)", prop)
	}
}

func sortOrder(o string) (int, error) {
	switch strings.ToLower(o) {
	case "", "asc":
		return 1, nil
	case "desc":
		return -1, nil
	}
	return 0, badRequest("sort order must be 'asc' or 'desc', not '%s'", o)
}

func sortClusters(rows []*clusterRow, specs []wire.SearchFilterSortSpec) error {
	type key struct {
		cmp   func(a, b *clusterRow) int
		order int
	}
	var keys []key
	for _, sp := range specs {
		o, err := sortOrder(sp.Order)
		if err != nil {
			return err
		}
		var f func(a, b *clusterRow) int
		switch sp.Field {
		case "clusterName", "name":
			f = func(a, b *clusterRow) int { return cmp.Compare(a.Name, b.Name) }
		case "creationTimestamp":
			f = func(a, b *clusterRow) int { return a.Created.Compare(b.Created) }
		case "lastModifiedTimestamp":
			f = func(a, b *clusterRow) int { return a.Modified.Compare(b.Modified) }
		case "cloudType", "environment":
			f = func(a, b *clusterRow) int { return cmp.Compare(a.CloudType, b.CloudType) }
		case "clusterState", "state":
			f = func(a, b *clusterRow) int { return cmp.Compare(a.State, b.State) }
		default:
			return badRequest("unknown sort field '%s' (use clusterName, creationTimestamp, lastModifiedTimestamp, cloudType or clusterState)", sp.Field)
		}
		keys = append(keys, key{f, o})
	}
	if len(keys) == 0 {
		keys = append(keys, key{func(a, b *clusterRow) int { return a.Created.Compare(b.Created) }, 1})
	}
	slices.SortStableFunc(rows, func(a, b *clusterRow) int {
		for _, k := range keys {
			if c := k.cmp(a, b) * k.order; c != 0 {
				return c
			}
		}
		return cmp.Compare(a.UID, b.UID)
	})
	return nil
}

func sortProfiles(rows []*profileRow, specs []wire.SearchFilterSortSpec) error {
	for i := len(specs) - 1; i >= 0; i-- {
		sp := specs[i]
		o, err := sortOrder(sp.Order)
		if err != nil {
			return err
		}
		var f func(a, b *profileRow) int
		switch sp.Field {
		case "profileName", "name":
			f = func(a, b *profileRow) int { return cmp.Compare(a.Name, b.Name) }
		case "version":
			f = func(a, b *profileRow) int { return cmp.Compare(a.Version, b.Version) }
		case "creationTimestamp":
			f = func(a, b *profileRow) int { return a.Created.Compare(b.Created) }
		case "lastModifiedTimestamp":
			f = func(a, b *profileRow) int { return a.Modified.Compare(b.Modified) }
		default:
			return badRequest("unknown sort field '%s'", sp.Field)
		}
		slices.SortStableFunc(rows, func(a, b *profileRow) int { return f(a, b) * o })
	}
	return nil
}

// matchClusters returns the clusters of the caller's scope that match a
// search body, sorted, with their raw labels, annotations, agent metadata
// and packs columns.
func (s *Server) matchClusters(r *http.Request, c *call, req wire.SearchFilterSummarySpec) ([]*clusterRow, map[*clusterRow][4]string, error) {
	wantDeleted := filterMentions(req.Filter, "isDeleted")
	needLabels := filterMentions(req.Filter, "tag") || filterMentions(req.Filter, "tags")
	var matched []*clusterRow
	raw := map[*clusterRow][4]string{}
	err := eachClusterOf(r.Context(), s.st.db, c.scope, func(row *clusterRow, cols [4]string) error {
		row.Scope = c.scope
		if s.expired(row) || (!wantDeleted && row.State == wire.StateDeleted) {
			return nil
		}
		if needLabels {
			if err := decodeMap(cols[0], &row.Labels); err != nil {
				return err
			}
		}
		ok, err := matchFilter(req.Filter, clusterProperty(row))
		if err != nil {
			return err
		}
		if ok {
			matched = append(matched, row)
			raw[row] = cols
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if err := sortClusters(matched, req.Sort); err != nil {
		return nil, nil, err
	}
	return matched, raw, nil
}

// decodeSearchRow decodes the raw columns of a matched row.
func (s *Server) decodeSearchRow(row *clusterRow, raw [4]string) error {
	if err := decodeMap(raw[0], &row.Labels); err != nil {
		return err
	}
	if err := decodeMap(raw[1], &row.Annotations); err != nil {
		return err
	}
	if err := unmarshalColumns(raw[2:], []any{&row.AgentMetadata, &row.Packs}); err != nil {
		return err
	}
	s.simulate(row)
	return nil
}

// POST /v1/dashboard/spectroclusters/search?limit=&continue=:
// v1SpectroClustersSummary, paged.
func (s *Server) searchClusters(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.SearchFilterSummarySpec
	if err := decodeBody(r, &req, false); err != nil {
		return err
	}
	pg, err := parsePaging(r, req)
	if err != nil {
		return err
	}
	matched, raw, err := s.matchClusters(r, c, req)
	if err != nil {
		return err
	}
	page, lm := pg.page(len(matched))
	pageRows := matched[page.start:page.end]
	templates, err := s.pageTemplates(r, pageRows)
	if err != nil {
		return err
	}
	out := wire.SpectroClustersSummary{Items: make([]wire.SpectroClusterSummary, 0, len(pageRows)), ListMeta: lm}
	for _, row := range pageRows {
		if err := s.decodeSearchRow(row, raw[row]); err != nil {
			return err
		}
		h := s.health(row)
		tmpls := templates[row.UID]
		if tmpls == nil {
			tmpls = []wire.ClusterProfileTemplateMeta{}
		}
		out.Items = append(out.Items, wire.SpectroClusterSummary{
			Metadata: s.objectMeta(row),
			SpecSummary: wire.SpecSummary{
				CloudConfig:             cloudConfigSummary(row, s.shownMetadata(row)),
				ClusterProfileTemplates: tmpls,
			},
			Status: wire.SearchStatus{
				State: row.State, Health: &h,
				ClusterImport: &wire.ClusterImport{ImportLink: s.importLink(row), IsBrownfield: true, State: importState(row.State)},
			},
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// POST /v1/dashboard/spectroclusters/metadata/search:
// v1SpectroClustersMetadataSearch, every match in one answer.
func (s *Server) searchClusterMetadata(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.SearchFilterSummarySpec
	if err := decodeBody(r, &req, false); err != nil {
		return err
	}
	matched, raw, err := s.matchClusters(r, c, req)
	if err != nil {
		return err
	}
	out := wire.SpectroClustersMetadataSearch{Items: make([]wire.SpectroClusterMetaSummary, 0, len(matched)),
		ListMeta: &wire.ListMetaData{Count: len(matched)}}
	for _, row := range matched {
		if err := s.decodeSearchRow(row, raw[row]); err != nil {
			return err
		}
		h := s.health(row)
		out.Items = append(out.Items, wire.SpectroClusterMetaSummary{
			Metadata: s.objectMeta(row),
			SpecSummary: wire.MetaSpecSummary{
				CloudType: row.CloudType, ImportMode: row.ImportMode, CloudRegion: s.shownMetadata(row).Region,
			},
			Status: wire.MetaStatus{State: row.State, Health: &wire.MetaHealth{
				State: h.State, IsHeartBeatFailed: h.State == wire.HealthUnhealthy,
			}},
		})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pageTemplates loads the attached profiles of every cluster of a page in
// one query, as clusterProfileTemplates, keyed by cluster UID.
func (s *Server) pageTemplates(r *http.Request, rows []*clusterRow) (map[string][]wire.ClusterProfileTemplateMeta, error) {
	out := make(map[string][]wire.ClusterProfileTemplateMeta, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	uids := make([]string, len(rows))
	for i, row := range rows {
		uids[i] = row.UID
	}
	atts, err := loadAttachmentsOf(r.Context(), s.st.db, uids)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		out[a.clusterUID] = append(out[a.clusterUID], attachedTemplateMeta(a))
	}
	return out, nil
}
