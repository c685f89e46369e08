package close

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// CustomFieldObject is an object type that has custom fields.
//
// See https://developer.close.com/api/resources/custom-fields.
type CustomFieldObject string

// Custom field object types. Shared fields apply to several objects;
// schemas exist for leads, contacts and opportunities.
const (
	CustomFieldLead        CustomFieldObject = "lead"
	CustomFieldContact     CustomFieldObject = "contact"
	CustomFieldOpportunity CustomFieldObject = "opportunity"
	CustomFieldActivity    CustomFieldObject = "activity"
	CustomFieldShared      CustomFieldObject = "shared"
)

func (o CustomFieldObject) check(schema bool) error {
	switch o {
	case CustomFieldLead, CustomFieldContact, CustomFieldOpportunity:
		return nil
	case CustomFieldActivity, CustomFieldShared:
		if !schema {
			return nil
		}
	}
	return invalid("no custom field %s for object type %q", map[bool]string{true: "schema", false: "list"}[schema], o)
}

// CustomFieldDef is a custom field's definition. Type is "text",
// "number", "date", "datetime", "choices", "user", "contact", …
//
// See https://developer.close.com/api/resources/custom-fields.
type CustomFieldDef struct {
	ID                    string          `json:"id"`
	Name                  string          `json:"name"`
	Type                  string          `json:"type"`
	Choices               []string        `json:"choices,omitzero"`
	AcceptsMultipleValues bool            `json:"accepts_multiple_values,omitzero"`
	EditableWithRoles     []string        `json:"editable_with_roles,omitzero"`
	Raw                   json.RawMessage `json:"-"`
}

type cfDefJSON CustomFieldDef

// UnmarshalJSON decodes a definition and keeps it in Raw.
func (d *CustomFieldDef) UnmarshalJSON(b []byte) error { return keepRaw(b, (*cfDefJSON)(d), &d.Raw) }

// Value converts the raw value v of this field (from an object's Custom)
// to its Go type: text, choices, user and contact fields to string (their
// IDs for references); number to float64; date to [Date]; datetime to
// [Time]; any multi-value field to a slice of those. null stays nil.
func (d *CustomFieldDef) Value(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if d.AcceptsMultipleValues {
		items, ok := v.([]any)
		if !ok {
			items = []any{v}
		}
		return convertList(d, items)
	}
	return convertOne(d, v)
}

func convertList(d *CustomFieldDef, items []any) (any, error) {
	switch d.Type {
	case "number":
		out := make([]float64, 0, len(items))
		for _, it := range items {
			f, err := convertOne(d, it)
			if err != nil {
				return nil, err
			}
			out = append(out, f.(float64))
		}
		return out, nil
	case "date", "datetime":
		out := make([]any, 0, len(items))
		for _, it := range items {
			t, err := convertOne(d, it)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, nil
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, err := convertOne(d, it)
		if err != nil {
			return nil, err
		}
		out = append(out, s.(string))
	}
	return out, nil
}

func convertOne(d *CustomFieldDef, v any) (any, error) {
	bad := func() error {
		return fmt.Errorf("close: custom field %s (%s) has a %T value", d.ID, d.Type, v)
	}
	switch d.Type {
	case "number":
		if f, ok := toFloat(v); ok {
			return f, nil
		}
		if s, ok := v.(string); ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return f, nil
			}
		}
		return nil, bad()
	case "date":
		s, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		return ParseDate(s)
	case "datetime":
		s, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		return ParseTime(s)
	}
	s, ok := v.(string)
	if !ok {
		if n, isNum := v.(json.Number); isNum {
			return n.String(), nil
		}
		return nil, bad()
	}
	return s, nil
}

// CustomFieldSchema is the set of custom fields that apply to one object
// type, shared fields included.
//
// See https://developer.close.com/api/resources/custom-fields.
type CustomFieldSchema struct {
	Fields []CustomFieldDef `json:"fields"`
}

// Field returns the definition of field id ("cf_…" or "custom.cf_…").
func (s *CustomFieldSchema) Field(id string) (*CustomFieldDef, bool) {
	id = customID(id)
	for i := range s.Fields {
		if s.Fields[i].ID == id {
			return &s.Fields[i], true
		}
	}
	return nil, false
}

// Typed converts every value of c whose field the schema defines (see
// [CustomFieldDef.Value]); fields it does not know keep their raw value.
func (s *CustomFieldSchema) Typed(c CustomFields) (map[string]any, error) {
	out := make(map[string]any, len(c))
	for k, v := range c {
		d, ok := s.Field(k)
		if !ok {
			out[k] = v
			continue
		}
		tv, err := d.Value(v)
		if err != nil {
			return nil, err
		}
		out[k] = tv
	}
	return out, nil
}

// CustomFieldsService reads custom field definitions. Get it from
// [Client].CustomFields.
//
// See https://developer.close.com/api/resources/custom-fields.
type CustomFieldsService struct{ svc }

// List returns the custom fields defined for obj (GET
// /custom_field/<obj>/).
//
// See https://developer.close.com/api/resources/custom-fields.
func (s *CustomFieldsService) List(ctx context.Context, obj CustomFieldObject) iter2[CustomFieldDef] {
	l, err := simpleQuery(0, 0)
	if err == nil {
		err = obj.check(false)
	}
	return list[CustomFieldDef](ctx, &s.svc, "custom fields", "/custom_field/"+string(obj)+"/", l, err)
}

// Get returns custom field id of obj (GET /custom_field/<obj>/{id}/).
//
// See https://developer.close.com/api/resources/custom-fields.
func (s *CustomFieldsService) Get(ctx context.Context, obj CustomFieldObject, id string) (*CustomFieldDef, error) {
	if err := obj.check(false); err != nil {
		return nil, err
	}
	p, err := objectPath("custom_field/"+string(obj), "custom field", customID(id))
	if err != nil {
		return nil, err
	}
	return getObject[CustomFieldDef](ctx, &s.svc, p, nil)
}

// Schema returns the fields that apply to obj, shared ones included (GET
// /custom_field_schema/<obj>/): lead, contact or opportunity.
//
// See https://developer.close.com/api/resources/custom-fields.
func (s *CustomFieldsService) Schema(ctx context.Context, obj CustomFieldObject) (*CustomFieldSchema, error) {
	if err := obj.check(true); err != nil {
		return nil, err
	}
	return getObject[CustomFieldSchema](ctx, &s.svc, "/custom_field_schema/"+string(obj)+"/", nil)
}
