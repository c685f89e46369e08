package paragontest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// fieldOptionsPageSize is how many records one POST /sdk/actions page holds.
const fieldOptionsPageSize = 50

// APIResource is a User-Level API Resource of the fake project (see
// [Server.AddResource]): users connect it with POST
// /sdk/resources/{id}/connect and the values it requires.
type APIResource struct {
	// ID is the resource's UUID; a random one is used when empty.
	ID string
	// Slug names the resource, as the browser SDK's connectAction takes it.
	// Required.
	Slug string
	// Integration is the type of the integration whose credential the
	// connection creates, e.g. "close". Required.
	Integration string
	// RequiredKeys are the keys the connect body must hold (e.g.
	// "access_token"); a body without one is answered 400.
	RequiredKeys []string
}

// connectExtra is the state of the Connect routes beyond the core ones.
// Guarded by Server.mu.
type connectExtra struct {
	resources    []*APIResource
	fieldOptions map[string][]map[string]any // "<integration>/<source>" → records
}

// connectRoutes adds the Connect API routes beyond the core ones: API
// resources and field options (complete-setup is in sdk.go).
func (s *Server) connectRoutes(_ *http.ServeMux, handle func(pattern string, h authedHandler)) {
	p := "/projects/" + s.projectID + "/sdk"
	handle("POST "+p+"/resources/{id}/connect", s.connectResource)
	handle("POST "+p+"/actions", s.fieldOptions)
}

// AddResource adds a User-Level API Resource to the project and returns its
// ID. It fails for an empty or taken slug and an unknown integration.
func (s *Server) AddResource(r APIResource) (string, error) {
	if r.Slug == "" {
		return "", fmt.Errorf("paragontest: AddResource: empty slug")
	}
	if s.byType[r.Integration] == nil {
		return "", fmt.Errorf("paragontest: AddResource %q: the project has no integration %q", r.Slug, r.Integration)
	}
	if r.ID == "" {
		r.ID = newUUID()
	}
	r.RequiredKeys = slices.Clone(r.RequiredKeys)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.extra.resources {
		if x.Slug == r.Slug || x.ID == r.ID {
			return "", fmt.Errorf("paragontest: AddResource: resource %q exists", r.Slug)
		}
	}
	s.extra.resources = append(s.extra.resources, &r)
	return r.ID, nil
}

// resourcesJSONLocked renders the project's resources for u as GET /sdk/me
// "resources" lists them: {id, slug, integrationId, credentialId?,
// credentialStatus?}. s.mu must be held.
func (s *Server) resourcesJSONLocked(u *user) []any {
	out := make([]any, 0, len(s.extra.resources))
	for _, r := range s.extra.resources {
		in := s.byType[r.Integration]
		e := map[string]any{"id": r.ID, "slug": r.Slug, "integrationId": in.ID}
		if creds := u.credsOf(in); len(creds) > 0 {
			e["credentialId"], e["credentialStatus"] = creds[0].id, creds[0].status
		}
		out = append(out, e)
	}
	return out
}

// connectResource answers POST /sdk/resources/{id}/connect: a credential
// of the resource's integration holding the body's values.
func (s *Server) connectResource(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	s.locked(w, func(w http.ResponseWriter) {
		i := slices.IndexFunc(s.extra.resources, func(x *APIResource) bool { return x.ID == r.PathValue("id") })
		if i < 0 {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Resource not found.", nil)
			return
		}
		res := s.extra.resources[i]
		if len(body) == 0 {
			writeValidation(w, r, "body", "isNotEmpty", "the resource's values should not be empty")
			return
		}
		for _, k := range res.RequiredKeys {
			if v, ok := body[k].(string); !ok || v == "" {
				writeValidation(w, r, k, "isNotEmpty", k+" should not be empty")
				return
			}
		}
		u := s.userLocked(userID)
		c := s.connectLocked(u, s.byType[res.Integration], body)
		writeJSON(w, http.StatusOK, s.credJSONLocked(u, c, false))
	})
}

// SetFieldOptions sets the records POST /sdk/actions answers for the data
// source source of integration (records such as {"label", "value"} or
// {"id", "name"}); nil removes them. Pages hold 50 records.
func (s *Server) SetFieldOptions(integration, source string, records []map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := integration + "/" + source
	if records == nil {
		delete(s.extra.fieldOptions, key)
		return
	}
	if s.extra.fieldOptions == nil {
		s.extra.fieldOptions = map[string][]map[string]any{}
	}
	cp := make([]map[string]any, len(records))
	for i, rec := range records {
		cp[i] = copyMap(rec)
	}
	s.extra.fieldOptions[key] = cp
}

// fieldOptions answers POST /sdk/actions {"action", "sourceKey",
// "parameters", "paginationParameters": {"pageCursor", "search"}} with
// {"output": {"records": […], "nextPageCursor": "<offset>"|null}}.
func (s *Server) fieldOptions(w http.ResponseWriter, r *http.Request, userID string) {
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	action, _ := body["action"].(string)
	source, _ := body["sourceKey"].(string)
	if action == "" || source == "" {
		writeValidation(w, r, "sourceKey", "isNotEmpty", "action and sourceKey should not be empty")
		return
	}
	if p, present := body["parameters"]; present {
		if _, isList := p.([]any); !isList {
			writeValidation(w, r, "parameters", "isArray", "parameters must be an array")
			return
		}
	}
	pg, _ := body["paginationParameters"].(map[string]any)
	offset := 0
	switch c := pg["pageCursor"].(type) {
	case string:
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			writeError(w, r, http.StatusBadRequest, codeInvalidRequest, "Invalid pageCursor.", nil)
			return
		}
		offset = n
	case nil:
	default: // 0 on the first page, as the browser SDK sends it
	}
	search, _ := pg["search"].(string)
	s.locked(w, func(w http.ResponseWriter) {
		in := s.byType[action]
		if in == nil {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Integration not found.", nil)
			return
		}
		u := s.userLocked(userID)
		if c := s.chooseCredLocked(w, r, u, in); c == nil {
			return
		}
		all, ok := s.extra.fieldOptions[action+"/"+source]
		if !ok {
			writeError(w, r, http.StatusNotFound, codeNotFound, "Data source not found.", map[string]any{"sourceKey": source})
			return
		}
		var hits []any
		for _, rec := range all {
			if search == "" || strings.Contains(strings.ToLower(fmt.Sprint(rec["label"], " ", rec["name"])), strings.ToLower(search)) {
				hits = append(hits, copyMap(rec))
			}
		}
		end := min(offset+fieldOptionsPageSize, len(hits))
		page := []any{}
		if offset < len(hits) {
			page = hits[offset:end]
		}
		var next any
		if end < len(hits) {
			next = strconv.Itoa(end)
		}
		writeJSON(w, http.StatusOK, map[string]any{"output": map[string]any{"records": page, "nextPageCursor": next}})
	})
}

// SetAccountAuth sets the provider secrets (e.g. {"OAUTH_ACCESS_TOKEN":
// "…"}) that GET /sdk/credentials?includeAccountAuth=true vends for the
// user's credentials of integration, as Paragon does for file pickers. It
// fails when the user has no such credential.
func (s *Server) SetAccountAuth(userID, integration string, auth map[string]any) error {
	norm, err := normalizeMap(auth)
	if err != nil {
		return fmt.Errorf("paragontest: SetAccountAuth: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	in := s.byType[integration]
	if !ok || in == nil || len(u.credsOf(in)) == 0 {
		return fmt.Errorf("paragontest: SetAccountAuth: user %q has no %q credential", userID, integration)
	}
	for _, c := range u.credsOf(in) {
		c.accountAuth = copyMap(norm)
	}
	return nil
}
