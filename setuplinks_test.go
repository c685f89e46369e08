package paragon_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

var setupLinksURL = apiBase + "/projects/" + testProject + "/setup-links"

const linkURL = "https://connect.useparagon.com/setup?token=eyJsZWNyZXQiOiJ0b2tlbi1zM2NyM3QifQ"

func TestCreateSetupLinkWithAPIKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithAPIKey(testAPIKey))
	h.on("POST", setupLinksURL, 201, `{"url":"`+linkURL+`"}`)
	start := time.Now().Truncate(time.Second)
	link, err := h.c.Project().CreateSetupLink(t.Context(), &paragon.SetupLinkParams{
		EndUserID: "acct-1042", Integrations: []string{"googledrive", "close"}, ExpiresIn: 2 * time.Hour,
	})
	require.NoError(t, err)
	r := h.only()
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, setupLinksURL, r.URL)
	assert.Equal(t, "Bearer "+testAPIKey, r.Header.Get("Authorization"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"endUserId":"acct-1042","integrations":["googledrive","close"],"expiresIn":7200}`, string(r.Body))
	assert.Equal(t, linkURL, link.URL())
	assert.Equal(t, "acct-1042", link.UserID)
	assert.WithinDuration(t, start.Add(2*time.Hour), link.ExpiresAt, 2*time.Second)

	// The URL carries a token: no formatted form shows it.
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("link", "link", link)
	js, err := json.Marshal(link)
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprint(link), fmt.Sprintf("%+v %#v %s %q", link, link, link, link),
		fmt.Sprintf("%v", *link), fmt.Sprintf("%+v", struct{ L *paragon.SetupLink }{link}), string(js), logs.String()} {
		assert.NotContains(t, s, "eyJsZWNyZXQ")
		assert.NotContains(t, s, "token=")
	}
	assert.Contains(t, fmt.Sprint(link), "connect.useparagon.com")
}

func TestCreateSetupLinkWithUserToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on("POST", setupLinksURL, 200, `{"url":"`+linkURL+`","expiresAt":"2026-01-01T01:00:00.000Z"}`)
	perms := paragon.NewPermissions().Allow(paragon.IntegrationScope("googledrive"))
	link, err := h.c.User("acct-1042", paragon.WithPermissions(perms)).CreateSetupLink(t.Context(), nil)
	require.NoError(t, err)
	r := h.only()
	claims := verifyToken(t, r.Header, "acct-1042")
	assert.Equal(t, map[string]any{"integration:googledrive": true}, claims[permClaim], "the link is limited by the token's permissions")
	assert.JSONEq(t, `{"expiresIn":3600}`, string(r.Body), "endUserId defaults to the token's sub; 1 h by default")
	assert.Equal(t, time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), link.ExpiresAt.UTC(), "Paragon's expiresAt wins")

	_, err = h.c.User("acct-1042").CreateSetupLink(t.Context(), &paragon.SetupLinkParams{EndUserID: "someone-else"})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Len(t, h.requests(), 1)
}

func TestCreateSetupLinkPathOverride(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithAPIKey(testAPIKey), paragon.WithSetupLinksPath("/v2/projects/{projectId}/sdk/setup-link"))
	h.on("POST", apiBase+"/v2/projects/"+testProject+"/sdk/setup-link", 200, `{"url":"`+linkURL+`"}`)
	_, err := h.c.Project().CreateSetupLink(t.Context(), &paragon.SetupLinkParams{EndUserID: "u1"})
	require.NoError(t, err)
	assert.Len(t, h.requests(), 1)
	for _, bad := range []string{"", "setup-links", "/a/../b", "/a?b=1", "/a//b", "/a#x"} {
		_, err := paragon.NewClient(testProject, paragon.WithSetupLinksPath(bad))
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, bad)
	}
}

func TestCreateSetupLinkErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"not enabled", 403, `{"message":"Setup Links are not enabled for this project.","code":"56016","status":403,"meta":{}}`, paragon.ErrSetupLinksNotEnabled},
		{"unknown integration", 400, `{"message":"Integration notion is not enabled.","code":"56004","status":400,"meta":{}}`, paragon.ErrSetupLinkIntegration},
		{"numeric code", 400, `{"message":"x","code":56004,"status":400}`, paragon.ErrSetupLinkIntegration},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, paragon.WithAPIKey(testAPIKey))
			h.on("POST", setupLinksURL, tt.status, tt.body)
			_, err := h.c.Project().CreateSetupLink(t.Context(), &paragon.SetupLinkParams{EndUserID: "u1", Integrations: []string{"notion"}})
			require.ErrorIs(t, err, tt.want)
			var pe *paragon.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tt.status, pe.StatusCode)
			other := paragon.ErrSetupLinksNotEnabled
			if errors.Is(tt.want, other) {
				other = paragon.ErrSetupLinkIntegration
			}
			assert.NotErrorIs(t, err, other)
			assert.Len(t, h.requests(), 1, "a 4xx is not retried")
		})
	}
	// An answer without a usable url.
	h := newHarness(t, paragon.WithAPIKey(testAPIKey))
	h.on("POST", setupLinksURL, 200, `{"url":"/relative"}`)
	_, err := h.c.Project().CreateSetupLink(t.Context(), &paragon.SetupLinkParams{EndUserID: "u1"})
	require.ErrorIs(t, err, paragon.ErrInvalidResponse)
}

func TestCreateSetupLinkBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, paragon.WithAPIKey(testAPIKey))
	p := h.c.Project()
	for name, params := range map[string]*paragon.SetupLinkParams{
		"nil":               nil,
		"no end user":       {},
		"over 24h":          {EndUserID: "u1", ExpiresIn: 24*time.Hour + time.Second},
		"negative":          {EndUserID: "u1", ExpiresIn: -time.Second},
		"sub-second":        {EndUserID: "u1", ExpiresIn: 500 * time.Millisecond},
		"fraction":          {EndUserID: "u1", ExpiresIn: 1500 * time.Millisecond},
		"bad integration":   {EndUserID: "u1", Integrations: []string{"../x"}},
		"empty integration": {EndUserID: "u1", Integrations: []string{""}},
		"bad user":          {EndUserID: "u\x00"},
	} {
		_, err := p.CreateSetupLink(t.Context(), params)
		assert.ErrorIs(t, err, paragon.ErrInvalidInput, name)
	}
	assert.Empty(t, h.requests())
	h.on("POST", setupLinksURL, 200, `{"url":"`+linkURL+`"}`)
	_, err := p.CreateSetupLink(t.Context(), &paragon.SetupLinkParams{EndUserID: "u1", ExpiresIn: 24 * time.Hour})
	require.NoError(t, err, "24 h is the maximum, allowed")
	assert.JSONEq(t, `{"endUserId":"u1","expiresIn":86400}`, string(h.only().Body))
	_, err = (*paragon.User)(nil).CreateSetupLink(t.Context(), nil)
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
}
