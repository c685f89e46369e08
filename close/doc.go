// Package close is a typed client for the Close CRM API
// (https://developer.close.com/), reached through Paragon's proxy with a
// Connected User's Close account.
//
// The package name shadows the builtin close inside this package only; code
// that imports it is unaffected.
//
// # Client and services
//
//	u := pc.User("user-1")                // a *paragon.User
//	crm := close.New(u)                    // any Requester works, e.g. a test fake
//	lead, err := crm.Leads.Create(ctx, &close.Lead{Name: "Acme", Contacts: []close.Contact{{Name: "Ada"}}})
//
// [Client] has the services Contacts, Leads and Opportunities, each with
// Create, Get, Update, Delete, List and ListPage, plus [LeadsService.Merge]
// and the Advanced Filtering search [Client.Search]. Every path keeps Close's
// trailing slash (/lead/, /contact/{id}/), which avoids a redirect. IDs are
// checked and escaped; a bad one fails with an error matching
// paragon.ErrInvalidInput before any request is sent.
//
// # Models, creates and updates
//
// [Contact], [Lead] and [Opportunity] are both what Close returns and what
// Create takes: Create sends only their writable fields (ID, dates, display
// names and other read-only fields are dropped), and zero values are never
// sent. Updates use [ContactUpdate], [LeadUpdate] and [OpportunityUpdate]
// whose fields are [Optional]: only what you [Set] (or [Null], to clear) goes
// on the wire, because Close's PUT is a partial update and a stray zero would
// overwrite data. Money is int64 cents. Close's timestamps decode into [Time]
// (with or without UTC offset and fraction) and date_won into [Date].
//
// Custom fields live in each object's Custom map ([CustomFields]) keyed by
// "cf_…"; on the wire they are flat "custom.cf_…" keys. In an update a nil
// value clears a field, and AddCustom / RemoveCustom change one value of a
// multi-value field. Fields this package does not model survive in Raw.
//
// # Pagination
//
// List returns an iter.Seq2 that fetches pages lazily with _skip/_limit
// until has_more is false; breaking out of the loop stops paging, the
// context is checked between pages, and the caller's params are never
// changed. Close caps _skip; past the cap the error matches [ErrMaxSkip]:
// narrow the query with a date range (DateCreated, DateWon) and start over.
// [OpportunitiesService.ListPage] also returns Close's aggregates (totals per
// value period, expected values, counts).
//
// # Errors
//
// Close's error answers become a *[Error] with the status, message(s) and
// field errors, matching [ErrNotFound], [ErrValidation], [ErrRateLimited],
// [ErrUnauthorized] and [ErrMaxSkip] with errors.Is (404 and 429 also match
// paragon.ErrNotFound and paragon.ErrRateLimited). Close's body is found
// whether it arrives raw, wrapped in Paragon's {"output": …}, or in a 2xx
// answer. Paragon's own failures (an unusable user token, an integration the
// user has not connected) are returned unchanged as *paragon.Error, so
// errors.Is(err, paragon.ErrIntegrationNotEnabled) works.
//
// # Rate limits and retries
//
// This package does not retry. The paragon transport under *paragon.User
// already retries 429 answers (honouring Close's RateLimit reset= and
// Retry-After) and connection failures, and retrying again here would
// multiply attempts and load. When those retries are spent, the final 429
// is an *Error matching [ErrRateLimited] whose RetryAfter is read from
// Close's headers (RateLimit reset, then Retry-After, RateLimit-Reset,
// X-Rate-Limit-Reset, then the legacy body's rate_reset): reschedule the work
// after it. A custom [Requester] should bring its own retry policy.
//
// # Webhooks
//
// [ParseWebhook] reads, verifies (HMAC-SHA256 in close-sig-hash over
// close-sig-timestamp plus the body, with a timestamp tolerance) and decodes
// a delivery into a [WebhookEvent]; [VerifySignature] does the check alone.
// Event.DecodeContact, DecodeLead and DecodeOpportunity decode the object,
// and fail with [ErrNoData] on deletes, whose data is null.
package close
