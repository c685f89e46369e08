package actionkit_test

import (
	"errors"
	"math"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/actionkit"
)

// toolsReply is a GET /tools answer shaped as the spec (§4.4) shows it.
const toolsReply = `{
  "actions": {
    "salesforce": [
      {"type": "function", "function": {"name": "SALESFORCE_CREATE_RECORD", "description": "Create a record",
        "parameters": {"type": "object", "properties": {"recordType": {"type": "string", "enum": ["Lead", "Contact"]}},
          "required": ["recordType"], "additionalProperties": false}}}
    ],
    "close": [
      {"type": "function", "function": {"name": "CLOSE_CREATE_LEAD", "description": "Create a lead in Close",
        "parameters": {"type": "object", "properties": {"name": {"type": ["string", "null"], "description": "Lead name"},
          "contacts": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}},
          "required": ["name"]}}},
      {"type": "function", "function": {"name": "CLOSE_SEARCH_LEADS", "description": "Search leads",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}}
    ]
  },
  "errors": [{"type": "hubspot", "message": "Integration not enabled for user."}, "fields for pipedrive could not be loaded"]
}`

func TestListToolsFilters(t *testing.T) {
	t.Parallel()
	w := newWire(t, 0,
		exchange{Method: "GET", Path: "/tools", Reply: toolsReply},
		exchange{Method: "GET", Path: "/tools",
			Query:  "format=paragon&integrations=close,hubspot&categories=crm,project_management&limit_to_available=false&reload_fields=true",
			Header: map[string]string{paragon.HeaderCredential: "cred-1"},
			Reply:  `{"actions": {}, "errors": []}`},
	)
	ak := actionkit.New(w.user)
	list, err := ak.ListTools(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, list.Tools, 3)
	assert.Equal(t, []string{"CLOSE_CREATE_LEAD", "CLOSE_SEARCH_LEADS", "SALESFORCE_CREATE_RECORD"},
		[]string{list.Tools[0].Name, list.Tools[1].Name, list.Tools[2].Name}, "sorted by integration, wire order inside")
	lead := list.Tools[0]
	assert.Equal(t, "close", lead.Integration)
	assert.Equal(t, "function", lead.Type)
	assert.Equal(t, "Create a lead in Close", lead.Description)
	assert.JSONEq(t, `{"type": "object", "properties": {"name": {"type": ["string", "null"], "description": "Lead name"},
          "contacts": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}},
          "required": ["name"]}`, string(lead.Parameters), "parameters kept raw")
	s, err := lead.Schema()
	require.NoError(t, err)
	assert.Equal(t, "object", s.Type)
	assert.Equal(t, []string{"name"}, s.Required)
	assert.Equal(t, "string", s.Properties["name"].Type)
	assert.True(t, s.Properties["name"].Nullable)
	assert.Equal(t, "object", s.Properties["contacts"].Items.Type)
	sf, ok := list.Tool("SALESFORCE_CREATE_RECORD")
	require.True(t, ok)
	var m map[string]any
	require.NoError(t, sf.DecodeParameters(&m))
	assert.Equal(t, false, m["additionalProperties"])
	assert.Len(t, list.Integration("close"), 2)
	assert.JSONEq(t, toolsReply, string(list.Raw), "the whole answer")
	assert.Nil(t, lead.Raw, "json_schema entries are fully modelled")

	require.Len(t, list.Errors, 2)
	assert.Equal(t, "hubspot", list.Errors[0].Integration)
	assert.True(t, list.Errors[0].NotConnected())
	assert.Equal(t, "fields for pipedrive could not be loaded", list.Errors[1].Message)
	assert.False(t, list.Errors[1].NotConnected())

	list, err = ak.ListTools(t.Context(), &actionkit.ListToolsParams{
		Format:             actionkit.FormatParagon,
		Integrations:       []string{"close", "hubspot"},
		Categories:         []string{"crm", "project_management"},
		IncludeUnavailable: true,
		ReloadFields:       true,
	}, paragon.WithCredential("cred-1"))
	require.NoError(t, err)
	assert.Empty(t, list.Tools)
}

func TestListToolsFlatFormatAndBadAnswers(t *testing.T) {
	t.Parallel()
	w := newWire(t, 0,
		exchange{Method: "GET", Path: "/tools", Query: "format=paragon",
			Reply: `{"actions": {"close": [{"name": "CLOSE_CREATE_LEAD", "title": "Create lead", "inputs": [{"id": "name"}]}]}}`},
		exchange{Method: "GET", Path: "/tools", Reply: `<html>oops</html>`, ContentType: "text/html"},
		exchange{Method: "GET", Path: "/tools", Reply: ``},
	)
	ak := actionkit.New(w.user)
	list, err := ak.ListTools(t.Context(), &actionkit.ListToolsParams{Format: actionkit.FormatParagon})
	require.NoError(t, err)
	require.Len(t, list.Tools, 1)
	assert.Equal(t, "CLOSE_CREATE_LEAD", list.Tools[0].Name)
	assert.Equal(t, "Create lead", list.Tools[0].Description)
	assert.Nil(t, list.Tools[0].Parameters)
	assert.JSONEq(t, `{"name": "CLOSE_CREATE_LEAD", "title": "Create lead", "inputs": [{"id": "name"}]}`, string(list.Tools[0].Raw))
	_, err = list.Tools[0].Schema()
	require.ErrorIs(t, err, paragon.ErrInvalidResponse)

	_, err = ak.ListTools(t.Context(), nil)
	require.ErrorIs(t, err, paragon.ErrInvalidResponse)
	_, err = ak.ListTools(t.Context(), nil)
	require.ErrorIs(t, err, paragon.ErrInvalidResponse)
}

func TestRunToolJSON(t *testing.T) {
	t.Parallel()
	w := newWire(t, 0,
		exchange{Method: "POST", Path: "/tools",
			Body:   `{"tool": "CLOSE_CREATE_LEAD", "parameters": {"name": "Harbor Analytics", "contacts": [{"name": "Ada"}]}}`,
			Header: map[string]string{paragon.HeaderCredential: "b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10"},
			Reply:  `{"id": "lead_7Hn2", "display_name": "Harbor Analytics"}`},
		exchange{Method: "POST", Path: "/tools", Body: `{"tool": "CLOSE_SEARCH_LEADS", "parameters": {}}`, Reply: `[]`},
	)
	ak := actionkit.New(w.user, actionkit.WithCallOptions(paragon.WithCredential("b7e0c1d2-5a44-4f7e-9a01-6c3f2e8d9b10")))
	res, err := ak.RunTool(t.Context(), "CLOSE_CREATE_LEAD", map[string]any{
		"name": "Harbor Analytics", "contacts": []map[string]string{{"name": "Ada"}},
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/json", res.ContentType)
	assert.True(t, res.IsJSON())
	var lead struct {
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
	}
	require.NoError(t, res.Decode(&lead))
	assert.Equal(t, "lead_7Hn2", lead.ID)

	ak2 := actionkit.New(w.user)
	res, err = ak2.RunTool(t.Context(), "CLOSE_SEARCH_LEADS", nil)
	require.NoError(t, err)
	assert.JSONEq(t, `[]`, string(res.JSON()))
}

func TestRunToolBinaryOutput(t *testing.T) {
	t.Parallel()
	png := "\x89PNG\r\n\x1a\n\x00\x00 binary \n"
	w := newWire(t, 0,
		exchange{Method: "POST", Path: "/tools", Body: `{"tool": "GOOGLE_DRIVE_DOWNLOAD_FILE", "parameters": {"fileId": "f1"}}`,
			Reply: png, ContentType: "image/png; name=chart.png"},
	)
	res, err := actionkit.New(w.user).RunTool(t.Context(), "GOOGLE_DRIVE_DOWNLOAD_FILE", []byte(`{"fileId": "f1"}`))
	require.NoError(t, err)
	assert.Equal(t, "image/png", res.ContentType)
	assert.Equal(t, []byte(png), res.Data, "every byte kept, whitespace at the ends included")
	assert.False(t, res.IsJSON())
	assert.Nil(t, res.JSON())
	require.ErrorIs(t, res.Decode(new(any)), paragon.ErrInvalidResponse)
}

func TestRunToolOutputLimit(t *testing.T) {
	t.Parallel()
	w := newWire(t, 0, exchange{Method: "POST", Path: "/tools", Body: `{"tool": "T", "parameters": {}}`, Reply: `"0123456789"`})
	_, err := actionkit.New(w.user, actionkit.WithMaxOutputBytes(5)).RunTool(t.Context(), "T", nil)
	require.ErrorIs(t, err, paragon.ErrResponseTooLarge)
}

// A tool run is a write: a 503 or 500 after the request arrived is never
// retried, while a 429 (not processed) is.
func TestRunToolNotRetriedAfterArrival(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		w := newWire(t, 3, exchange{Method: "POST", Path: "/tools", Body: `{"tool": "CLOSE_CREATE_LEAD", "parameters": {"name": "A"}}`,
			Status: status, Reply: `{"message": "Unable to run tool: upstream returned 500", "code": "41070", "status": 500}`})
		_, err := actionkit.New(w.user).RunTool(t.Context(), "CLOSE_CREATE_LEAD", map[string]string{"name": "A"})
		var pe *paragon.Error
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, status, pe.StatusCode)
		assert.Equal(t, "41070", pe.Code)
		assert.Equal(t, "Unable to run tool: upstream returned 500", actionkit.ErrorMessage(err))
		assert.Equal(t, 1, w.count(), "status %d: sent once", status)
	}
	w := newWire(t, 3,
		exchange{Method: "POST", Path: "/tools", Body: `{"tool": "T", "parameters": {}}`, Status: 429, Reply: `{"message": "slow down", "status": 429}`},
		exchange{Method: "POST", Path: "/tools", Body: `{"tool": "T", "parameters": {}}`, Reply: `{}`},
	)
	_, err := actionkit.New(w.user).RunTool(t.Context(), "T", nil)
	require.NoError(t, err)
	assert.Equal(t, 2, w.count())
}

func TestRunToolNotConnected(t *testing.T) {
	t.Parallel()
	notEnabled := `{"message": "Integration not enabled for user.", "code": "integration_not_enabled", "status": 404,
	  "meta": {"personaId": "p1", "projectId": "` + testProject + `", "integrationId": "2e4f", "endUserId": "user-1"}}`
	w := newWire(t, 3,
		exchange{Method: "GET", Path: "/tools", Query: "limit_to_available=false", Reply: toolsReply},
		exchange{Method: "POST", Path: "/tools", Body: `{"tool": "SALESFORCE_CREATE_RECORD", "parameters": {"recordType": "Lead"}}`, Status: 404, Reply: notEnabled},
		exchange{Method: "POST", Path: "/tools", Body: `{"tool": "HUBSPOT_CREATE_CONTACT", "parameters": {}}`, Status: 400,
			Reply: `{"message": "{\"message\":\"Integration not enabled for user.\",\"integration\":\"hubspot\"}", "status": 400, "meta": {"integration": "hubspot"}}`},
		exchange{Method: "POST", Path: "/tools", Body: `{"tool": "NOTION_SEARCH", "parameters": {}}`, Status: 404, Reply: notEnabled},
	)
	ak := actionkit.New(w.user)
	_, err := ak.ListTools(t.Context(), &actionkit.ListToolsParams{IncludeUnavailable: true})
	require.NoError(t, err)

	_, err = ak.RunTool(t.Context(), "SALESFORCE_CREATE_RECORD", map[string]any{"recordType": "Lead"})
	var nc *actionkit.NotConnectedError
	require.ErrorAs(t, err, &nc)
	assert.Equal(t, "salesforce", nc.Integration, "learned from the tool list")
	assert.Equal(t, "SALESFORCE_CREATE_RECORD", nc.Tool)
	require.ErrorIs(t, err, paragon.ErrIntegrationNotEnabled)
	require.ErrorIs(t, err, paragon.ErrNotFound)
	var pe *paragon.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, http.StatusNotFound, pe.StatusCode)
	assert.Contains(t, err.Error(), "has not connected salesforce")

	_, err = ak.RunTool(t.Context(), "HUBSPOT_CREATE_CONTACT", nil)
	require.ErrorAs(t, err, &nc)
	assert.Equal(t, "hubspot", nc.Integration, "named by the answer's meta")
	assert.Equal(t, "Integration not enabled for user.", actionkit.ErrorMessage(err), "the JSON-encoded message, unwrapped")

	_, err = ak.RunTool(t.Context(), "NOTION_SEARCH", nil)
	require.ErrorAs(t, err, &nc)
	assert.Empty(t, nc.Integration, "never guessed from the tool name")
	assert.Equal(t, 4, w.count(), "not-connected answers are not retried")
}

func TestBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	w := newWire(t, 0)
	ak := actionkit.New(w.user)
	ctx := t.Context()
	var nilMap map[string]any
	cases := map[string]func() error{
		"empty tool":       func() error { _, err := ak.RunTool(ctx, "", nil); return err },
		"blank tool":       func() error { _, err := ak.RunTool(ctx, "  ", nil); return err },
		"control in name":  func() error { _, err := ak.RunTool(ctx, "A\nB", nil); return err },
		"array params":     func() error { _, err := ak.RunTool(ctx, "T", []int{1}); return err },
		"string params":    func() error { _, err := ak.RunTool(ctx, "T", "x"); return err },
		"raw array params": func() error { _, err := ak.RunTool(ctx, "T", []byte(`[1]`)); return err },
		"invalid raw":      func() error { _, err := ak.RunTool(ctx, "T", []byte(`{"a":`)); return err },
		"NaN":              func() error { _, err := ak.RunTool(ctx, "T", map[string]any{"x": math.NaN()}); return err },
		"Inf nested": func() error {
			_, err := ak.RunTool(ctx, "T", map[string]any{"x": []any{math.Inf(1)}})
			return err
		},
		"channel":        func() error { _, err := ak.RunTool(ctx, "T", map[string]any{"x": make(chan int)}); return err },
		"unknown format": func() error { _, err := ak.ListTools(ctx, &actionkit.ListToolsParams{Format: "yaml"}); return err },
		"empty integration": func() error {
			_, err := ak.ListTools(ctx, &actionkit.ListToolsParams{Integrations: []string{""}})
			return err
		},
		"comma integration": func() error {
			_, err := ak.ListTools(ctx, &actionkit.ListToolsParams{Integrations: []string{"a,b"}})
			return err
		},
		"nil call option": func() error { _, err := ak.ListTools(ctx, nil, nil); return err },
		"bad credential":  func() error { _, err := ak.ListTools(ctx, nil, paragon.WithCredential("")); return err },
		"nil sub params":  func() error { _, err := ak.CreateSubscription(ctx, nil); return err },
		"empty sub type": func() error {
			_, err := ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{})
			return err
		},
		"sub params array": func() error {
			_, err := ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{Type: "T", Parameters: []string{}})
			return err
		},
		"sub NaN": func() error {
			_, err := ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{Type: "T", Parameters: map[string]float64{"x": math.NaN()}})
			return err
		},
		"relative override": func() error {
			_, err := ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{Type: "T", WebhookOverride: &actionkit.WebhookOverride{URL: "/hook"}})
			return err
		},
		"empty update id": func() error { _, err := ak.UpdateSubscription(ctx, "", &actionkit.SubscriptionUpdate{}); return err },
		"nil update":      func() error { _, err := ak.UpdateSubscription(ctx, "s1", nil); return err },
		"empty update":    func() error { _, err := ak.UpdateSubscription(ctx, "s1", &actionkit.SubscriptionUpdate{}); return err },
		"nil params map": func() error {
			_, err := ak.UpdateSubscription(ctx, "s1", &actionkit.SubscriptionUpdate{Parameters: nilMap})
			return err
		},
		"set and remove": func() error {
			_, err := ak.UpdateSubscription(ctx, "s1", &actionkit.SubscriptionUpdate{
				WebhookOverride: &actionkit.WebhookOverride{URL: "https://x.test"}, RemoveWebhookOverride: true})
			return err
		},
		"empty delete id": func() error { _, err := ak.DeleteSubscription(ctx, ""); return err },
		"slash in id":     func() error { _, err := ak.DeleteSubscription(ctx, "a/b"); return err },
		"dot-dot id":      func() error { _, err := ak.DeleteSubscription(ctx, ".."); return err },
		"bad status": func() error {
			_, err := ak.ListSubscriptions(ctx, &actionkit.ListSubscriptionsParams{Status: "PAUSED"})
			return err
		},
		"bad trigger filter": func() error {
			_, err := ak.ListTriggers(ctx, &actionkit.ListTriggersParams{Integrations: []string{" "}})
			return err
		},
		"nil user":   func() error { _, err := actionkit.New(nil).ListTools(ctx, nil); return err },
		"nil client": func() error { var c *actionkit.Client; _, err := c.RunTool(ctx, "T", nil); return err },
		"nil option": func() error { _, err := actionkit.New(w.user, nil).ListTools(ctx, nil); return err },
		"bad max": func() error {
			_, err := actionkit.New(w.user, actionkit.WithMaxOutputBytes(0)).ListTools(ctx, nil)
			return err
		},
		"nil ctx": func() error {
			_, err := ak.ListTools(nil, nil) //nolint:staticcheck // SA1012: a nil context on purpose
			return err
		},
	}
	for name, f := range cases {
		err := f()
		require.Error(t, err, name)
		assert.True(t, errors.Is(err, paragon.ErrInvalidInput), "%s: %v", name, err)
	}
	assert.Zero(t, w.count(), "nothing sent")
}
