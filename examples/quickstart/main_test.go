package main

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/paragon-go/paragon/close"
	"github.com/paragon-go/paragon/examples/internal/setup"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestQuickstartLeavesNoLead runs the quickstart offline and checks that
// the Close lead it created is gone afterwards.
func TestQuickstartLeavesNoLead(t *testing.T) {
	t.Setenv("PARAGON_PROJECT_ID", "")
	env, err := setup.New()
	require.NoError(t, err)
	defer env.Close()
	require.True(t, env.Offline())
	require.NoError(t, run(t.Context(), env))
	n := 0
	for _, err := range close.New(env.Client.User(env.UserID)).Leads.List(t.Context(), nil) {
		require.NoError(t, err)
		n++
	}
	require.Zero(t, n, "the quickstart deletes the lead it created")
}
