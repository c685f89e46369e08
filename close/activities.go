package close

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ActivityType is an activity's kind, its "_type": "Note", "Call",
// "Email", … A custom activity's _type is "Custom"; its own type ID
// ("actitype_…") filters one custom activity type.
//
// See https://developer.close.com/api/resources/activities/list.
type ActivityType string

// Activity types.
const (
	ActivityNote                    ActivityType = "Note"
	ActivityCall                    ActivityType = "Call"
	ActivityEmail                   ActivityType = "Email"
	ActivityEmailThread             ActivityType = "EmailThread"
	ActivitySMS                     ActivityType = "SMS"
	ActivityMeeting                 ActivityType = "Meeting"
	ActivityCustom                  ActivityType = "Custom"
	ActivityCreated                 ActivityType = "Created"
	ActivityLeadStatusChange        ActivityType = "LeadStatusChange"
	ActivityOpportunityStatusChange ActivityType = "OpportunityStatusChange"
	ActivityTaskCompleted           ActivityType = "TaskCompleted"
)

// activityPaths maps a type to its endpoint under /activity/.
var activityPaths = map[ActivityType]string{
	ActivityNote: "note", ActivityCall: "call", ActivityEmail: "email", ActivityEmailThread: "emailthread",
	ActivitySMS: "sms", ActivityMeeting: "meeting", ActivityCustom: "custom", ActivityCreated: "created",
	ActivityLeadStatusChange: "status_change/lead", ActivityOpportunityStatusChange: "status_change/opportunity",
	ActivityTaskCompleted: "task_completed",
}

// activityPath returns "/activity/<type>/" or "/activity/<type>/<id>/".
func activityPath(t ActivityType, id string) (string, error) {
	p, ok := activityPaths[t]
	if !ok {
		return "", invalid("unknown activity type %q", t)
	}
	if id == "" {
		return "/activity/" + p + "/", nil
	}
	if err := checkID("activity", id); err != nil {
		return "", err
	}
	return "/activity/" + p + "/" + url.PathEscape(id) + "/", nil
}

// ActivityBase holds the fields every activity has. It is embedded in
// [Activity] and in each typed activity ([Note], [Call], …).
//
// See https://developer.close.com/api/resources/activities/list.
type ActivityBase struct {
	ID             string       `json:"id,omitzero"`
	Type           ActivityType `json:"_type,omitzero"`
	LeadID         string       `json:"lead_id,omitzero"`
	ContactID      string       `json:"contact_id,omitzero"`
	UserID         string       `json:"user_id,omitzero"`
	UserName       string       `json:"user_name,omitzero"`
	Users          []string     `json:"users,omitzero"`
	OrganizationID string       `json:"organization_id,omitzero"`
	// DateCreated is when the activity was created or synced into Close;
	// ActivityAt when it happened (an email's send time, a meeting's start).
	DateCreated Time   `json:"date_created,omitzero"`
	DateUpdated Time   `json:"date_updated,omitzero"`
	ActivityAt  Time   `json:"activity_at,omitzero"`
	CreatedBy   string `json:"created_by,omitzero"`
	UpdatedBy   string `json:"updated_by,omitzero"`
}

// Activity is an activity of any type, as GET /activity/ lists them. Read
// the common fields directly and the type's own with [Activity.Note],
// [Activity.Call], [Activity.Email], [Activity.Meeting], [Activity.SMS],
// [Activity.Custom] or [Activity.StatusChange]; Raw keeps the object.
//
// See https://developer.close.com/api/resources/activities/list.
type Activity struct {
	ActivityBase
	// Custom holds the "custom.cf_…" fields (custom activities).
	Custom CustomFields `json:"-"`
	// Raw is the object exactly as Close sent it.
	Raw json.RawMessage `json:"-"`
}

type activityJSON Activity

// UnmarshalJSON decodes the common fields and keeps the object in Raw.
func (a *Activity) UnmarshalJSON(b []byte) error {
	return decodeObject(b, (*activityJSON)(a), &a.Custom, &a.Raw)
}

// MarshalJSON returns Raw when set (the object as Close sent it), else the
// common fields.
func (a Activity) MarshalJSON() ([]byte, error) {
	if len(a.Raw) > 0 {
		return a.Raw, nil
	}
	return encodeObject(activityJSON(a), a.Custom)
}

// asType decodes a's Raw into a typed activity after checking its _type.
func asType[T any](a *Activity, want ActivityType) (*T, error) {
	if a.Type != want {
		return nil, fmt.Errorf("close: activity %s is a %q, not a %s", a.ID, a.Type, want)
	}
	var v T
	if err := json.Unmarshal(a.Raw, &v); err != nil {
		return nil, fmt.Errorf("close: decoding %s activity: %w", want, err)
	}
	return &v, nil
}

// Note decodes a Note activity.
func (a *Activity) Note() (*Note, error) { return asType[Note](a, ActivityNote) }

// Call decodes a Call activity.
func (a *Activity) Call() (*Call, error) { return asType[Call](a, ActivityCall) }

// Email decodes an Email activity.
func (a *Activity) Email() (*Email, error) { return asType[Email](a, ActivityEmail) }

// Meeting decodes a Meeting activity.
func (a *Activity) Meeting() (*Meeting, error) { return asType[Meeting](a, ActivityMeeting) }

// SMS decodes an SMS activity.
func (a *Activity) SMS() (*SMS, error) { return asType[SMS](a, ActivitySMS) }

// CustomActivity decodes a custom activity.
func (a *Activity) CustomActivity() (*CustomActivity, error) {
	return asType[CustomActivity](a, ActivityCustom)
}

// StatusChange decodes a lead or opportunity status-change activity.
func (a *Activity) StatusChange() (*StatusChange, error) {
	if a.Type != ActivityLeadStatusChange && a.Type != ActivityOpportunityStatusChange {
		return nil, fmt.Errorf("close: activity %s is a %q, not a status change", a.ID, a.Type)
	}
	return asType[StatusChange](a, a.Type)
}

// Note is a note on a lead.
//
// See https://developer.close.com/api/resources/activities/notes.
type Note struct {
	ActivityBase
	// Note is the plain text; NoteHTML the rich text (Close derives one
	// from the other).
	Note     Optional[string] `json:"note,omitzero"`
	NoteHTML string           `json:"note_html,omitzero"`
	Title    string           `json:"title,omitzero"`
	Raw      json.RawMessage  `json:"-"`
}

// Call is a phone call.
//
// See https://developer.close.com/api/resources/activities/calls.
type Call struct {
	ActivityBase
	Direction string `json:"direction,omitzero"` // "inbound" or "outbound"
	// Duration is in seconds.
	Duration     int              `json:"duration,omitzero"`
	Phone        string           `json:"phone,omitzero"`
	Status       string           `json:"status,omitzero"`
	RecordingURL string           `json:"recording_url,omitzero"`
	OutcomeID    string           `json:"outcome_id,omitzero"`
	Note         Optional[string] `json:"note,omitzero"`
	NoteHTML     string           `json:"note_html,omitzero"`
	Raw          json.RawMessage  `json:"-"`
}

// Email is an email, sent, received or a draft.
//
// See https://developer.close.com/api/resources/activities/emails.
type Email struct {
	ActivityBase
	Subject   string            `json:"subject,omitzero"`
	BodyText  string            `json:"body_text,omitzero"`
	BodyHTML  string            `json:"body_html,omitzero"`
	Status    string            `json:"status,omitzero"`
	Direction string            `json:"direction,omitzero"`
	Sender    string            `json:"sender,omitzero"`
	To        []string          `json:"to,omitzero"`
	CC        []string          `json:"cc,omitzero"`
	BCC       []string          `json:"bcc,omitzero"`
	ThreadID  string            `json:"thread_id,omitzero"`
	DateSent  Time              `json:"date_sent,omitzero"`
	Opens     []json.RawMessage `json:"opens,omitzero"`
	Raw       json.RawMessage   `json:"-"`
}

// Meeting is a meeting synced from a calendar.
//
// See https://developer.close.com/api/resources/activities/meetings.
type Meeting struct {
	ActivityBase
	Title     string            `json:"title,omitzero"`
	Status    string            `json:"status,omitzero"`
	StartsAt  Time              `json:"starts_at,omitzero"`
	EndsAt    Time              `json:"ends_at,omitzero"`
	Duration  int               `json:"duration,omitzero"`
	Location  string            `json:"location,omitzero"`
	Attendees []json.RawMessage `json:"attendees,omitzero"`
	Raw       json.RawMessage   `json:"-"`
}

// SMS is a text message.
//
// See https://developer.close.com/api/resources/activities/sms.
type SMS struct {
	ActivityBase
	Text        string          `json:"text,omitzero"`
	Direction   string          `json:"direction,omitzero"`
	Status      string          `json:"status,omitzero"`
	LocalPhone  string          `json:"local_phone,omitzero"`
	RemotePhone string          `json:"remote_phone,omitzero"`
	DateSent    Time            `json:"date_sent,omitzero"`
	Raw         json.RawMessage `json:"-"`
}

// CustomActivity is an activity of a Custom Activity Type; its fields are
// custom fields, in Custom.
//
// See https://developer.close.com/api/resources/activities/custom-activities.
type CustomActivity struct {
	ActivityBase
	CustomActivityTypeID string          `json:"custom_activity_type_id,omitzero"`
	Status               string          `json:"status,omitzero"`
	Custom               CustomFields    `json:"-"`
	Raw                  json.RawMessage `json:"-"`
}

// StatusChange is a logged change of a lead's or an opportunity's status.
//
// See https://developer.close.com/api/resources/activities/lead-status-changes.
type StatusChange struct {
	ActivityBase
	OldStatusID    string          `json:"old_status_id,omitzero"`
	OldStatusLabel string          `json:"old_status_label,omitzero"`
	NewStatusID    string          `json:"new_status_id,omitzero"`
	NewStatusLabel string          `json:"new_status_label,omitzero"`
	OldStatusType  StatusType      `json:"old_status_type,omitzero"`
	NewStatusType  StatusType      `json:"new_status_type,omitzero"`
	OpportunityID  string          `json:"opportunity_id,omitzero"`
	Raw            json.RawMessage `json:"-"`
}

// The typed activities keep their payload in Raw.
type (
	noteJSON         Note
	callJSON         Call
	emailJSON        Email
	meetingJSON      Meeting
	smsJSON          SMS
	customActJSON    CustomActivity
	statusChangeJSON StatusChange
)

func keepRaw(b []byte, v any, raw *json.RawMessage) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	*raw = append(json.RawMessage(nil), b...)
	return nil
}

// UnmarshalJSON decodes a note and keeps it in Raw.
func (n *Note) UnmarshalJSON(b []byte) error { return keepRaw(b, (*noteJSON)(n), &n.Raw) }

// UnmarshalJSON decodes a call and keeps it in Raw.
func (c *Call) UnmarshalJSON(b []byte) error { return keepRaw(b, (*callJSON)(c), &c.Raw) }

// UnmarshalJSON decodes an email and keeps it in Raw.
func (e *Email) UnmarshalJSON(b []byte) error { return keepRaw(b, (*emailJSON)(e), &e.Raw) }

// UnmarshalJSON decodes a meeting and keeps it in Raw.
func (m *Meeting) UnmarshalJSON(b []byte) error { return keepRaw(b, (*meetingJSON)(m), &m.Raw) }

// UnmarshalJSON decodes an SMS and keeps it in Raw.
func (s *SMS) UnmarshalJSON(b []byte) error { return keepRaw(b, (*smsJSON)(s), &s.Raw) }

// UnmarshalJSON decodes a custom activity, its custom fields into Custom,
// and keeps it in Raw.
func (c *CustomActivity) UnmarshalJSON(b []byte) error {
	return decodeObject(b, (*customActJSON)(c), &c.Custom, &c.Raw)
}

// UnmarshalJSON decodes a status change and keeps it in Raw.
func (s *StatusChange) UnmarshalJSON(b []byte) error {
	return keepRaw(b, (*statusChangeJSON)(s), &s.Raw)
}

// ActivityListParams filters activity lists. Close applies UserID,
// UserIDs, ContactID, ContactIDs and Types on GET /activity/ only
// together with LeadID (they are refused without it); across the
// organization, list one type with its own list method instead. A nil
// *ActivityListParams lists everything.
//
// Close caps _skip, so scan large histories in DateCreated windows (the
// Singer tap uses 15 days) rather than one deep list.
//
// See https://developer.close.com/api/resources/activities/list.
type ActivityListParams struct {
	LeadID     string   // lead_id
	UserID     string   // user_id
	UserIDs    []string // user_id__in
	ContactID  string   // contact_id
	ContactIDs []string // contact_id__in
	// Types lists only these types (_type, or _type__in for several); a
	// Custom Activity Type ID ("actitype_…") selects one custom type.
	Types []ActivityType
	// DateCreated and ActivityAt bound date_created and activity_at
	// (__gt, __gte, __lt, __lte).
	DateCreated TimeRange
	ActivityAt  TimeRange
	// OrderBy sorts (_order_by): "date_created", "activity_at", or with
	// LeadID "-activity_at".
	OrderBy string
	// Fields trims each activity to these fields (_fields).
	Fields []string
	// Skip is where listing starts (_skip); Limit is the page size (_limit;
	// 0 means the client's page size).
	Skip, Limit int
	// Extra holds other query parameters, sent as they are.
	Extra url.Values
}

func (p *ActivityListParams) query(perType bool) (listQuery, error) {
	if p == nil {
		p = &ActivityListParams{}
	}
	l, err := newListQuery(p.Skip, p.Limit, p.Fields, p.Extra)
	if err != nil {
		return l, err
	}
	leadOnly := p.UserID != "" || len(p.UserIDs) > 0 || p.ContactID != "" || len(p.ContactIDs) > 0 || len(p.Types) > 0
	switch {
	case perType && len(p.Types) > 0:
		return l, invalid("Types filters GET /activity/; a per-type list has its type already")
	case !perType && leadOnly && p.LeadID == "":
		return l, invalid("Close applies user, contact and type filters of GET /activity/ only with LeadID; list one type with its own method instead")
	}
	setIf(l.q, "lead_id", p.LeadID)
	setIf(l.q, "user_id", p.UserID)
	setIf(l.q, "contact_id", p.ContactID)
	setIf(l.q, "_order_by", p.OrderBy)
	if len(p.UserIDs) > 0 {
		l.q.Set("user_id__in", strings.Join(p.UserIDs, ","))
	}
	if len(p.ContactIDs) > 0 {
		l.q.Set("contact_id__in", strings.Join(p.ContactIDs, ","))
	}
	switch len(p.Types) {
	case 0:
	case 1:
		l.q.Set("_type", string(p.Types[0]))
	default:
		ts := make([]string, len(p.Types))
		for i, t := range p.Types {
			ts[i] = string(t)
		}
		l.q.Set("_type__in", strings.Join(ts, ","))
	}
	p.DateCreated.addTo(l.q, "date_created")
	p.ActivityAt.addTo(l.q, "activity_at")
	return l, nil
}

// ActivitiesService manages activities. Get it from [Client].Activities.
//
// See https://developer.close.com/api/resources/activities/list.
type ActivitiesService struct{ svc }

// List returns activities of all types (GET /activity/), lazily, with the
// guards of [LeadsService.List].
//
// See https://developer.close.com/api/resources/activities/list.
func (s *ActivitiesService) List(ctx context.Context, p *ActivityListParams) iter2[Activity] {
	l, err := p.query(false)
	return list[Activity](ctx, &s.svc, "activities", "/activity/", l, err)
}

// ListType returns the activities of one type through its own endpoint
// (GET /activity/<type>/), e.g. [ActivityLeadStatusChange]; the filters
// apply across the organization.
//
// See https://developer.close.com/api/resources/activities/list.
func (s *ActivitiesService) ListType(ctx context.Context, t ActivityType, p *ActivityListParams) iter2[Activity] {
	return listKind[Activity](ctx, s, t, p)
}

func listKind[T any](ctx context.Context, s *ActivitiesService, t ActivityType, p *ActivityListParams) iter2[T] {
	path, err := activityPath(t, "")
	l, qerr := p.query(true)
	if err == nil {
		err = qerr
	}
	return list[T](ctx, &s.svc, string(t)+" activities", path, l, err)
}

// ListNotes returns notes (GET /activity/note/).
//
// See https://developer.close.com/api/resources/activities/notes.
func (s *ActivitiesService) ListNotes(ctx context.Context, p *ActivityListParams) iter2[Note] {
	return listKind[Note](ctx, s, ActivityNote, p)
}

// ListCalls returns calls (GET /activity/call/).
//
// See https://developer.close.com/api/resources/activities/calls.
func (s *ActivitiesService) ListCalls(ctx context.Context, p *ActivityListParams) iter2[Call] {
	return listKind[Call](ctx, s, ActivityCall, p)
}

// ListEmails returns emails (GET /activity/email/).
//
// See https://developer.close.com/api/resources/activities/emails.
func (s *ActivitiesService) ListEmails(ctx context.Context, p *ActivityListParams) iter2[Email] {
	return listKind[Email](ctx, s, ActivityEmail, p)
}

// ListMeetings returns meetings (GET /activity/meeting/).
//
// See https://developer.close.com/api/resources/activities/meetings.
func (s *ActivitiesService) ListMeetings(ctx context.Context, p *ActivityListParams) iter2[Meeting] {
	return listKind[Meeting](ctx, s, ActivityMeeting, p)
}

// ListSMS returns text messages (GET /activity/sms/).
//
// See https://developer.close.com/api/resources/activities/sms.
func (s *ActivitiesService) ListSMS(ctx context.Context, p *ActivityListParams) iter2[SMS] {
	return listKind[SMS](ctx, s, ActivitySMS, p)
}

// ListCustom returns custom activities (GET /activity/custom/).
//
// See https://developer.close.com/api/resources/activities/custom-activities.
func (s *ActivitiesService) ListCustom(ctx context.Context, p *ActivityListParams) iter2[CustomActivity] {
	return listKind[CustomActivity](ctx, s, ActivityCustom, p)
}

// Get returns activity id of type t (GET /activity/<type>/{id}/).
//
// See https://developer.close.com/api/resources/activities/list.
func (s *ActivitiesService) Get(ctx context.Context, t ActivityType, id string) (*Activity, error) {
	p, err := activityPath(t, id)
	if err != nil {
		return nil, err
	}
	return getObject[Activity](ctx, &s.svc, p, nil)
}

// Delete deletes activity id of type t (DELETE /activity/<type>/{id}/).
//
// See https://developer.close.com/api/resources/activities/list.
func (s *ActivitiesService) Delete(ctx context.Context, t ActivityType, id string) error {
	p, err := activityPath(t, id)
	if err != nil {
		return err
	}
	return s.remove(ctx, p)
}

// NoteParams creates a note: LeadID is required, and Note (plain) or
// NoteHTML (rich; wins when both are sent).
//
// See https://developer.close.com/api/resources/activities/notes.
type NoteParams struct {
	LeadID     string `json:"lead_id"`
	ContactID  string `json:"contact_id,omitzero"`
	Note       string `json:"note,omitzero"`
	NoteHTML   string `json:"note_html,omitzero"`
	Title      string `json:"title,omitzero"`
	ActivityAt Time   `json:"activity_at,omitzero"`
	UserID     string `json:"user_id,omitzero"`
}

// NoteUpdate changes a note; only set fields are sent.
//
// See https://developer.close.com/api/resources/activities/notes.
type NoteUpdate struct {
	Note       Optional[string] `json:"note,omitzero"`
	NoteHTML   Optional[string] `json:"note_html,omitzero"`
	Title      Optional[string] `json:"title,omitzero"`
	ActivityAt Optional[Time]   `json:"activity_at,omitzero"`
	ContactID  Optional[string] `json:"contact_id,omitzero"`
}

// CreateNote creates a note (POST /activity/note/).
//
// See https://developer.close.com/api/resources/activities/notes.
func (s *ActivitiesService) CreateNote(ctx context.Context, p *NoteParams) (*Note, error) {
	if p == nil {
		return nil, invalid("nil note")
	}
	if err := checkID("lead", p.LeadID); err != nil {
		return nil, err
	}
	return sendObject[Note](ctx, &s.svc, http.MethodPost, "/activity/note/", p)
}

// UpdateNote changes note id (PUT /activity/note/{id}/).
//
// See https://developer.close.com/api/resources/activities/notes.
func (s *ActivitiesService) UpdateNote(ctx context.Context, id string, u *NoteUpdate) (*Note, error) {
	p, err := activityPath(ActivityNote, id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalid("nil note update")
	}
	return sendObject[Note](ctx, &s.svc, http.MethodPut, p, u)
}

// CallParams logs a call: LeadID is required. Duration is in seconds.
//
// See https://developer.close.com/api/resources/activities/calls.
type CallParams struct {
	LeadID       string `json:"lead_id"`
	ContactID    string `json:"contact_id,omitzero"`
	Direction    string `json:"direction,omitzero"`
	Status       string `json:"status,omitzero"`
	Phone        string `json:"phone,omitzero"`
	Duration     int    `json:"duration,omitzero"`
	Note         string `json:"note,omitzero"`
	NoteHTML     string `json:"note_html,omitzero"`
	RecordingURL string `json:"recording_url,omitzero"`
	OutcomeID    string `json:"outcome_id,omitzero"`
	ActivityAt   Time   `json:"activity_at,omitzero"`
	UserID       string `json:"user_id,omitzero"`
}

// CallUpdate changes a call; only set fields are sent.
//
// See https://developer.close.com/api/resources/activities/calls.
type CallUpdate struct {
	Note      Optional[string] `json:"note,omitzero"`
	NoteHTML  Optional[string] `json:"note_html,omitzero"`
	Status    Optional[string] `json:"status,omitzero"`
	Duration  Optional[int]    `json:"duration,omitzero"`
	OutcomeID Optional[string] `json:"outcome_id,omitzero"`
	ContactID Optional[string] `json:"contact_id,omitzero"`
}

// CreateCall logs a call (POST /activity/call/).
//
// See https://developer.close.com/api/resources/activities/calls.
func (s *ActivitiesService) CreateCall(ctx context.Context, p *CallParams) (*Call, error) {
	if p == nil {
		return nil, invalid("nil call")
	}
	if err := checkID("lead", p.LeadID); err != nil {
		return nil, err
	}
	if p.Duration < 0 {
		return nil, invalid("negative call duration %d", p.Duration)
	}
	return sendObject[Call](ctx, &s.svc, http.MethodPost, "/activity/call/", p)
}

// UpdateCall changes call id (PUT /activity/call/{id}/).
//
// See https://developer.close.com/api/resources/activities/calls.
func (s *ActivitiesService) UpdateCall(ctx context.Context, id string, u *CallUpdate) (*Call, error) {
	p, err := activityPath(ActivityCall, id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, invalid("nil call update")
	}
	return sendObject[Call](ctx, &s.svc, http.MethodPut, p, u)
}
