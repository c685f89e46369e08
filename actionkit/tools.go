package actionkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/paragon-go/paragon"
)

// Format is the schema format of a tool list.
type Format string

// Formats of [ListToolsParams.Format].
const (
	// FormatJSONSchema lists tools as JSON Schema functions (ActionKit's
	// default), the shape LLM tool-calling APIs take.
	FormatJSONSchema Format = "json_schema"
	// FormatParagon lists tools in Paragon's own schema format.
	FormatParagon Format = "paragon"
)

// ListToolsParams filter [Client.ListTools]. The zero value lists every
// tool of the integrations the user connected, in ActionKit's default
// format.
//
// See https://docs.useparagon.com/actionkit/api-reference/list-tools.
type ListToolsParams struct {
	// Format is the schema format (query format); "" leaves ActionKit's
	// default, json_schema.
	Format Format
	// Integrations limits the list to these integrations (query
	// integrations=a,b), e.g. "close", "salesforce".
	Integrations []string
	// Categories limits the list to integrations of these categories (query
	// categories=crm,project_management).
	Categories []string
	// IncludeUnavailable lists tools of integrations the user has not
	// connected too (query limit_to_available=false). By default ActionKit
	// lists only tools the user can run.
	IncludeUnavailable bool
	// ReloadFields bypasses ActionKit's field cache (8 hours) so that new
	// custom fields show in the schemas (query reload_fields=true).
	ReloadFields bool
}

func (p *ListToolsParams) query() (url.Values, error) {
	q := url.Values{}
	if p == nil {
		return q, nil
	}
	switch p.Format {
	case "":
	case FormatJSONSchema, FormatParagon:
		q.Set("format", string(p.Format))
	default:
		return nil, invalid("unknown format %q", p.Format)
	}
	if len(p.Integrations) > 0 {
		s, err := checkList("integration", p.Integrations)
		if err != nil {
			return nil, err
		}
		q.Set("integrations", s)
	}
	if len(p.Categories) > 0 {
		s, err := checkList("category", p.Categories)
		if err != nil {
			return nil, err
		}
		q.Set("categories", s)
	}
	if p.IncludeUnavailable {
		q.Set("limit_to_available", "false")
	}
	if p.ReloadFields {
		q.Set("reload_fields", "true")
	}
	return q, nil
}

// Tool is one ActionKit tool.
type Tool struct {
	// Integration is the integration the tool belongs to, e.g. "close".
	Integration string
	// Type is the tool's kind as listed, "function" in the json_schema
	// format.
	Type string
	// Name is the tool's name, what [Client.RunTool] takes, e.g.
	// "CLOSE_CREATE_LEAD".
	Name string
	// Description tells a model what the tool does.
	Description string
	// Parameters is the tool's input as a JSON Schema object, exactly as
	// ActionKit sent it (nil when it sent none).
	Parameters json.RawMessage
	// Raw is the tool's entry as ActionKit sent it when the entry is not in
	// the json_schema shape ({"type": "function", "function": {…}}, whose
	// fields are all modelled above), e.g. in the paragon format; nil
	// otherwise. [ToolList.Raw] always holds the whole answer.
	Raw json.RawMessage
}

// DecodeParameters decodes the tool's parameters schema into v.
func (t *Tool) DecodeParameters(v any) error {
	if len(t.Parameters) == 0 {
		return fmt.Errorf("%w: actionkit: tool %s has no parameters schema", paragon.ErrInvalidResponse, t.Name)
	}
	if err := json.Unmarshal(t.Parameters, v); err != nil {
		return fmt.Errorf("%w: actionkit: tool %s parameters: %w", paragon.ErrInvalidResponse, t.Name, err)
	}
	return nil
}

// Schema decodes the tool's parameters into a [Schema].
func (t *Tool) Schema() (*Schema, error) {
	s := new(Schema)
	if err := t.DecodeParameters(s); err != nil {
		return nil, err
	}
	return s, nil
}

// Schema is the part of a JSON Schema most tool callers read. Raw keeps the
// whole schema, keywords this type does not model included.
type Schema struct {
	// Type is the schema's type ("object", "string", …). When the schema
	// lists several types, Type is the first that is not "null" and Nullable
	// tells whether "null" was among them.
	Type        string
	Nullable    bool
	Title       string
	Description string
	// Properties are an object's properties; Required lists the required ones.
	Properties map[string]*Schema
	Required   []string
	// Items is the schema of an array's items.
	Items *Schema
	// Enum lists the allowed values, decoded as encoding/json decodes into any.
	Enum    []any
	Default json.RawMessage
	// Raw is the schema as sent.
	Raw json.RawMessage
}

// UnmarshalJSON decodes a JSON Schema tolerantly: "type" may be a string or
// a list, and unknown keywords are kept in Raw.
func (s *Schema) UnmarshalJSON(b []byte) error {
	var w struct {
		Type        json.RawMessage    `json:"type"`
		Title       string             `json:"title"`
		Description string             `json:"description"`
		Properties  map[string]*Schema `json:"properties"`
		Required    []string           `json:"required"`
		Items       json.RawMessage    `json:"items"`
		Enum        []any              `json:"enum"`
		Default     json.RawMessage    `json:"default"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Schema{
		Title: w.Title, Description: w.Description, Properties: w.Properties,
		Required: w.Required, Enum: w.Enum, Default: w.Default,
		Raw: append(json.RawMessage(nil), b...),
	}
	if len(w.Type) > 0 {
		var one string
		var many []string
		switch {
		case json.Unmarshal(w.Type, &one) == nil:
			s.Type = one
		case json.Unmarshal(w.Type, &many) == nil:
			for _, t := range many {
				if t == "null" {
					s.Nullable = true
				} else if s.Type == "" {
					s.Type = t
				}
			}
		}
	}
	// "items" may be one schema, or a list (old tuple form): keep the first.
	if it := bytes.TrimSpace(w.Items); len(it) > 0 && it[0] == '{' {
		s.Items = new(Schema)
		if err := json.Unmarshal(it, s.Items); err != nil {
			return err
		}
	}
	return nil
}

// IntegrationError is an error ActionKit reported for one integration while
// listing, e.g. one whose fields could not be loaded. The list still holds
// the other integrations' tools.
type IntegrationError struct {
	// Integration names the integration, when ActionKit said which.
	Integration string
	// Message is ActionKit's text.
	Message string
	// Raw is the error entry as sent.
	Raw json.RawMessage
}

// NotConnected reports whether the error says the user has not connected
// the integration.
func (e IntegrationError) NotConnected() bool {
	return strings.Contains(strings.ToLower(e.Message), "integration not enabled")
}

// UnmarshalJSON accepts a string or an object with "integration" (or
// "type") and "message".
func (e *IntegrationError) UnmarshalJSON(b []byte) error {
	*e = IntegrationError{Raw: append(json.RawMessage(nil), b...)}
	var s string
	if json.Unmarshal(b, &s) == nil {
		e.Message = s
		return nil
	}
	var w struct {
		Integration string          `json:"integration"`
		Type        string          `json:"type"`
		Message     json.RawMessage `json:"message"`
		Error       string          `json:"error"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil // keep Raw; an odd entry never fails the whole list
	}
	e.Integration = w.Integration
	if e.Integration == "" {
		e.Integration = w.Type
	}
	if json.Unmarshal(w.Message, &e.Message) != nil {
		e.Message = string(w.Message)
	}
	if e.Message == "" {
		e.Message = w.Error
	}
	return nil
}

// ToolList is the answer of [Client.ListTools].
type ToolList struct {
	// Tools lists every tool, sorted by integration, in ActionKit's order
	// within an integration.
	Tools []Tool
	// Errors are the per-integration errors ActionKit reported.
	Errors []IntegrationError
	// Raw is the whole answer as sent.
	Raw json.RawMessage
}

// Integration returns the tools of one integration.
func (l *ToolList) Integration(name string) []Tool {
	var out []Tool
	for _, t := range l.Tools {
		if t.Integration == name {
			out = append(out, t)
		}
	}
	return out
}

// Tool returns the tool with the given name.
func (l *ToolList) Tool(name string) (Tool, bool) {
	for _, t := range l.Tools {
		if t.Name == name {
			return t, true
		}
	}
	return Tool{}, false
}

// wireToolEntry is one entry of "actions": {"type":"function","function":{…}}
// in the json_schema format, a flat object in others.
type wireToolEntry struct {
	Type     string `json:"type"`
	Function *struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
}

// toolEntry decodes one entry and keeps a copy of its bytes.
type toolEntry struct {
	wireToolEntry
	raw json.RawMessage
}

// UnmarshalJSON keeps b (a copy) and decodes it.
func (e *toolEntry) UnmarshalJSON(b []byte) error {
	e.raw = append(json.RawMessage(nil), b...)
	return json.Unmarshal(e.raw, &e.wireToolEntry)
}

type wireToolList[E any] struct {
	Actions map[string][]E     `json:"actions"`
	Tools   map[string][]E     `json:"tools"`
	Errors  []IntegrationError `json:"errors"`
}

// decodeToolList decodes a GET /tools answer. The json_schema format's
// entries are decoded in one pass (every field of theirs is modelled);
// when an entry has another shape, the answer is decoded again keeping
// each entry's bytes in Tool.Raw.
func decodeToolList(body []byte) (*ToolList, error) {
	var w wireToolList[wireToolEntry]
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, err
	}
	groups := w.Actions
	if groups == nil {
		groups = w.Tools
	}
	flat := false
	for _, es := range groups {
		for i := range es {
			flat = flat || es[i].Function == nil
		}
	}
	if !flat {
		return buildToolList(groups, w.Errors, body, func(*wireToolEntry) json.RawMessage { return nil }), nil
	}
	var wr wireToolList[toolEntry]
	if err := json.Unmarshal(body, &wr); err != nil {
		return nil, err
	}
	rg := wr.Actions
	if rg == nil {
		rg = wr.Tools
	}
	plain := make(map[string][]wireToolEntry, len(rg))
	raws := map[*wireToolEntry]json.RawMessage{}
	for k, es := range rg {
		list := make([]wireToolEntry, len(es))
		for i := range es {
			list[i] = es[i].wireToolEntry
			raws[&list[i]] = es[i].raw
		}
		plain[k] = list
	}
	return buildToolList(plain, wr.Errors, body, func(e *wireToolEntry) json.RawMessage { return raws[e] }), nil
}

func buildToolList(groups map[string][]wireToolEntry, errs []IntegrationError, body []byte, raw func(*wireToolEntry) json.RawMessage) *ToolList {
	names := make([]string, 0, len(groups))
	n := 0
	for k, v := range groups {
		names = append(names, k)
		n += len(v)
	}
	slices.Sort(names)
	out := &ToolList{Tools: make([]Tool, 0, n), Errors: errs, Raw: body}
	for _, integ := range names {
		for i := range groups[integ] {
			e := &groups[integ][i]
			t := Tool{Integration: integ, Type: e.Type, Name: e.Name, Description: e.Description, Parameters: e.Parameters, Raw: raw(e)}
			if f := e.Function; f != nil {
				t.Name, t.Description, t.Parameters = f.Name, f.Description, f.Parameters
			}
			if t.Description == "" {
				t.Description = e.Title
			}
			if isNull(t.Parameters) {
				t.Parameters = nil
			}
			out.Tools = append(out.Tools, t)
		}
	}
	return out
}

func isNull(b json.RawMessage) bool {
	return len(b) == 0 || string(bytes.TrimSpace(b)) == "null"
}

// ListTools lists the tools the user can run (GET /projects/{id}/tools),
// filtered by p (nil lists everything ActionKit lists by default).
//
// See https://docs.useparagon.com/actionkit/api-reference/list-tools.
func (c *Client) ListTools(ctx context.Context, p *ListToolsParams, opts ...paragon.CallOption) (*ToolList, error) {
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	if len(q) == 0 {
		q = nil
	}
	resp, err := c.call(ctx, http.MethodGet, c.pathOrEmpty("/tools"), &paragon.CallParams{Query: q, Template: "/projects/{id}/tools"}, opts)
	if err != nil {
		return nil, err
	}
	if len(resp.Output) == 0 {
		return nil, fmt.Errorf("%w: actionkit: list tools: empty response body", paragon.ErrInvalidResponse)
	}
	list, err := decodeToolList(resp.Output)
	if err != nil {
		return nil, fmt.Errorf("%w: actionkit: list tools: %w", paragon.ErrInvalidResponse, err)
	}
	c.learn(list.Tools)
	return list, nil
}

// pathOrEmpty is path for a usable client; call reports the client's error.
func (c *Client) pathOrEmpty(suffix string) string {
	if c == nil || c.err != nil {
		return ""
	}
	return c.path(suffix)
}

// ToolResult is the output of a tool run.
type ToolResult struct {
	// StatusCode is ActionKit's status (2xx).
	StatusCode int
	// Header holds the response headers.
	Header http.Header
	// ContentType is the output's media type without parameters, e.g.
	// "application/json" or "image/png" ("" when ActionKit sent none).
	ContentType string
	// Data is the output as sent: the JSON text for JSON outputs, the file's
	// bytes otherwise.
	Data []byte
}

// IsJSON reports whether the output is JSON (by its content type, or, when
// there is none, by its bytes).
func (r *ToolResult) IsJSON() bool {
	if r.ContentType == "" {
		return json.Valid(r.Data)
	}
	return r.ContentType == "application/json" || strings.HasSuffix(r.ContentType, "+json")
}

// JSON returns the output as raw JSON, or nil when it is not JSON.
func (r *ToolResult) JSON() json.RawMessage {
	if !r.IsJSON() {
		return nil
	}
	t := bytes.TrimSpace(r.Data)
	if !json.Valid(t) {
		return nil
	}
	return t
}

// Decode decodes a JSON output into v.
func (r *ToolResult) Decode(v any) error {
	j := r.JSON()
	if j == nil {
		return fmt.Errorf("%w: actionkit: tool output is %s, not JSON", paragon.ErrInvalidResponse, r.kind())
	}
	if err := json.Unmarshal(j, v); err != nil {
		return fmt.Errorf("%w: actionkit: tool output: %w", paragon.ErrInvalidResponse, err)
	}
	return nil
}

func (r *ToolResult) kind() string {
	if r.ContentType == "" {
		return "not typed"
	}
	return r.ContentType
}

// runBody is the body of POST /tools.
type runBody struct {
	Tool       string          `json:"tool"`
	Parameters json.RawMessage `json:"parameters"`
}

// RunTool runs the tool name with params (POST /projects/{id}/tools
// {"tool", "parameters"}). params must encode as a JSON object: a map, a
// struct, or JSON text as json.RawMessage or []byte; nil sends {}. Pin the run to one of the
// user's accounts with paragon.WithCredential.
//
// A tool run is a write, sent at most once unless it certainly did not
// reach Paragon (see the package doc). When the user has not connected the
// tool's integration the error is a *[NotConnectedError]; other failures
// are *paragon.Error values (ActionKit's message may itself be a
// JSON-encoded string).
//
// See https://docs.useparagon.com/actionkit/api-reference/run-tool.
func (c *Client) RunTool(ctx context.Context, name string, params any, opts ...paragon.CallOption) (*ToolResult, error) {
	if err := checkName("tool name", name); err != nil {
		return nil, err
	}
	p, err := encodeObject("parameters", params)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(runBody{Tool: name, Parameters: p})
	if err != nil {
		return nil, fmt.Errorf("%w: actionkit: %w", paragon.ErrInvalidInput, err)
	}
	resp, err := c.call(ctx, http.MethodPost, c.pathOrEmpty("/tools"), &paragon.CallParams{
		Body:     json.RawMessage(body),
		Stream:   true, // read it here, so binary outputs keep every byte
		Template: "/projects/{id}/tools (run)",
	}, opts)
	if err != nil {
		return nil, c.toolError(name, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxOutput+1))
	if err != nil {
		return nil, fmt.Errorf("actionkit: run %s: reading the output: %w", name, err)
	}
	if int64(len(data)) > c.maxOutput {
		return nil, fmt.Errorf("%w: actionkit: run %s: output over %d bytes", paragon.ErrResponseTooLarge, name, c.maxOutput)
	}
	res := &ToolResult{StatusCode: resp.StatusCode, Header: resp.Header, Data: data}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			res.ContentType = mt
		} else {
			res.ContentType = strings.ToLower(strings.TrimSpace(ct))
		}
	}
	return res, nil
}

// toolError turns "Integration not enabled for user." into a
// *NotConnectedError.
func (c *Client) toolError(tool string, err error) error {
	var pe *paragon.Error
	if !errors.As(err, &pe) || !errors.Is(pe, paragon.ErrIntegrationNotEnabled) {
		return err
	}
	integ := integrationInBody(pe)
	if integ == "" {
		integ = c.integrationOf(tool)
	}
	return &NotConnectedError{Integration: integ, Tool: tool, Err: pe}
}

// integrationInBody finds the integration's name in an error answer: in
// meta, or in a message that is itself a JSON-encoded object. (It reads
// the body, as *paragon.Error's Meta is not always filled in.)
func integrationInBody(pe *paragon.Error) string {
	keys := []string{"integration", "integrationType", "integrationName"}
	if s := metaString(pe.Meta, keys...); s != "" {
		return s
	}
	var w struct {
		Message json.RawMessage `json:"message"`
		Meta    map[string]any  `json:"meta"`
	}
	if json.Unmarshal(pe.Body, &w) != nil {
		return ""
	}
	if s := metaString(w.Meta, keys...); s != "" {
		return s
	}
	var inner string
	var obj map[string]any
	if json.Unmarshal(w.Message, &inner) == nil && json.Unmarshal([]byte(inner), &obj) == nil {
		return metaString(obj, keys...)
	}
	return ""
}

func metaString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
