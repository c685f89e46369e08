package close_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/paragon-go/paragon/close"
)

// FuzzDecodeObjects decodes any bytes as each Close object and as a webhook
// event (with the event's typed decoders): never a panic; an object that
// decodes keeps its bytes in Raw, and, when it re-encodes (dates past year
// 9999 don't), the encoding is stable and keeps the custom fields.
func FuzzDecodeObjects(f *testing.F) {
	for _, s := range []string{
		`{"id": "lead_1", "name": "Acme", "custom.cf_tier": "gold", "custom.cf_seats": 12, "custom.cf_tags": ["a", "b"], "contacts": [{"id": "cont_1", "emails": [{"email": "a@b.c", "type": "office"}], "custom.cf_x": null}], "opportunities": [{"id": "oppo_1", "value": 150000, "date_won": "2025-09-04", "custom.cf_y": true}], "date_created": "2025-09-04T14:22:09.518000+00:00"}`,
		`{"id": "oppo_1", "value": 1.5, "status_type": "won", "date_won": "2025-13-40"}`,
		`{"custom.": 1, "custom.cf_a": {"nested": [1, 2]}, "custom": {"Old Name": "x"}}`,
		`{"subscription_id": "whsub_1", "event": {"id": "ev_1", "object_type": "lead", "action": "updated", "date_created": "2025-09-04T14:22:09.518000", "changed_fields": ["name"], "data": {"id": "lead_1", "custom.cf_a": 1}, "previous_data": {"name": "Old"}}}`,
		`{"event": {"object_type": "contact", "action": "deleted", "data": null, "previous_data": {"id": "cont_1"}}}`,
		`{"event": {"object_type": "opportunity", "data": {"value": "x"}}}`,
		`{"subscription_id": "whsub_1", "event": {"object_type": "activity.call", "data": {"_type": "Call", "duration": 5}, "meta": {"x": [1]}}}`,
		`{"event": {"object_type": "task.lead", "data": {"id": "task_1", "is_complete": true}}}`,
		`{"event": {"object_type": "status_change.opportunity", "data": {"new_status_type": "won"}, "api_key_id": null}}`,
		`null`, `{}`, `[]`, `{"custom.cf_n": 1e999}`, `{"date_created": "10000-01-01T00:00:00"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		roundTrip[close.Lead](t, b, func(v *close.Lead) (close.CustomFields, json.RawMessage) { return v.Custom, v.Raw })
		roundTrip[close.Contact](t, b, func(v *close.Contact) (close.CustomFields, json.RawMessage) { return v.Custom, v.Raw })
		roundTrip[close.Opportunity](t, b, func(v *close.Opportunity) (close.CustomFields, json.RawMessage) { return v.Custom, v.Raw })

		var ev close.WebhookEvent
		if json.Unmarshal(b, &ev) != nil {
			return
		}
		_, errL := ev.DecodeLead()
		_, errC := ev.DecodeContact()
		_, errO := ev.DecodeOpportunity()
		if !ev.HasData() {
			for _, err := range []error{errL, errC, errO} {
				if err == nil {
					t.Fatal("decoded an event without data")
				}
			}
			if ev.ObjectType == "lead" && !errors.Is(errL, close.ErrNoData) {
				t.Fatalf("lead event without data: %v, want ErrNoData", errL)
			}
		}
		var prev map[string]any
		_ = ev.DecodePrevious(&prev)
		if _, err := ev.Decode(); err == nil && !ev.HasData() {
			t.Fatal("Decode of an event without data")
		}
		_, _ = ev.DecodeActivity()
		_, _ = ev.DecodeTask()
		_, _ = ev.DecodeStatusChange()
		_, _ = ev.Meta.Value("bulk_action_id")
	})
}

// roundTrip decodes b as a T and checks Raw, re-encoding and custom fields.
func roundTrip[T any](t *testing.T, b []byte, parts func(*T) (close.CustomFields, json.RawMessage)) {
	t.Helper()
	var v T
	if json.Unmarshal(b, &v) != nil {
		return
	}
	custom, raw := parts(&v)
	if raw != nil && !bytes.Equal(raw, bytes.Trim(b, " \t\r\n")) {
		t.Fatalf("Raw %q, want the input", raw)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return // e.g. a date past year 9999: decodes, does not encode
	}
	var back T
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("decoding the re-encoded %T %s: %v", v, out, err)
	}
	again, err := json.Marshal(back)
	if err != nil {
		t.Fatalf("re-encoding %T twice: %v", v, err)
	}
	if !bytes.Equal(out, again) {
		t.Fatalf("%T encoding not stable:\n%s\n%s", v, out, again)
	}
	backCustom, _ := parts(&back)
	for id := range custom {
		if _, ok := backCustom[id]; !ok {
			t.Fatalf("%T lost custom field %q in %s", v, id, out)
		}
	}
}
