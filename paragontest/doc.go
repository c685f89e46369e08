// Package paragontest runs a fake Paragon for one project, with a fake Close
// CRM behind its proxy, for tests and offline examples.
//
// A [Server] speaks Paragon's wire protocol on a loopback httptest server:
//
//	srv := paragontest.NewServer()
//	defer srv.Close()
//	u := srv.Client().User("user-1")
//	me, err := u.GetUser(ctx) // GET /projects/{id}/sdk/me, verified like Paragon
//
// It serves the Connect API (/sdk/me, integrations, credentials,
// configurations, metadata, workflows), App Events and Request triggers (as
// the hermes host does), the proxy (/sdk/proxy/{integration}/…) and the
// ActionKit trigger catalogue, all from one URL. [Server.Client] returns a
// *paragon.Client pointed at it, retrying with millisecond waits.
// [NewServer] panics on a bad option, like httptest.NewServer; [Start]
// returns the error instead, and [WithListenAddr] puts the fake on a known
// port for programs in other languages (or run "go run ./cmd/paragon fake").
//
// # Browsers
//
// Paragon's own browser SDK (@useparagon/connect) runs against the server:
// pass [Server.BrowserOverrides] to its configureGlobal. CORS preflights
// are answered (204, the requested headers allowed) before authentication,
// routing and fault injection, and are counted by [Server.PreflightCount],
// not in [Server.Requests]; every answer to a request with an Origin,
// errors and injected faults included, carries Access-Control-Allow-Origin
// for that origin and Vary: Origin. GET /ui, where the SDK loads its
// Connect Portal, answers a blank page.
//
// # Tokens
//
// Every request must carry "Authorization: Bearer <token>" where the token is
// an RS256 JWT signed with the server's key ([Server.SigningKeyPEM]), with an
// unexpired exp, a non-empty sub and, if present, aud
// "useparagon.com/<projectID>". Anything else is answered 401 in Paragon's
// error shape. The first valid token for a subject creates that Connected
// User, as Paragon does.
//
// # State
//
// The server keeps each user's metadata, credentials (connected accounts),
// their configurations (each with its user settings and workflow
// enablement, as /sdk/me renders them in
// allCredentials[].configurations[].workflowSettings), and records every App Event
// ([Server.Events]) and request ([Server.Requests]). Seed users with
// [WithUser] or [Server.AddUser]; [Server.UserToken] signs a token for any
// user, for code that does not use package paragon; [Server.Reset] puts
// everything back between subtests.
//
// Request-trigger workflows run Go handlers registered with
// [Server.HandleWorkflow]. A workflow of an integration runs only for users
// with a credential of that integration on which it is enabled; a workflow
// registered only with HandleWorkflow is enabled for everyone, but the
// browser SDK only triggers workflows of an integration: attach one with
// [Server.AddWorkflow] or [Integration].Workflows. Behind
// /sdk/proxy/close/ sits a stateful fake Close API ([CloseCRM], from package
// close/closetest, which documents what it serves), shared by
// all users; other integrations echo the request back, or run a handler
// registered with [Server.HandleProxy].
//
// # Faults
//
// [Server.InjectLatency], [Server.FailNext], [Server.FailRate] and
// [Server.DropNext] make Paragon slow or failing for any route;
// [CloseCRM.FailNext] and [CloseCRM.SetRateLimit] make Close fail behind the
// proxy. All of it is safe for concurrent use.
//
// # Where the fake decides
//
// Paragon does not document some answers; the fake picks one and keeps to it:
//
//   - Proxy, default mode: the upstream status is passed through and the
//     upstream body is wrapped as {"output": <body>} for every status,
//     errors included (a non-JSON body becomes a JSON string, an empty body
//     null). Location (on redirects) and the rate-limit headers RateLimit,
//     Retry-After and X-Rate-Limit-* are passed through; other upstream
//     headers are not. With X-Paragon-Use-Raw-Response set to 1 or true, the
//     upstream status, headers and bytes are returned unchanged.
//   - PATCH /sdk/me merges the top-level keys of "meta" (null deletes a key)
//     and answers with the user's state.
//   - PATCH /sdk/credentials/{id} acts on the X-Paragon-Configuration-Id
//     configuration, else the default one: sharedSettings replaces that
//     configuration's settings; workflowSettings (and the older
//     configuredWorkflows) update each workflow it names, {enabled,
//     settings}, keeping keys left out. It is the same state that
//     POST/DELETE /sdk/workflows/{id} toggle.
//   - GET /sdk/credentials?integration=<type> answers one object, the
//     integration record with hasCredential, credentialId, providerData,
//     accountAuth (with includeAccountAuth=true) and a "credentials" array
//     of the user's accounts of that integration.
//   - Configurations: POST creates one with the integration's default
//     workflow states; PATCH merges "meta" into configMeta; DELETE of the
//     default configuration is a 400.
//   - The trigger catalogue (GET /projects/{id}/triggers) lists two made-up
//     types per integration, <TYPE>_TRIGGER_RECORD_CREATED (WEBHOOK) and
//     <TYPE>_TRIGGER_RECORD_UPDATED (POLLING), for connected integrations
//     unless limit_to_available=false.
//   - A trigger without X-Paragon-Configuration-Id runs when the workflow is
//     enabled in any configuration of the credential (the default first).
//   - DELETE /sdk/integrations/{id} removes the credential chosen with
//     X-Paragon-Credential, or else all of the user's credentials of that
//     integration.
//   - App Events answer 201 with {}; enabling or disabling a workflow and
//     uninstalling answer 200 with {}; a trigger of a workflow without a
//     handler (no Response step) answers 202 with no body; a handler slower
//     than the trigger timeout gets 542 with Paragon's error body (code
//     "workflow_timeout").
//   - A user without a credential for the integration gets 404 {"message":
//     "Integration not enabled for user.", "code": "integration_not_enabled",
//     "status": 404, "meta": {…}} from the proxy, uninstall and enabling a
//     workflow.
//   - Injected 429 and 5xx answers carry Retry-After: 0.
//   - Every answer carries an X-Request-Id header, which error bodies repeat
//     as meta.requestId.
//   - Error codes are descriptive strings such as "unauthorized" or
//     "integration_not_enabled"; Paragon itself uses digit strings for some.
//     Match errors on their status (or errors.Is in package paragon), not on
//     codes.
//
// Docs: https://docs.useparagon.com/apis/api-reference
package paragontest
