package close

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reference decodes without objParser: reflection and scanCustom only.
var reference = newDecoderOptions(false)

// fastDecodeSeeds are objects the one-pass decoder must get right: what
// Close sends, and what it must hand to the general decoder.
var fastDecodeSeeds = []string{
	`{"id":"lead_1","name":"Acme","display_name":"Acme","url":null,"description":"","status_id":"stat_1","status_label":"Potential",` +
		`"contacts":[{"id":"cont_1","lead_id":"lead_1","name":"Ann","title":null,"emails":[{"email":"a@b.c","type":"office","is_unsubscribed":false}],` +
		`"phones":[{"phone":"+14155550143","phone_formatted":"+1 415-555-0143","type":"mobile","country":"US","tz_ids":["America/Los_Angeles"],"outbound_sms_blocked":true}],` +
		`"urls":[{"url":"https://a.example","type":"url"}],"integration_links":[],"date_created":"2025-09-04T14:22:09.518000+00:00","custom.cf_c":"x"}],` +
		`"contact_ids":["cont_1"],"opportunities":[{"id":"oppo_1","value":1250000,"value_period":"annual","confidence":40,"expected_value":null,` +
		`"date_won":"2025-09-04","date_lost":null,"is_stalled":false,"attachments":[{"url":"u","filename":"f.pdf","size":12}],"custom.cf_o":1.5}],` +
		`"addresses":[{"label":"business","address_1":"12 Pier Rd","address_2":null,"city":"Oakland","tz_ids":[]}],` +
		`"primary_email":{"email":"a@b.c"},"primary_phone":null,"integration_links":[{"name":"n","url":"u"}],` +
		`"date_created":"2025-09-04T14:20:51.004000+00:00","date_updated":"","created_by":"user_1",` +
		`"custom.cf_a":"Inbound","custom.cf_n":42,"custom.cf_l":["a","b"],"custom.cf_t":true,"custom.cf_z":null,"custom.cf_o":{"k":[1]},` +
		`"custom.cf_mixed":["a",null],"custom.cf_e":"caf\u00e9","custom.":1,"custom.custom.x":2,"custom":{"Old":"x"},"unknown":[{"a":[]}]}`,
	`{"id":"a\"b","name":"caf\u00e9 \ud83d\ude00","display_name":"bad ` + "\xff" + ` utf8"}`,
	`{"contacts":[{"id":"1"}],"contacts":[],"primary_email":{"email":"a"},"primary_email":{"type":"b"},"custom.cf_a":1,"custom.cf_a":"2"}`,
	`{"id":null,"contacts":null,"contact_ids":null,"opportunities":[null],"addresses":[{}],"date_created":null}`,
	`{"id":1}`, `{"contacts":{}}`, `{"confidence":1.5}`, `{"value":"1"}`, `{"value":1e3}`, `{"confidence":99999999999999999999}`,
	`{"date_created":"yesterday"}`, `{"date_won":"2025-13-01"}`, `{"is_stalled":"yes"}`, `{"\u0069d":"escaped key"}`,
	`{"custom.cf_\u0061":"escaped custom key"}`, `{"contact_ids":["a",1]}`, `{"tz_ids":[]}`, ` { "id" : "spaced" , "contacts" : [ { "id" : "c" } ] } `,
	`{}`, `null`, `[]`, `"lead"`, `{"id":"a"} x`, `{"id":"a",}`, `{"id":tru}`, "{\"id\":\"ctl \x01\"}", `{"unknown":[1,}`, `{"custom.cf_a":{"x":}}`,
	`{"value":01}`, `{"contacts":[{"emails":[{"email":"a"},]}]}`,
	`{"data":[{"id":"lead_1","contacts":[{"id":"c"}]},null,{"id":"lead_2","custom.cf_a":1}],"has_more":true,"total_results":3,"cursor":null}`,
	`{"data":[],"has_more":false,"total_results":null}`, `{"contacts":[{"id":"1","name":"a","emails":[{"email":"x"}]},{"id":"3"}],"contacts":[{"id":"2"}]}`, `{"data":null}`, `{"data":[{"id":"a"}],"data":[{"id":"b"}]}`, `{"data":[{"id":1}]}`,
	`{"data":[{"id":"a"}] ,"has_more":true} `, `{"data":[{"id":"a"}],"total_results":1.5}`, `{"data":[{"id":"a"},]}`,
}

// FuzzFastDecode checks that a lead, contact or opportunity decodes the same
// with objParser as with reflection and scanCustom alone: the same value or
// an error from both.
func FuzzFastDecode(f *testing.F) {
	for _, s := range fastDecodeSeeds {
		f.Add([]byte(s))
	}
	// Nested past the general decoder's limit, in a value that is skipped.
	deep := strings.Repeat("[", 9998) + strings.Repeat("]", 9998)
	f.Add([]byte(`{"data":[{"id":"a","unknown":` + deep + `}]}`))
	f.Add([]byte(`{"id":"a","unknown":` + deep + `[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sameDecode[Lead](t, b)
		sameDecode[Contact](t, b)
		sameDecode[Opportunity](t, b)
		sameDecode[struct {
			Data []Lead `json:"data"`
		}](t, b)
		samePage[Lead](t, b)
		samePage[Contact](t, b)
		sameOffsetPage(t, b)
		sameUnmarshalJSON(t, b, (*objParser).lead, func(l *Lead) (any, *CustomFields, *json.RawMessage) { return (*leadJSON)(l), &l.Custom, &l.Raw })
		sameUnmarshalJSON(t, b, (*objParser).contact, func(c *Contact) (any, *CustomFields, *json.RawMessage) { return (*contactJSON)(c), &c.Custom, &c.Raw })
		sameUnmarshalJSON(t, b, (*objParser).opportunity, func(o *Opportunity) (any, *CustomFields, *json.RawMessage) {
			return (*opportunityJSON)(o), &o.Custom, &o.Raw
		})
	})
}

func sameDecode[T any](t *testing.T, b []byte) {
	t.Helper()
	var fast, ref T
	sameDecodeInto(t, b, &fast, &ref)
	// Into values that hold something already: what jsonv2 merges, and what
	// it replaces (Custom), must be the same both ways.
	var prevFast, prevRef T
	prev := []byte(`{"id":"prev","name":"Prev","contacts":[{"id":"c0","custom.cf_c":"x"}],"custom.cf_p":1,"data":[{"id":"p"}]}`)
	if jsonv2.Unmarshal(prev, &prevFast, reference.topLevel) == nil && jsonv2.Unmarshal(prev, &prevRef, reference.topLevel) == nil {
		sameDecodeInto(t, b, &prevFast, &prevRef)
	}
}

func sameDecodeInto[T any](t *testing.T, b []byte, fast, ref *T) {
	t.Helper()
	errFast := jsonv2.Unmarshal(b, fast, decoders.topLevel)
	errRef := jsonv2.Unmarshal(b, ref, reference.topLevel)
	if (errFast == nil) != (errRef == nil) {
		t.Fatalf("%T from %q: fast error %v, reference error %v", *fast, b, errFast, errRef)
	}
	if errFast == nil && !reflect.DeepEqual(*fast, *ref) {
		t.Fatalf("%T from %q:\nfast      %#v\nreference %#v", *fast, b, *fast, *ref)
	}
}

// TestFastDecodeTakesCloseLeads makes sure FuzzFastDecode compares
// something: objParser itself decodes a lead as Close sends it, whole.
func TestFastDecodeTakesCloseLeads(t *testing.T) {
	t.Parallel()
	raw := []byte(fastDecodeSeeds[0])
	var l Lead
	end, err := newObjParser(raw).lead(&l, 0)
	require.NoError(t, err)
	assert.Equal(t, len(raw), end)
	name, _ := l.Name.Get()
	assert.Equal(t, "Acme", name)
	require.Len(t, l.Contacts, 1)
	assert.Equal(t, "+1 415-555-0143", l.Contacts[0].Phones[0].PhoneFormatted)
	assert.Equal(t, "x", l.Contacts[0].Custom["cf_c"])
	assert.Equal(t, []any{"a", nil}, l.Custom["cf_mixed"])
	assert.Equal(t, "café", l.Custom["cf_e"])
	assert.NotContains(t, l.Custom, "")
	assert.NotContains(t, l.Custom, "custom.x")
	for _, s := range fastDecodeSeeds[1:4] { // escapes, bad UTF-8, repeats, nulls
		_, err := newObjParser([]byte(s)).lead(new(Lead), 0)
		assert.NoError(t, err, s)
	}
	var pg Page[Lead]
	require.True(t, fastPage([]byte(`{"data":[`+fastDecodeSeeds[0]+`,{"id":"lead_2"}],"has_more":true}`), &pg))
	require.Len(t, pg.Data, 2)
	assert.Equal(t, "lead_2", pg.Data[1].ID)
	assert.Equal(t, fastDecodeSeeds[0], string(pg.Data[0].Raw))
	assert.True(t, pg.HasMore)
	for _, s := range []string{`{"id":1}`, `{"\u0069d":"x"}`, `{"date_created":"yesterday"}`} {
		_, err := newObjParser([]byte(s)).lead(new(Lead), 0)
		assert.ErrorIs(t, err, errSlow, s)
	}
}

// samePage checks fastPage against reflection on a page of S.
func samePage[S any](t *testing.T, b []byte) {
	t.Helper()
	var got, want Page[S]
	if !fastPage(b, &got) {
		if !reflect.DeepEqual(got, Page[S]{}) {
			t.Fatalf("fastPage gave up on %q and left %#v", b, got)
		}
		return
	}
	if err := jsonv2.Unmarshal(b, &want, reference.topLevel); err != nil {
		t.Fatalf("fastPage decoded %q, reflection: %v", b, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Page[%T] from %q:\nfastPage  %#v\nreference %#v", *new(S), b, got, want)
	}
}

// sameOffsetPage checks fastPage against reflection on a listing's page,
// whose Data has room for the items.
func sameOffsetPage(t *testing.T, b []byte) {
	t.Helper()
	got, want := offsetPage[Lead]{Data: make([]Lead, 0, 4)}, offsetPage[Lead]{Data: make([]Lead, 0, 4)}
	if !fastPage(b, &got) {
		if len(got.Data) != 0 || got.HasMore {
			t.Fatalf("fastPage gave up on %q and left %#v", b, got)
		}
		return
	}
	if err := jsonv2.Unmarshal(b, &want, reference.topLevel); err != nil {
		t.Fatalf("fastPage decoded %q, reflection: %v", b, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("offsetPage from %q:\nfastPage  %#v\nreference %#v", b, got, want)
	}
}

// sameUnmarshalJSON checks the types' UnmarshalJSON (fastObject first)
// against decodeObject alone, on bytes that need not be valid JSON.
func sameUnmarshalJSON[S any](t *testing.T, b []byte, fast func(*objParser, *S, int) (int, error), fields func(*S) (any, *CustomFields, *json.RawMessage)) {
	t.Helper()
	var got, want S
	ok := fastObject(b, &got, fast)
	alias, custom, raw := fields(&want)
	errWant := decodeObject(b, alias, custom, raw)
	if !ok {
		return // decodeObject decides
	}
	if errWant != nil {
		t.Fatalf("%T: fastObject decoded %q, decodeObject: %v", got, b, errWant)
	}
	// decodeObject keeps b untrimmed in Raw; fastObject the object itself.
	*raw = bytes.TrimSpace(*raw)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%T from %q:\nfastObject   %#v\ndecodeObject %#v", got, b, got, want)
	}
}

// TestFastDecodeReplacesCustom: decoding into a lead that has custom fields
// replaces them, as the general decoder does, and never writes to a map a
// copy of the lead shares.
func TestFastDecodeReplacesCustom(t *testing.T) {
	t.Parallel()
	var l Lead
	require.NoError(t, json.Unmarshal([]byte(`{"custom.cf_a":1}`), &l))
	cp := l
	require.NoError(t, json.Unmarshal([]byte(`{"custom.cf_b":2}`), &cp))
	assert.Equal(t, CustomFields{"cf_b": json.Number("2")}, cp.Custom)
	assert.Equal(t, CustomFields{"cf_a": json.Number("1")}, l.Custom, "the copy's decode left the original alone")
	var w struct {
		L Lead `json:"lead"`
	}
	require.NoError(t, jsonv2.Unmarshal([]byte(`{"lead":{"custom.cf_a":1},"lead":{"custom.cf_b":2}}`), &w, decoders.topLevel))
	assert.Equal(t, CustomFields{"cf_b": json.Number("2")}, w.L.Custom)
}
