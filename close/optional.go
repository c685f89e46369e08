package close

import "encoding/json"

// Optional is a field of an update (ContactUpdate, LeadUpdate,
// OpportunityUpdate) with three states: unset (the zero value; the field is
// left out of the request), set to a value ([Set]), or set to null ([Null],
// which clears the field in Close). It lets an update send a zero value such
// as "" or 0 on purpose while never sending one by accident.
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

// Null returns an Optional that sends JSON null, clearing the field.
//
// See https://developer.close.com/api/overview.
func Null[T any]() Optional[T] {
	return Optional[T]{set: true, null: true}
}

// IsZero reports whether o is unset; encoding/json's omitzero uses it to
// leave unset fields out.
func (o Optional[T]) IsZero() bool { return !o.set }

// IsNull reports whether o is set to null.
func (o Optional[T]) IsNull() bool { return o.set && o.null }

// Get returns the value and whether o holds one (false when unset or null).
func (o Optional[T]) Get() (T, bool) {
	return o.value, o.set && !o.null
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
