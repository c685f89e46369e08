package paragon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/paragon-go/paragon/internal/jsonx"
	"github.com/paragon-go/paragon/internal/pathutil"
)

// FieldOptionsParams name one dynamic dropdown (a data source of an
// integration) for [User.FieldOptions] and [User.FieldOptionsPage].
type FieldOptionsParams struct {
	// Integration is the integration type, e.g. "salesforce". Required.
	Integration string
	// Source is the data source key: the action name or the data source's
	// cacheKey from the integration's sdkIntegrationConfig.dataSources.
	// Required.
	Source string
	// Search filters the options by text, where the source supports it.
	Search string
	// Parameters are the values of inputs the source depends on, e.g.
	// {"objectType": "Contact"}; each is sent as {key, source: {type:
	// "VALUE", value}}.
	Parameters map[string]any
}

// FieldOption is one option of a dynamic dropdown. Sources answer with
// {label, value} records, or with records that carry an id (nested data);
// Raw keeps the record as sent.
type FieldOption struct {
	// ID is the record's id, when it has one.
	ID string `json:"-"`
	// Label is the text shown to the user.
	Label string `json:"label,omitzero"`
	// Value is the value stored when the option is picked.
	Value any `json:"value,omitzero"`
	// Raw is the record as the source sent it.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a record, reading id as a string or a number.
func (o *FieldOption) UnmarshalJSON(b []byte) error {
	type plain FieldOption
	aux := struct {
		*plain
		ID json.RawMessage `json:"id"`
	}{plain: (*plain)(o)}
	if err := jsonx.Unmarshal(b, &aux); err != nil {
		return err
	}
	o.ID = rawString(aux.ID)
	o.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// FieldOptionsPage is one page of a dynamic dropdown's options.
type FieldOptionsPage struct {
	// Options are the page's records.
	Options []FieldOption
	// Nested is true when the records carry ids (the browser SDK's
	// nestedData), false for flat {label, value} lists (its data).
	Nested bool
	// NextCursor is the cursor of the next page, "" on the last one.
	NextCursor string
}

// maxFieldOptionPages bounds how many pages [User.FieldOptions] follows.
const maxFieldOptionPages = 10000

// FieldOptionsPage returns one page of a dynamic dropdown's options (POST
// /sdk/actions with {"action": <integration>, "sourceKey", "parameters",
// "paginationParameters": {"pageCursor", "search"}}), starting at cursor
// ("" for the first page). Pin the account with [WithCredential] when the
// user has several.
func (u *User) FieldOptionsPage(ctx context.Context, p *FieldOptionsParams, cursor string, opts ...CallOption) (*FieldOptionsPage, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, invalid("nil FieldOptionsParams")
	}
	if err := pathutil.Integration(p.Integration); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	if err := checkName("field options source", p.Source, pathutil.MaxSegment); err != nil {
		return nil, err
	}
	params := make([]any, 0, len(p.Parameters))
	for _, k := range slices.Sorted(maps.Keys(p.Parameters)) {
		params = append(params, map[string]any{"key": k, "source": map[string]any{"type": "VALUE", "value": p.Parameters[k]}})
	}
	pg := map[string]any{"pageCursor": 0}
	if cursor != "" {
		pg["pageCursor"] = cursor
	}
	if p.Search != "" {
		pg["search"] = p.Search
	}
	raw, err := marshalBody(map[string]any{
		"action": p.Integration, "sourceKey": p.Source, "parameters": params, "paginationParameters": pg,
	})
	if err != nil {
		return nil, err
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "POST", path: u.projectPath("/sdk/actions"), template: "/sdk/actions",
		rawBody: raw, ctype: "application/json",
	}, opts)
	if err != nil {
		return nil, err
	}
	var env struct {
		Output json.RawMessage `json:"output"`
	}
	if err := decodeJSON(resp, "FieldOptionsPage", &env); err != nil {
		return nil, err
	}
	out := &FieldOptionsPage{}
	records := bytes.TrimSpace(env.Output)
	if len(records) > 0 && records[0] == '{' {
		var obj struct {
			Records        json.RawMessage `json:"records"`
			NextPageCursor json.RawMessage `json:"nextPageCursor"`
		}
		if err := json.Unmarshal(records, &obj); err != nil {
			return nil, fmt.Errorf("%w: FieldOptionsPage: %w", ErrInvalidResponse, err)
		}
		records = obj.Records
		out.NextCursor = rawString(obj.NextPageCursor)
	}
	if len(records) > 0 && string(records) != "null" {
		if err := json.Unmarshal(records, &out.Options); err != nil {
			return nil, fmt.Errorf("%w: FieldOptionsPage: records: %w", ErrInvalidResponse, err)
		}
	}
	out.Nested = len(out.Options) > 0 && out.Options[0].ID != ""
	return out, nil
}

// FieldOptions returns every option of a dynamic dropdown, following the
// pages' cursors lazily (see [User.FieldOptionsPage]). It stops at the first
// error; a cursor that repeats ends it with [ErrInvalidResponse] rather than
// looping.
func (u *User) FieldOptions(ctx context.Context, p *FieldOptionsParams, opts ...CallOption) iter.Seq2[FieldOption, error] {
	return func(yield func(FieldOption, error) bool) {
		seen := map[string]bool{}
		cursor := ""
		for range maxFieldOptionPages {
			pg, err := u.FieldOptionsPage(ctx, p, cursor, opts...)
			if err != nil {
				yield(FieldOption{}, err)
				return
			}
			for _, o := range pg.Options {
				if !yield(o, nil) {
					return
				}
			}
			if pg.NextCursor == "" {
				return
			}
			if seen[pg.NextCursor] || (len(pg.Options) == 0 && pg.NextCursor == cursor) {
				yield(FieldOption{}, fmt.Errorf("%w: FieldOptions: cursor %q came back again", ErrInvalidResponse, pg.NextCursor))
				return
			}
			seen[pg.NextCursor] = true
			cursor = pg.NextCursor
		}
		yield(FieldOption{}, fmt.Errorf("%w: FieldOptions: more than %d pages", ErrInvalidResponse, maxFieldOptionPages))
	}
}
