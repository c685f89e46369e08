package paragontest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// akSearchLeads runs CLOSE_SEARCH_LEADS: GET /lead/?query=…&_limit=…&_skip=…
// with ActionKit's pagination parameters (pageCursor in, nextPageCursor out).
func (s *Server) akSearchLeads(r *http.Request, cred string, p map[string]any) akOutput {
	q := url.Values{}
	if v, _ := p["query"].(string); v != "" {
		q.Set("query", v)
	}
	limit := 25
	if n, err := strconv.Atoi(fmtNumber(p["limit"])); err == nil && n > 0 && n <= 100 {
		limit = n
	}
	skip := 0
	if pp, _ := p["paginationParameters"].(map[string]any); pp != nil {
		if c, _ := pp["pageCursor"].(string); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 0 {
				return akError(r, http.StatusBadRequest, "Invalid pageCursor.", nil)
			}
			skip = n
		}
	}
	q.Set("_limit", strconv.Itoa(limit))
	q.Set("_skip", strconv.Itoa(skip))
	status, out := s.akProxy(r, "close", cred, http.MethodGet, "/lead/", q, nil)
	if status != http.StatusOK {
		return akError(r, status, string(out), map[string]any{"isIntegrationError": true})
	}
	var page struct {
		Data    []json.RawMessage `json:"data"`
		HasMore bool              `json:"has_more"`
	}
	if err := json.Unmarshal(out, &page); err != nil {
		return akError(r, http.StatusBadGateway, "Close answered an unreadable page.", nil)
	}
	res := map[string]any{"leads": orEmptyList(page.Data)}
	if page.HasMore {
		res["nextPageCursor"] = strconv.Itoa(skip + len(page.Data))
	}
	b, _ := json.Marshal(res)
	return akOutput{status: http.StatusOK, body: append(b, '\n')}
}

func orEmptyList(l []json.RawMessage) []json.RawMessage {
	if l == nil {
		return []json.RawMessage{}
	}
	return l
}

// akExportCSV runs CLOSE_EXPORT_LEADS_CSV: the matching leads as text/csv,
// a tool output that is not JSON.
func (s *Server) akExportCSV(r *http.Request, cred string, p map[string]any) akOutput {
	var b strings.Builder
	b.WriteString("id,name\n")
	q := url.Values{"_limit": {"100"}}
	if v, _ := p["query"].(string); v != "" {
		q.Set("query", v)
	}
	for skip := 0; ; {
		q.Set("_skip", strconv.Itoa(skip))
		status, out := s.akProxy(r, "close", cred, http.MethodGet, "/lead/", q, nil)
		if status != http.StatusOK {
			return akError(r, status, string(out), map[string]any{"isIntegrationError": true})
		}
		var page struct {
			Data []struct {
				ID   string `json:"id"`
				Name string `json:"display_name"`
			} `json:"data"`
			HasMore bool `json:"has_more"`
		}
		if json.Unmarshal(out, &page) != nil {
			return akError(r, http.StatusBadGateway, "Close answered an unreadable page.", nil)
		}
		for _, l := range page.Data {
			b.WriteString(csvField(l.ID) + "," + csvField(l.Name) + "\n")
		}
		if !page.HasMore || len(page.Data) == 0 { // no progress: stop
			break
		}
		skip += len(page.Data)
	}
	return akOutput{status: http.StatusOK, ctype: "text/csv; charset=utf-8", body: []byte(b.String())}
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// fmtNumber returns a JSON number parameter as text ("" for anything else).
func fmtNumber(v any) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return ""
}
