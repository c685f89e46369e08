package close

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Time is a Close timestamp. It decodes every layout Close sends: RFC 3339
// with an offset ("2025-09-04T14:22:09.518000+00:00" on objects), and the
// offset-less form of the event log and webhooks
// ("2025-09-04T14:22:09.518000"), which is taken as UTC; fractional seconds
// are optional. JSON null and "" decode to the zero Time. It encodes as RFC
// 3339 with at most microseconds, and the zero Time as null.
//
// See https://developer.close.com/api/overview/fields.
type Time struct {
	time.Time
}

// timeLayouts are tried in order; the offset-less ones parse as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// wireTimeLayout is how a Time is sent to Close.
const wireTimeLayout = "2006-01-02T15:04:05.999999Z07:00"

// ParseTime parses a Close timestamp (see [Time]).
//
// See https://developer.close.com/api/overview/fields.
func ParseTime(s string) (Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 64 {
		return Time{}, errors.New("close: timestamp too long")
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return Time{t}, nil
		}
	}
	return Time{}, fmt.Errorf("close: unrecognised timestamp %q", s)
}

// UnmarshalJSON decodes a Close timestamp, null or "".
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*t = Time{}
		return nil
	}
	s, err := jsonString(b)
	if err != nil {
		return fmt.Errorf("close: timestamp is not a string: %w", err)
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	p, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// MarshalJSON encodes t in RFC 3339 with up to microseconds, or null when zero.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("close: year %d outside 0..9999", y)
	}
	return json.Marshal(t.Format(wireTimeLayout))
}

// MarshalText formats t like its JSON form; the zero Time is empty.
func (t Time) MarshalText() ([]byte, error) {
	if t.IsZero() {
		return []byte{}, nil
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("close: year %d outside 0..9999", y)
	}
	return []byte(t.Format(wireTimeLayout)), nil
}

// UnmarshalText parses any layout [ParseTime] accepts; empty is the zero Time.
func (t *Time) UnmarshalText(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		*t = Time{}
		return nil
	}
	p, err := ParseTime(string(b))
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// String formats t like its JSON form, or "" when zero.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.Format(wireTimeLayout)
}

// Date is a calendar date without a time or zone, as Close's date_won
// ("2025-10-01"). The zero Date encodes as null; JSON null and "" decode to
// it.
//
// See https://developer.close.com/api/resources/opportunities.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// dateLayout is Close's date-only layout.
const dateLayout = "2006-01-02"

// NewDate returns the date year-month-day. Out-of-range values normalise the
// way time.Date does (October 32 is November 1).
//
// See https://developer.close.com/api/overview/fields.
func NewDate(year int, month time.Month, day int) Date {
	return DateOf(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the date of t in t's location.
//
// See https://developer.close.com/api/overview/fields.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "2006-01-02". For tolerance it also accepts a full
// timestamp and keeps its date.
//
// See https://developer.close.com/api/overview/fields.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(dateLayout, s); err == nil {
		return DateOf(t), nil
	}
	if len(s) > len(dateLayout) {
		if t, err := ParseTime(s); err == nil {
			return DateOf(t.Time), nil
		}
	}
	return Date{}, fmt.Errorf("close: unrecognised date %q", s)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "2006-01-02", or "" when zero.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Before reports whether d comes before o.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date {
	return DateOf(d.In(time.UTC).AddDate(0, 0, n))
}

// UnmarshalJSON decodes "2006-01-02", null or "".
func (d *Date) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("close: date is not a string: %w", err)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// MarshalJSON encodes d as "2006-01-02", or null when zero.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	if d.Year < 0 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 {
		return nil, fmt.Errorf("close: invalid date %d-%d-%d", d.Year, int(d.Month), d.Day)
	}
	return json.Marshal(d.String())
}

// jsonString decodes the JSON string b, without encoding/json for the
// common case of a string without escapes.
func jsonString(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0 && bytes.IndexByte(b[1:len(b)-1], '"') < 0 {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}
