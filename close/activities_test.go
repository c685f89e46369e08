package close_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
	"github.com/paragon-go/paragon/close"
)

const noteReply = `{"id": "acti_Nn2Bb4", "_type": "Note", "lead_id": "lead_4pT9wQ", "contact_id": "cont_8sLk3J",
  "user_id": "user_Mn4Bv6", "organization_id": "orga_Wq3Er5", "note": "Asked for a 40-seat quote",
  "note_html": "<p>Asked for a <b>40-seat</b> quote</p>", "activity_at": "2025-10-01T17:50:00+00:00",
  "date_created": "2025-10-01T17:50:11.004000+00:00", "date_updated": "2025-10-01T17:50:11.004000+00:00"}`

const callReply = `{"id": "acti_Cc1Ll2", "_type": "Call", "lead_id": "lead_4pT9wQ", "direction": "outbound",
  "duration": 312, "phone": "+14155550143", "status": "completed", "note": null,
  "recording_url": "https://app.close.com/go/call/acti_Cc1Ll2/recording/", "outcome_id": "outcome_1",
  "date_created": "2025-10-01T18:00:00.000000+00:00"}`

func TestActivitiesListAcrossTypes(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(exchange{Method: "GET", Path: "/activity/",
		Query: "lead_id=lead_4pT9wQ&_type__in=Note,Call&user_id__in=user_1,user_2&date_created__gte=2025-10-01T00:00:00Z&activity_at__lt=2025-10-02T00:00:00Z&_order_by=-activity_at&_skip=0&_limit=100",
		Reply: out(`{"data": [` + noteReply + `,` + callReply + `,
		  {"id": "acti_Ss1", "_type": "SMS", "text": "hi", "direction": "inbound"}], "has_more": false}`)})
	crm := w.crm()
	var kinds []close.ActivityType
	for a, err := range crm.Activities.List(t.Context(), &close.ActivityListParams{
		LeadID: "lead_4pT9wQ", Types: []close.ActivityType{close.ActivityNote, close.ActivityCall},
		UserIDs:     []string{"user_1", "user_2"},
		DateCreated: close.TimeRange{Gte: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)},
		ActivityAt:  close.TimeRange{Lt: time.Date(2025, 10, 2, 0, 0, 0, 0, time.UTC)},
		OrderBy:     "-activity_at",
	}) {
		require.NoError(t, err)
		kinds = append(kinds, a.Type)
		switch a.Type {
		case close.ActivityNote:
			n, err := a.Note()
			require.NoError(t, err)
			assert.Equal(t, close.Set("Asked for a 40-seat quote"), n.Note)
			assert.Equal(t, "cont_8sLk3J", n.ContactID)
			_, err = a.Call()
			require.Error(t, err)
		case close.ActivityCall:
			c, err := a.Call()
			require.NoError(t, err)
			assert.Equal(t, 312, c.Duration)
			assert.True(t, c.Note.IsNull())
		case close.ActivitySMS:
			s, err := a.SMS()
			require.NoError(t, err)
			assert.Equal(t, "hi", s.Text)
		}
	}
	assert.Equal(t, []close.ActivityType{"Note", "Call", "SMS"}, kinds)
}

func TestActivitiesLeadOnlyFiltersNeedLead(t *testing.T) {
	t.Parallel()
	s := &stub{fn: func(string, *paragon.RequestOptions) (*paragon.Response, error) { panic("no request expected") }}
	crm := close.New(s)
	for _, p := range []*close.ActivityListParams{
		{UserID: "user_1"}, {Types: []close.ActivityType{close.ActivityCall}}, {ContactIDs: []string{"c"}},
	} {
		for _, err := range crm.Activities.List(t.Context(), p) {
			require.ErrorIs(t, err, paragon.ErrInvalidInput)
		}
	}
	for _, err := range crm.Activities.ListCalls(t.Context(), &close.ActivityListParams{Types: []close.ActivityType{"Note"}}) {
		require.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
	for _, err := range crm.Activities.ListType(t.Context(), "Nope", nil) {
		require.ErrorIs(t, err, paragon.ErrInvalidInput)
	}
	_, err := crm.Activities.CreateNote(t.Context(), &close.NoteParams{Note: "no lead"})
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	_, err = crm.Activities.Get(t.Context(), close.ActivityCall, "a/b")
	require.ErrorIs(t, err, paragon.ErrInvalidInput)
	assert.Empty(t, s.calls)
}

func TestActivitiesPerTypeEndpoints(t *testing.T) {
	t.Parallel()
	paths := map[close.ActivityType]string{
		close.ActivityNote: "/activity/note/", close.ActivityCall: "/activity/call/", close.ActivityEmail: "/activity/email/",
		close.ActivityMeeting: "/activity/meeting/", close.ActivitySMS: "/activity/sms/", close.ActivityCustom: "/activity/custom/",
		close.ActivityLeadStatusChange: "/activity/status_change/lead/", close.ActivityOpportunityStatusChange: "/activity/status_change/opportunity/",
		close.ActivityTaskCompleted: "/activity/task_completed/", close.ActivityCreated: "/activity/created/", close.ActivityEmailThread: "/activity/emailthread/",
	}
	for typ, path := range paths {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			w := newWire(t)
			w.expect(exchange{Method: "GET", Path: path, Query: "user_id=user_1&_skip=0&_limit=100",
				Reply: out(`{"data": [{"id": "acti_1", "_type": "` + string(typ) + `"}], "has_more": false}`)})
			n := 0
			for a, err := range w.crm().Activities.ListType(t.Context(), typ, &close.ActivityListParams{UserID: "user_1"}) {
				require.NoError(t, err)
				assert.Equal(t, typ, a.Type)
				n++
			}
			assert.Equal(t, 1, n)
		})
	}
	w := newWire(t)
	w.expect(
		exchange{Method: "GET", Path: "/activity/email/", Query: "lead_id=lead_1&_skip=0&_limit=100",
			Reply: out(`{"data": [{"id": "acti_E", "_type": "Email", "subject": "Quote", "to": ["a@b.example"], "date_sent": "2025-10-01T17:00:00+00:00"}], "has_more": false}`)},
		exchange{Method: "GET", Path: "/activity/meeting/", Query: "_skip=0&_limit=100",
			Reply: out(`{"data": [{"id": "acti_M", "_type": "Meeting", "title": "Demo", "starts_at": "2025-10-02T15:00:00+00:00"}], "has_more": false}`)},
		exchange{Method: "GET", Path: "/activity/custom/", Query: "_skip=0&_limit=100",
			Reply: out(`{"data": [{"id": "acti_X", "_type": "Custom", "custom_activity_type_id": "actitype_1", "custom.cf_score": 9}], "has_more": false}`)},
		exchange{Method: "GET", Path: "/activity/note/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [` + noteReply + `], "has_more": false}`)},
		exchange{Method: "GET", Path: "/activity/sms/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [], "has_more": false}`)},
		exchange{Method: "GET", Path: "/activity/call/", Query: "_skip=0&_limit=100", Reply: out(`{"data": [` + callReply + `], "has_more": false}`)},
	)
	crm := w.crm()
	for e, err := range crm.Activities.ListEmails(t.Context(), &close.ActivityListParams{LeadID: "lead_1"}) {
		require.NoError(t, err)
		assert.Equal(t, "Quote", e.Subject)
		assert.Equal(t, []string{"a@b.example"}, e.To)
	}
	for m, err := range crm.Activities.ListMeetings(t.Context(), nil) {
		require.NoError(t, err)
		assert.Equal(t, 15, m.StartsAt.Hour())
	}
	for c, err := range crm.Activities.ListCustom(t.Context(), nil) {
		require.NoError(t, err)
		v, _ := c.Custom.Int("cf_score")
		assert.Equal(t, int64(9), v)
		assert.Equal(t, "actitype_1", c.CustomActivityTypeID)
	}
	for n, err := range crm.Activities.ListNotes(t.Context(), nil) {
		require.NoError(t, err)
		assert.Equal(t, "acti_Nn2Bb4", n.ID)
	}
	for _, err := range crm.Activities.ListSMS(t.Context(), nil) {
		require.NoError(t, err)
	}
	for c, err := range crm.Activities.ListCalls(t.Context(), nil) {
		require.NoError(t, err)
		assert.Equal(t, "outbound", c.Direction)
	}
}

func TestActivitiesNotesAndCalls(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.expect(
		exchange{Method: "POST", Path: "/activity/note/",
			Body: `{"lead_id": "lead_4pT9wQ", "contact_id": "cont_8sLk3J",
			  "note_html": "<p>Asked for a <b>40-seat</b> quote</p>", "activity_at": "2025-10-01T17:50:00Z"}`,
			Reply: out(noteReply)},
		exchange{Method: "PUT", Path: "/activity/note/acti_Nn2Bb4/", Body: `{"note": "", "title": null}`, Reply: out(noteReply)},
		exchange{Method: "POST", Path: "/activity/call/",
			Body:  `{"lead_id": "lead_4pT9wQ", "direction": "outbound", "status": "completed", "phone": "+14155550143", "duration": 312}`,
			Reply: out(callReply)},
		exchange{Method: "PUT", Path: "/activity/call/acti_Cc1Ll2/", Body: `{"note": "Left a voicemail", "duration": 0}`, Reply: out(callReply)},
		exchange{Method: "GET", Path: "/activity/call/acti_Cc1Ll2/", Reply: out(callReply)},
		exchange{Method: "DELETE", Path: "/activity/note/acti_Nn2Bb4/", Status: 204},
	)
	crm := w.crm()
	n, err := crm.Activities.CreateNote(t.Context(), &close.NoteParams{
		LeadID: "lead_4pT9wQ", ContactID: "cont_8sLk3J", NoteHTML: "<p>Asked for a <b>40-seat</b> quote</p>",
		ActivityAt: close.Time{Time: time.Date(2025, 10, 1, 17, 50, 0, 0, time.UTC)},
	})
	require.NoError(t, err)
	assert.Equal(t, close.ActivityNote, n.Type)
	_, err = crm.Activities.UpdateNote(t.Context(), n.ID, &close.NoteUpdate{Note: close.Set(""), Title: close.Null[string]()})
	require.NoError(t, err)
	c, err := crm.Activities.CreateCall(t.Context(), &close.CallParams{LeadID: "lead_4pT9wQ", Direction: "outbound", Status: "completed", Phone: "+14155550143", Duration: 312})
	require.NoError(t, err)
	_, err = crm.Activities.UpdateCall(t.Context(), c.ID, &close.CallUpdate{Note: close.Set("Left a voicemail"), Duration: close.Set(0)})
	require.NoError(t, err)
	a, err := crm.Activities.Get(t.Context(), close.ActivityCall, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "outbound", must(a.Call()).Direction)
	require.NoError(t, crm.Activities.Delete(t.Context(), close.ActivityNote, n.ID))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return v
}
