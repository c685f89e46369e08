package closetest

import (
	"strconv"
	"strings"
)

const (
	errRequired    = "This field is required."
	errNotString   = "Not a valid string."
	errNotInteger  = "A valid integer is required."
	errNotBool     = "Must be a valid boolean."
	errNotList     = "Expected a list of items."
	errNoObject    = "Object does not exist."
	errNotChoice   = "Not a valid choice."
	errNotDate     = "Date has wrong format. Use YYYY-MM-DD."
	errNotDateTime = "Datetime has wrong format."
	errNestedWrite = "Nested contacts cannot be changed through a lead; use /contact/{id}/."
)

// checkString validates an optional string-or-null field.
func checkString(in map[string]any, key string, fe map[string]any) {
	if v, ok := in[key]; ok && v != nil {
		if _, isStr := v.(string); !isStr {
			fe[key] = errNotString
		}
	}
}

// copyStrings validates the string-or-null fields keys of in and copies
// those present to out.
func copyStrings(in, out map[string]any, fe map[string]any, keys ...string) {
	for _, k := range keys {
		checkString(in, k, fe)
		if v, ok := in[k]; ok {
			out[k] = v
		}
	}
}

// normList validates a list of objects that each need the string field req
// and keeps only the writable keys of each item (Close computes the others),
// filling defaults; it returns the normalized list.
func normList(v any, req string, writable []string, defaults map[string]any) ([]any, any) {
	list, ok := v.([]any)
	if !ok {
		return nil, errNotList
	}
	out := make([]any, 0, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, map[string]any{strconv.Itoa(i): "Expected an object."}
		}
		if s, _ := m[req].(string); s == "" {
			return nil, map[string]any{strconv.Itoa(i): map[string]any{req: errRequired}}
		}
		n := map[string]any{}
		for _, k := range writable {
			if x, has := m[k]; has {
				n[k] = deepCopy(x)
			}
		}
		for k, d := range defaults {
			if _, has := n[k]; !has {
				n[k] = deepCopy(d)
			}
		}
		out = append(out, n)
	}
	return out, nil
}

// checkTime validates an optional timestamp field.
func checkTime(in map[string]any, key string, fe map[string]any) {
	if v, has := in[key]; has && v != nil {
		if _, ok := parseTime(str(v)); !ok {
			fe[key] = errNotDateTime
		}
	}
}

// applyCustom applies the custom-field keys of in to o: "custom.cf_x" sets
// (null clears), "custom.cf_x.add" and ".remove" change a multi-value field.
func applyCustom(o, in map[string]any) {
	for k, v := range in {
		if !strings.HasPrefix(k, "custom.") {
			continue
		}
		switch {
		case strings.HasSuffix(k, ".add"):
			key := strings.TrimSuffix(k, ".add")
			o[key] = append(asList(o[key]), v)
		case strings.HasSuffix(k, ".remove"):
			key := strings.TrimSuffix(k, ".remove")
			var keep []any
			for _, x := range asList(o[key]) {
				if str(x) != str(v) {
					keep = append(keep, x)
				}
			}
			o[key] = append([]any{}, keep...)
		case v == nil:
			delete(o, k)
		default:
			o[k] = deepCopy(v)
		}
	}
}

// resolveStatus finds the status named by status_id or status (its label)
// in in. It returns ok=false when neither is set.
func resolveStatus(in map[string]any, statuses []status, fe map[string]any) (st status, ok bool) {
	id, hasID := in["status_id"]
	label, hasLabel := in["status"]
	if hasID && hasLabel {
		fe["status"] = "Set status_id or status, not both."
		return st, false
	}
	if !hasID && !hasLabel {
		return st, false
	}
	for _, s := range statuses {
		if hasID && str(id) == s.id || hasLabel && strings.EqualFold(str(label), s.label) {
			return s, true
		}
	}
	fe["status"] = errNotChoice
	return st, false
}

// kindName is the model name Close uses in its not-found errors.
func kindName(kind string) string {
	switch kind {
	case "contact":
		return "Contact"
	case "lead":
		return "Lead"
	case "opportunity":
		return "Opportunity"
	case "activity":
		return "Activity"
	case "task":
		return "Task"
	case "event":
		return "Event"
	case "webhook":
		return "WebhookSubscription"
	case "custom_field":
		return "CustomField"
	case "user":
		return "User"
	case "export":
		return "Export"
	case "bulk_action":
		return "BulkAction"
	case "status":
		return "Status"
	case "pipeline":
		return "Pipeline"
	}
	return "Object"
}

// importedDate applies a date_created sent on create (Close accepts one for
// imported data) to a new object o.
func importedDate(in, o map[string]any, fe map[string]any) {
	v, has := in["date_created"]
	if !has || v == nil {
		return
	}
	t, isTime := parseTime(str(v))
	if !isTime {
		fe["date_created"] = errNotDateTime
		return
	}
	o["date_created"] = objectTime(t)
}
