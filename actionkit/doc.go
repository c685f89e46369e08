// Package actionkit calls Paragon's ActionKit as one Connected User: the
// Tools API (list a user's tools, run one), the Triggers API (the trigger
// catalogue and the user's trigger subscriptions) and the trigger webhooks
// ActionKit delivers to your backend.
//
// # Shape
//
// The package stands on one exported call of the core package,
// (*paragon.User).Call with paragon.ServiceActionKit, the way package close
// stands on the proxy's (*paragon.User).Request. The user's token, the
// ActionKit host (cloud, EU, on-prem or a test server), retries, limits and
// the typed *paragon.Error all come from there; this package builds the
// paths and bodies, checks input before any request, and decodes the
// answers into types.
//
//	u := pc.User("user-1")            // a *paragon.User
//	ak := actionkit.New(u)            // cheap; safe for concurrent use
//	list, err := ak.ListTools(ctx, &actionkit.ListToolsParams{Integrations: []string{"close"}})
//	res, err := ak.RunTool(ctx, "CLOSE_CREATE_LEAD", map[string]any{"name": "Acme"})
//
// Every method takes ctx first and, last, paragon.CallOption values for that
// call (paragon.WithCredential pins a call to one of the user's accounts of
// an integration); [WithCallOptions] sets options for every call of a
// [Client].
//
// # Tools
//
// [Client.ListTools] sends GET /projects/{id}/tools with every documented
// filter ([ListToolsParams]) and returns a [ToolList]: the tools of each
// integration, each with its name, description and parameters (a JSON
// Schema kept as raw JSON in [Tool.Parameters], decodable with
// [Tool.Schema] or [Tool.DecodeParameters]), and the per-integration errors
// ActionKit reported.
//
// [Client.RunTool] sends POST /projects/{id}/tools {"tool", "parameters"}.
// A tool run is a write: it is sent as a non-idempotent POST, so the core
// transport retries it only when the request certainly did not reach
// Paragon (a refused connection, a 429), never after it may have arrived.
// Do not pass paragon.WithIdempotent to RunTool unless the tool is safe to
// repeat. The [ToolResult] holds the output as bytes with its content type:
// JSON for most tools (decode it with [ToolResult.Decode]), but files,
// images and audio arrive as they are.
//
// When the user has not connected the tool's integration, ActionKit answers
// "Integration not enabled for user."; the call then fails with a
// *[NotConnectedError] that names the integration, so the caller can send
// the user a Setup Link (or open the Connect Portal) for it. It wraps the
// *paragon.Error, so errors.Is(err, paragon.ErrIntegrationNotEnabled) holds.
//
// # Triggers
//
// [Client.ListTriggers] reads the trigger catalogue (GET /triggers).
// [Client.CreateSubscription], [Client.UpdateSubscription],
// [Client.DeleteSubscription] and [Client.ListSubscriptions] manage the
// user's trigger subscriptions (/trigger-subscriptions), a webhook override
// included. Subscriptions are per Connected User.
//
// [ParseTriggerWebhook] reads one delivery in your webhook handler, checks
// its x-paragon-signature ("v1=" and the HMAC-SHA256 of the raw body, keyed
// with your ActionKit signing secret) with paragon.VerifyWebhookSignature,
// and decodes it into a [TriggerEvent]. Deduplicate on
// [TriggerEvent.EventID]: ActionKit documents no replay window.
// [SignatureHeader] signs a body the way ActionKit does, for tests of your
// handler; paragontest's fake ActionKit delivers signed events itself
// (Server.FireTrigger).
//
// # Bad input
//
// An empty tool name, parameters that are not a JSON object, NaN or an
// infinity anywhere in a body, an empty subscription ID or trigger type:
// each fails with an error matching paragon.ErrInvalidInput before any
// request is sent.
//
// Docs: https://docs.useparagon.com/actionkit/api-reference and
// https://docs.useparagon.com/actionkit/triggers.
package actionkit
