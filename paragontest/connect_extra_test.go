package paragontest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

func TestFakeFieldOptionsPaged(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	var recs []map[string]any
	for i := range 120 {
		recs = append(recs, map[string]any{"label": fmt.Sprintf("Pipeline %03d", i), "value": fmt.Sprintf("pipe_%d", i)})
	}
	srv.SetFieldOptions("close", "pipelines", recs)
	u := srv.Client().User("u1")
	var labels []string
	for o, err := range u.FieldOptions(t.Context(), &paragon.FieldOptionsParams{Integration: "close", Source: "pipelines"}) {
		require.NoError(t, err)
		labels = append(labels, o.Label)
	}
	require.Len(t, labels, 120, "three pages of 50, 50 and 20")
	assert.Equal(t, "Pipeline 119", labels[119])

	n := 0
	for o, err := range u.FieldOptions(t.Context(), &paragon.FieldOptionsParams{Integration: "close", Source: "pipelines", Search: "pipeline 11"}) {
		require.NoError(t, err)
		assert.Contains(t, o.Label, "Pipeline 11")
		n++
	}
	assert.Equal(t, 10, n, "Pipeline 110 to 119")

	_, err := u.FieldOptionsPage(t.Context(), &paragon.FieldOptionsParams{Integration: "close", Source: "nope"}, "")
	require.ErrorIs(t, err, paragon.ErrNotFound)
	_, err = srv.Client().User("u2").FieldOptionsPage(t.Context(), &paragon.FieldOptionsParams{Integration: "close", Source: "pipelines"}, "")
	require.ErrorIs(t, err, paragon.ErrIntegrationNotEnabled)
}

func TestFakeCompleteSetup(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	u := srv.Client().User("u1")
	cred, err := u.Connect(t.Context(), "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "k"}})
	require.NoError(t, err)
	cred, err = u.CompleteSetup(t.Context(), "close", cred.ID, &paragon.ConnectParams{Inputs: map[string]any{"pipeline": "pipe_Sales"}})
	require.NoError(t, err)
	assert.Equal(t, paragon.CredentialValid, cred.Status)
	got, err := u.GetCredential(t.Context(), cred.ID)
	require.NoError(t, err)
	assert.Equal(t, cred.ID, got.ID)
	assert.Equal(t, "pipe_Sales", got.Config.SharedSettings["pipeline"])
	_, err = u.CompleteSetup(t.Context(), "close", "00000000-0000-4000-8000-000000000000", &paragon.ConnectParams{Inputs: map[string]any{}})
	require.ErrorIs(t, err, paragon.ErrNotFound)
}

func TestFakeAccountAuth(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"slack"}}))
	require.NoError(t, srv.SetAccountAuth("u1", "slack", map[string]any{"OAUTH_ACCESS_TOKEN": "xoxp-test"}))
	require.Error(t, srv.SetAccountAuth("u1", "close", map[string]any{"OAUTH_ACCESS_TOKEN": "x"}))
	creds, err := srv.Client().User("u1").ListCredentials(t.Context(), &paragon.ListCredentialsParams{Integration: "slack", IncludeAccountAuth: true})
	require.NoError(t, err)
	require.Len(t, creds, 1)
	tok, ok := creds[0].AccountAuth.Get("OAUTH_ACCESS_TOKEN")
	require.True(t, ok)
	assert.Equal(t, "xoxp-test", tok)
	assert.NotContains(t, fmt.Sprint(creds), "xoxp-test")
}

func TestFakeConnectResourceRoute(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id, err := srv.AddResource(paragontest.APIResource{Slug: "crm-api", Integration: "close", RequiredKeys: []string{"access_token"}})
	require.NoError(t, err)
	_, err = srv.AddResource(paragontest.APIResource{Slug: "crm-api", Integration: "close"})
	require.Error(t, err)
	_, err = srv.AddResource(paragontest.APIResource{Slug: "x", Integration: "hubspot"})
	require.Error(t, err)

	hc := &http.Client{}
	t.Cleanup(hc.CloseIdleConnections)
	post := func(resID, body string) (int, map[string]any) {
		req, err := http.NewRequestWithContext(t.Context(), "POST",
			srv.URL()+"/projects/"+srv.ProjectID()+"/sdk/resources/"+resID+"/connect", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+srv.UserToken("u1"))
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}
	status, cred := post(id, `{"access_token": "at-1", "refresh_token": "rt-1"}`)
	require.Equal(t, 200, status)
	assert.Equal(t, "VALID", cred["status"])
	assert.Equal(t, paragontest.CloseIntegrationID, cred["integrationId"])
	assert.Nil(t, cred["accountAuth"], "the values are not echoed")
	status, _ = post(id, `{"refresh_token": "rt-1"}`)
	assert.Equal(t, 400, status, "a required key is missing")
	status, _ = post("00000000-0000-4000-8000-000000000000", `{"access_token": "a"}`)
	assert.Equal(t, 404, status)

	creds, err := srv.Client().User("u1").ListCredentials(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, creds, 1)
}
