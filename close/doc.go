// Package close is a typed client for the Close CRM API
// (https://developer.close.com/), reached through Paragon's proxy with a
// Connected User's Close account.
//
// # Importing it
//
// The package's name, close, shadows Go's builtin close in every file that
// imports it under that name: close(ch) no longer compiles there. Import it
// under an alias; this documentation, its examples and the README use
// closecrm throughout:
//
//	import closecrm "github.com/paragon-go/paragon/close"
//
// # Client and services
//
//	u := pc.User("user-1")                   // a *paragon.User
//	crm := closecrm.New(u)                   // any Requester works, e.g. a test fake
//	lead, err := crm.Leads.Create(ctx, &closecrm.Lead{Name: closecrm.Set("Acme")})
//
// [Client] has the services Contacts, Leads and Opportunities (Create, Get,
// Update, Delete, List, ListPage; [LeadsService.Merge]), the Advanced
// Filtering search [Client.Search], and what a CRM sync needs around them:
// Activities (notes, calls, emails, meetings, SMS, custom activities, status
// changes), Events (the event log, with [EventsService.Resume] for
// incremental reads), Webhooks (subscriptions), Users and Organizations,
// LeadStatuses, OpportunityStatuses, Pipelines, CustomFields (definitions
// and per-object schemas that type custom values), Tasks, Exports and
// BulkActions. Every path keeps Close's trailing slash (/lead/,
// /contact/{id}/), which avoids a redirect. IDs are checked and escaped; a
// bad one fails with an error matching paragon.ErrInvalidInput before any
// request is sent. [New] never panics: a nil or typed-nil Requester (a nil
// *paragon.User) makes every call fail with paragon.ErrInvalidInput, and
// [Client.Err] reports it up front.
//
// # Models, null and zero, creates and updates
//
// [Contact], [Lead] and [Opportunity] are both what Close returns and what
// Create takes: Create sends only their writable fields (ID, dates, display
// names and computed fields such as phone_formatted are dropped). Where
// Close documents "T | null" (a lead's name, url and description, a
// contact's name and title, an opportunity's value, expected and annualized
// values and note) the field is an [Optional]: unset, null or a value, so
// an opportunity without a value never reads as $0, and null, 0 and "" all
// survive a read-modify-write. Updates use [ContactUpdate], [LeadUpdate] and
// [OpportunityUpdate] whose fields are Optional too: only what you [Set] (or
// [Null], to clear) goes on the wire, because Close's PUT is a partial
// update. Lists passed to an update (emails, phones, urls, addresses,
// attachments) are stripped to their writable fields, so objects read from
// Close can be sent back as they are. Money is int64 cents. Close's
// timestamps decode into [Time] and date_won into [Date].
//
// Custom fields live in each object's Custom map ([CustomFields]) keyed by
// "cf_…"; on the wire they are flat "custom.cf_…" keys. In an update a nil
// value clears a field, and AddCustom / RemoveCustom change one value of a
// multi-value field. [CustomFieldSchema.Typed] converts the values by their
// definitions. Fields this package does not model survive in Raw.
//
// A decoded lead, contact or opportunity keeps its bytes twice: in Raw, and
// as one string that its string fields are substrings of (one allocation
// instead of one per field). Keeping any of its strings keeps that string,
// about the size of Raw, alive; nested contacts and opportunities share
// their lead's.
//
// # Pagination and its guards
//
// Lists return an iter.Seq2 that fetches pages lazily (_skip/_limit, or
// Close's cursor for search and the event log); breaking out of the loop
// stops paging, the context is checked between pages, and the caller's
// params are never changed. Every iteration ends with an error matching
// [ErrNoProgress] when the server makes none (a page repeating an earlier
// one, a cursor cycle, runs of empty pages), and a page with more items
// than asked for, or nested far beyond what that many items need, is refused
// with [ErrPageTooLarge] before it is decoded, so memory stays bounded by
// the page size asked for. Close caps _skip; past the cap the error matches
// [ErrMaxSkip]: page by date windows instead (below).
//
// # Incremental sync
//
// [Client.ChangedSince] yields the leads or contacts updated since a
// bookmark, oldest change first, through Advanced Filtering with a
// moment_range condition on date_updated and a sort on it. It never pages
// with _skip, so max_skip never applies, and it restarts its cursor from the
// last date_updated seen before Close's per-search cap; its Bookmark is
// Close's own date_updated, to store for the next run. The event log ([EventsService.Resume])
// catches deletes and everything webhooks missed; Exports backfill.
//
// # Errors
//
// Close's error answers become a *[Error] with the status, message(s) and
// field errors, matching [ErrNotFound], [ErrValidation], [ErrRateLimited],
// [ErrUnauthorized] and [ErrMaxSkip] with errors.Is (404 and 429 also match
// paragon.ErrNotFound and paragon.ErrRateLimited). Paragon's own failures
// (an unusable user token, an integration the user has not connected) are
// returned unchanged as *paragon.Error.
//
// # Rate limits and retries
//
// This package does not retry. The paragon transport under *paragon.User
// already retries 429 answers (honouring Close's RateLimit reset= and
// Retry-After) and connection failures. When those retries are spent, the
// final 429 is an *Error matching [ErrRateLimited] whose RetryAfter says
// when to reschedule the work.
//
// # Webhooks
//
// A backend serving many Close organizations holds one subscription, and
// one signing key, per organization. [VerifyWebhook] (or
// [ParseWebhookRequest] in a handler) takes a [KeyLookup] by subscription
// ID, verifies the HMAC-SHA256 over close-sig-timestamp plus the raw body
// with that subscription's key, and only then decodes the delivery into a
// [WebhookEvent], whose Raw (and Event.Raw, Meta.Raw) keep every key Close
// sent. [Event.Decode] types the object by object_type: leads, contacts,
// opportunities, activity.* (notes, calls, …), task.* and status_change.*.
// The timestamp may be up to [DefaultWebhookTolerance] (73 h) old, to
// accept Close's retries; deduplicate on Event.ID. [ParseWebhook] and
// [VerifySignature] remain for a single key.
package close
