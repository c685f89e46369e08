package close

import (
	"encoding/json"
	"fmt"
)

// Optional is a value that Close may leave out or send as null, kept apart
// from its zero value, and a field of an update that is sent only when set.
// It has three states:
//
//   - unset (the zero Optional): absent from the JSON, and left out of a
//     request (fields carry omitzero);
//   - null ([Null]): JSON null, "never set" on a read object, "clear it" in
//     a request;
//   - a value ([Set]), which may be 0 or "" on purpose.
//
// Read objects use it where Close documents "T | null" (a lead's Name, URL
// and Description, a contact's Name and Title, an opportunity's Value,
// ExpectedValue, annualized values and Note), so an opportunity without a
// value never reads as $0 and a real 0 survives a read-modify-write. Pass a
// read field straight into an update to send it back exactly:
//
//	u := close.OpportunityUpdate{Value: opp.Value} // null stays null, 0 stays 0
//
// Get, Or and String read it; String and fmt format the value, or nothing
// when unset or null, so fmt.Println(lead.Name) prints the name and %d
// works on a Value.
//
// See https://developer.close.com/api/overview (PUT is a partial update).
type Optional[T any] struct {
	value T
	set   bool
	null  bool
}

// Set returns an Optional holding v.
//
// See https://developer.close.com/api/overview.
func Set[T any](v T) Optional[T] {
	return Optional[T]{value: v, set: true}
}

// Null returns an Optional that is JSON null: in a request it clears the
// field in Close.
//
// See https://developer.close.com/api/overview.
func Null[T any]() Optional[T] {
	return Optional[T]{set: true, null: true}
}

// IsZero reports whether o is unset (absent); encoding/json's omitzero uses
// it to leave unset fields out.
func (o Optional[T]) IsZero() bool { return !o.set }

// IsNull reports whether o is null.
func (o Optional[T]) IsNull() bool { return o.set && o.null }

// Valid reports whether o holds a value (not unset, not null).
func (o Optional[T]) Valid() bool { return o.set && !o.null }

// Get returns the value and whether o holds one (false when unset or null).
func (o Optional[T]) Get() (T, bool) {
	return o.value, o.set && !o.null
}

// Or returns the value, or def when o is unset or null.
func (o Optional[T]) Or(def T) T {
	if o.Valid() {
		return o.value
	}
	return def
}

// String formats the value with fmt's %v, or returns "" when o is unset or
// null.
func (o Optional[T]) String() string {
	if !o.Valid() {
		return ""
	}
	return fmt.Sprint(o.value)
}

// Format implements fmt.Formatter: every verb formats the value as it would
// the bare T (so %d works on an Optional[int64] and %q on an
// Optional[string]); an unset or null Optional prints nothing ("" with %q).
func (o Optional[T]) Format(f fmt.State, verb rune) {
	if !o.Valid() {
		if verb == 'q' {
			_, _ = f.Write([]byte(`""`))
		}
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), o.value)
}

// MarshalJSON encodes the value, or null when o is null or unset.
func (o Optional[T]) MarshalJSON() ([]byte, error) {
	if !o.set || o.null {
		return []byte("null"), nil
	}
	return json.Marshal(o.value)
}

// UnmarshalJSON sets o to the decoded value, or to null.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = Set(v)
	return nil
}

// mapOptional converts the value of o with f, keeping unset and null.
func mapOptional[A, B any](o Optional[A], f func(A) B) Optional[B] {
	if !o.set || o.null {
		return Optional[B]{set: o.set, null: o.null}
	}
	return Set(f(o.value))
}
