package actionkit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/actionkit"
	"github.com/paragon-go/paragon/paragontest"
)

// Against the fake: subscriptions end to end, pinned to a credential.
func TestSubscriptionsAgainstFake(t *testing.T) {
	t.Parallel()
	srv := paragontest.NewServer(paragontest.WithUser(paragontest.UserSeed{ID: "u1", Connected: []string{"close"}}))
	t.Cleanup(srv.Close)
	u := srv.Client().User("u1")
	ctx := t.Context()
	me, err := u.GetUser(ctx)
	require.NoError(t, err)
	credID := me.Integrations["close"].CredentialID
	require.NotEmpty(t, credID)
	ak := actionkit.New(u, actionkit.WithCallOptions(paragon.WithCredential(credID)))

	trig, err := ak.ListTriggers(ctx, &actionkit.ListTriggersParams{Integrations: []string{"close"}})
	require.NoError(t, err)
	require.NotEmpty(t, trig.Triggers)
	sub, err := ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{Type: trig.Triggers[0].Type, Parameters: map[string]any{"objectType": "lead"},
		WebhookOverride: &actionkit.WebhookOverride{URL: "http://127.0.0.1:9/hook"}})
	require.NoError(t, err)
	assert.Equal(t, credID, sub.CredentialID)
	assert.False(t, sub.DateCreated.IsZero())

	sub, err = ak.UpdateSubscription(ctx, sub.ID, &actionkit.SubscriptionUpdate{Parameters: map[string]any{"objectType": nil, "since": "2026-01-01"}, RemoveWebhookOverride: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"since": "2026-01-01"}`, string(sub.Parameters))
	assert.NotContains(t, string(sub.Raw), "webhookOverride")

	require.NoError(t, srv.SetTriggerSubscriptionStatus(sub.ID, paragontest.TriggerStatusErrored))
	subs, err := ak.ListSubscriptions(ctx, &actionkit.ListSubscriptionsParams{Status: actionkit.SubscriptionErrored})
	require.NoError(t, err)
	require.Len(t, subs, 1)
	assert.Equal(t, actionkit.SubscriptionErrored, subs[0].Status)

	del, err := ak.DeleteSubscription(ctx, sub.ID)
	require.NoError(t, err)
	assert.True(t, del.Success)
	_, err = ak.DeleteSubscription(ctx, sub.ID)
	require.ErrorIs(t, err, paragon.ErrNotFound)

	// Slack is not connected: a typed error, and nothing created.
	_, err = ak.CreateSubscription(ctx, &actionkit.SubscriptionParams{Type: "SLACK_TRIGGER_MESSAGE_POSTED"})
	require.ErrorIs(t, err, paragon.ErrNotFound)
}
