// Package closetest is a fake Close CRM API for tests, as net/http/httptest
// is for net/http: [New] returns a [Fake], an http.Handler that keeps one
// Close organization in memory, and [NewServer] serves one on a loopback
// port. Package paragontest serves the same fake behind its Paragon proxy
// at /sdk/proxy/close/.
//
// The fake answers Close's /api/v1 routes (with or without that prefix),
// with Close's shapes, status codes and errors:
//
//   - contacts, leads (nested contacts on create, merge) and opportunities:
//     list, create, get, partial update (arrays replace; custom.cf_* keys with
//     null, .add and .remove), delete (a lead takes its children along);
//     contacts and opportunities without lead_id get a new lead, as in Close
//     since 2025-02-14; moving an opportunity to a won status fills date_won
//     with today in the request's X-Tz-Offset;
//   - GET /lead/?query= and GET /opportunity/?query= in Close's search
//     syntax: words and "phrases" (whole words, never substrings),
//     field:value, field:"quoted value", field:*, comparisons such as
//     date_updated>="2020-01-01T10:00" and contacts > 1, has:calls,
//     related clauses such as call(date >= "2024-01-01"), AND, OR, NOT,
//     parentheses, sort:[-]field and slice:i/n;
//   - opportunity list filters (status, status_id, status_type,
//     status_label, user_id, lead_id, contact_id, value_period, is_stalled,
//     pipeline_id, each with __in; date_created, date_updated and date_won
//     exact or __gt, __gte, __lt, __lte), _order_by and the aggregates;
//   - POST /data/search/ for leads and contacts with the nodes and, or,
//     object_type, id, text (modes full_words and phrase), field_condition
//     (text, term, boolean, exists, number_range, moment_range,
//     current_user, reference) and has_related, each with negate; sort,
//     _fields, _limit, cursor, results_limit and include_counts;
//   - activities (GET /activity/ and the per-type paths such as
//     /activity/note/ and /activity/status_change/lead/, with Close's
//     filters); Close's own Created, status-change and TaskCompleted
//     activities are logged as Close logs them;
//   - tasks (_type=all, view, filters, bulk PUT), users, /me/ with
//     organizations, /organization/{id}/, lead and opportunity statuses,
//     pipelines (DELETE answers 204), custom field definitions and
//     /custom_field_schema/{type}/;
//   - exports and bulk edit or delete: each GET of the job moves its status
//     one step, created → started → in_progress → done, and the work is done
//     on the step to done; a done export's download_url is a gzip file the
//     fake serves itself, outside /api/v1 and without authentication;
//   - the event log, GET /event/ (newest first, _cursor and _limit ≤ 50,
//     cursor_next, the documented filters) of every change the fake makes,
//     and webhook subscriptions (POST answers 201 with a one-time hex
//     signature_key) to which the fake delivers its events, signed as
//     Close signs them (see [SignWebhook]).
//
// Everywhere it pages with _skip and _limit (at most 200; has_more, and
// total_results on leads and opportunities), refuses a _skip over max_skip,
// answers validation errors as {"errors": [], "field-errors": {…}} and
// unknown objects as {"error": "Empty query: … matching query does not
// exist."}, redirects paths without a trailing slash (301 for GET and HEAD,
// 308 otherwise), and sends "RateLimit: limit=…, remaining=…, reset=…" with
// reset in whole seconds on every answer.
//
// # Where the fake decides
//
//   - Webhook deliveries are asynchronous, one attempt each, and go only to
//     loopback URLs (others are recorded with [ErrNotLoopback]); use
//     [Fake.FlushWebhooks] before looking at what a receiver got, and
//     [Fake.Deliveries] for what was sent. Deliveries to https URLs do not
//     check certificates (loopback test servers use self-signed ones)
//     whatever verify_ssl says, unless [Fake.SetWebhookClient] gives a
//     client. Events are not consolidated unless [Fake.SetConsolidation]
//     says so: each change is an event of its own.
//   - Updated events fire only for the fields Close documents (a lead's
//     name, url, description, status, contacts, addresses and custom
//     fields; a contact's name, title, emails, phones, urls and custom
//     fields; an opportunity's status, date_won, value, value_period and
//     confidence); changed_fields lists every field that changed.
//   - In queries, a date is in the request's X-Tz-Offset, and an object's
//     time is cut to the date's precision before comparing.
//   - Activities list newest first by default; smart views (saved_search)
//     and _group_by are not served.
//
// All methods are safe for concurrent use. Maps the fake returns hold JSON
// values: map[string]any, []any, string, bool, nil and json.Number.
package closetest
