package paragontest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SetupLinksPath is the route the fake creates Setup Links at, the same
// default as package paragon's (Paragon does not document its path).
const SetupLinksPath = "/projects/{projectId}/setup-links"

// Paragon's Setup Link error codes.
const (
	codeSetupLinksNotEnabled = "56016"
	codeSetupLinkIntegration = "56004"
)

// setupLinkState is one link the server handed out.
type setupLinkState struct {
	userID       string
	integrations []string // allowed types; all the project's when empty
	expires      time.Time
}

// SetSetupLinksEnabled turns Setup Links on (the default) or off; while
// off, creating a link answers 403 with code 56016, as Paragon does for a
// project without them.
func (s *Server) SetSetupLinksEnabled(on bool) {
	s.th.mu.Lock()
	defer s.th.mu.Unlock()
	s.th.linksOff = !on
}

func (s *Server) setupLinkRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+strings.ReplaceAll(SetupLinksPath, "{projectId}", s.projectID), s.createSetupLink)
	mux.HandleFunc("GET /setup-links/{token}", s.showSetupLink)
	mux.HandleFunc("POST /setup-links/{token}", s.acceptSetupLink)
}

// createSetupLink answers POST /projects/{pid}/setup-links with an API key
// (endUserId required) or a user token (endUserId optional, must be sub).
// Body {endUserId, integrations, expiresIn}; answer {"url": …}. The URL is
// <server URL>/setup-links/<token>: GET shows the link, POST connects.
func (s *Server) createSetupLink(w http.ResponseWriter, r *http.Request) {
	byKey := s.apiKeyOK(r)
	sub := ""
	if !byKey {
		var problem string
		if sub, problem = s.verifyToken(r); problem != "" {
			writeError(w, r, http.StatusUnauthorized, codeUnauthorized, problem, nil)
			return
		}
	}
	body, ok := readObject(w, r)
	if !ok {
		return
	}
	var p struct {
		EndUserID    *string  `json:"endUserId"`
		Integrations []string `json:"integrations"`
		ExpiresIn    *float64 `json:"expiresIn"`
	}
	if b, err := json.Marshal(body); err != nil || json.Unmarshal(b, &p) != nil {
		writeValidation(w, r, "integrations", "isArray", "integrations must be an array of strings; endUserId a string; expiresIn a number")
		return
	}
	userID := sub
	switch {
	case p.EndUserID != nil && *p.EndUserID == "":
		writeValidation(w, r, "endUserId", "isNotEmpty", "endUserId should not be empty")
		return
	case byKey && p.EndUserID == nil:
		writeValidation(w, r, "endUserId", "isNotEmpty", "endUserId is required with an API key")
		return
	case p.EndUserID != nil && !byKey && *p.EndUserID != sub:
		writeError(w, r, http.StatusForbidden, codeUnauthorized, "endUserId must match the user token's sub.", nil)
		return
	case p.EndUserID != nil:
		userID = *p.EndUserID
	}
	exp := 3600.0
	if p.ExpiresIn != nil {
		exp = *p.ExpiresIn
	}
	if exp < 1 || exp > 86400 || exp != float64(int64(exp)) {
		writeValidation(w, r, "expiresIn", "max", "expiresIn must be a whole number of seconds, at most 86400")
		return
	}
	for _, t := range p.Integrations {
		if s.byType[t] == nil {
			writeError(w, r, http.StatusBadRequest, codeSetupLinkIntegration,
				fmt.Sprintf("Integration %q is not enabled for this project.", t), map[string]any{"integration": t})
			return
		}
	}
	allowed := p.Integrations
	if !byKey {
		allowed = s.tokenIntegrations(r, allowed)
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	s.th.mu.Lock()
	if s.th.linksOff {
		s.th.mu.Unlock()
		writeError(w, r, http.StatusForbidden, codeSetupLinksNotEnabled, "Setup Links are not enabled for this project.", nil)
		return
	}
	if s.th.links == nil {
		s.th.links = map[string]*setupLinkState{}
	}
	s.th.links[tok] = &setupLinkState{userID: userID, integrations: allowed, expires: time.Now().Add(time.Duration(exp) * time.Second)}
	s.th.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"url": s.URL() + "/setup-links/" + tok})
}

// tokenIntegrations narrows types (all the project's when empty) to those
// the user token's JWT permissions allow: an integration is allowed unless
// its own scope, or integration:* when it has none, is false.
func (s *Server) tokenIntegrations(r *http.Request, types []string) []string {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(tok), claims); err != nil {
		return types
	}
	perms, ok := claims["urn:useparagon:connect:permissions"].(map[string]any)
	if !ok {
		return types
	}
	if len(types) == 0 {
		for _, in := range s.integrations {
			types = append(types, in.Type)
		}
	}
	var out []string
	for _, t := range types {
		v, set := perms["integration:"+t]
		if !set {
			v, set = perms["integration:*"]
		}
		if b, isBool := v.(bool); set && isBool && !b {
			continue
		}
		if !set && hasIntegrationScope(perms) {
			continue // other integrations are named, this one is not
		}
		out = append(out, t)
	}
	if out == nil {
		out = []string{} // nothing allowed, not "everything"
	}
	return out
}

func hasIntegrationScope(perms map[string]any) bool {
	for k := range perms {
		if strings.HasPrefix(k, "integration:") {
			return true
		}
	}
	return false
}

// link returns the live link of r's {token}, answering 404 or 410.
func (s *Server) link(w http.ResponseWriter, r *http.Request) (*setupLinkState, bool) {
	s.th.mu.Lock()
	l := s.th.links[r.PathValue("token")]
	s.th.mu.Unlock()
	switch {
	case l == nil:
		writeError(w, r, http.StatusNotFound, codeNotFound, "Setup Link not found.", nil)
		return nil, false
	case !time.Now().Before(l.expires):
		writeError(w, r, http.StatusGone, codeNotFound, "Setup Link expired.", nil)
		return nil, false
	}
	return l, true
}

// offered returns the integrations a link offers.
func (s *Server) offered(l *setupLinkState) []*Integration {
	var out []*Integration
	for _, in := range s.integrations {
		if l.integrations == nil || slices.Contains(l.integrations, in.Type) {
			out = append(out, in)
		}
	}
	return out
}

// showSetupLink answers GET /setup-links/{token}: JSON ({userId,
// expiresAt, integrations: [{type, name, connected}]}) when the client
// accepts it, else an HTML page with a Connect button per integration.
func (s *Server) showSetupLink(w http.ResponseWriter, r *http.Request) {
	l, ok := s.link(w, r)
	if !ok {
		return
	}
	type entry struct {
		Type      string `json:"type"`
		Name      string `json:"name"`
		Connected bool   `json:"connected"`
	}
	var list []entry
	s.mu.Lock()
	u := s.userLocked(l.userID)
	for _, in := range s.offered(l) {
		list = append(list, entry{in.Type, in.Name, len(u.credsOf(in)) > 0})
	}
	s.mu.Unlock()
	if strings.Contains(r.Header.Get("Accept"), "json") {
		writeJSON(w, http.StatusOK, map[string]any{"userId": l.userID, "expiresAt": iso(l.expires), "integrations": list})
		return
	}
	var b strings.Builder
	b.WriteString("<!doctype html><title>Connect your accounts</title><h1>Connect your accounts</h1><ul>")
	for _, e := range list {
		state := `<form method="post"><input type="hidden" name="integration" value="` + html.EscapeString(e.Type) + `"><button>Connect</button></form>`
		if e.Connected {
			state = "connected"
		}
		fmt.Fprintf(&b, "<li>%s %s</li>", html.EscapeString(e.Name), state)
	}
	b.WriteString("</ul>")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

// acceptSetupLink answers POST /setup-links/{token} with integration=<type>
// (a form, or JSON {"integration": …}): the link's user connects that
// integration (a VALID credential, as if the OAuth flow had succeeded).
// It answers {"integration", "credentialId", "status": "VALID"}.
func (s *Server) acceptSetupLink(w http.ResponseWriter, r *http.Request) {
	l, ok := s.link(w, r)
	if !ok {
		return
	}
	var typ string
	if strings.Contains(r.Header.Get("Content-Type"), "json") {
		body, ok := readObject(w, r)
		if !ok {
			return
		}
		typ, _ = body["integration"].(string)
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		typ = r.PostFormValue("integration")
	}
	var integ *Integration
	for _, in := range s.offered(l) {
		if in.Type == typ {
			integ = in
		}
	}
	if integ == nil {
		writeValidation(w, r, "integration", "isIn", "integration must be one of the link's integrations")
		return
	}
	s.mu.Lock()
	u := s.userLocked(l.userID)
	c := firstValid(u.credsOf(integ))
	if c == nil {
		c = s.connectLocked(u, integ, nil)
	}
	id := c.id
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"integration": integ.Type, "credentialId": id, "status": statusValid})
}

func firstValid(cs []*credential) *credential {
	for _, c := range cs {
		if c.status == statusValid {
			return c
		}
	}
	return nil
}
