package close_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon/close"
)

func TestTimeDecodesEveryLayout(t *testing.T) {
	t.Parallel()
	utc := func(ns int) time.Time { return time.Date(2025, 9, 4, 14, 22, 9, ns, time.UTC) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{`"2025-09-04T14:22:09.518000+00:00"`, utc(518000000)},
		{`"2025-09-04T14:22:09+00:00"`, utc(0)},
		{`"2025-09-04T14:22:09Z"`, utc(0)},
		{`"2025-09-04T16:22:09.5+02:00"`, utc(500000000)},
		{`"2025-09-04T14:22:09.518000"`, utc(518000000)}, // event log: no offset, UTC
		{`"2025-09-04T14:22:09"`, utc(0)},
		{`"2025-09-04 14:22:09.000001"`, utc(1000)},
		{`"2025-09-04T14:22:09.123456789Z"`, utc(123456789)},
		{`null`, time.Time{}},
		{`""`, time.Time{}},
	}
	for _, tt := range tests {
		var got close.Time
		require.NoError(t, json.Unmarshal([]byte(tt.in), &got), tt.in)
		assert.True(t, tt.want.Equal(got.Time), "%s: got %v", tt.in, got)
		assert.Equal(t, tt.want.IsZero(), got.IsZero())
	}
	for _, bad := range []string{`"yesterday"`, `"2025-09-04"`, `"2025-13-04T00:00:00Z"`, `12`, `"2025-09-04T14:22:09+25:00"`} {
		var got close.Time
		assert.Error(t, json.Unmarshal([]byte(bad), &got), bad)
	}
}

func TestTimeEncodes(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(close.Time{Time: time.Date(2025, 9, 4, 14, 22, 9, 518000999, time.UTC)})
	require.NoError(t, err)
	assert.JSONEq(t, `"2025-09-04T14:22:09.518Z"`, string(b))
	b, err = json.Marshal(close.Time{})
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	type wrap struct {
		T close.Time `json:"t,omitzero"`
	}
	b, err = json.Marshal(wrap{})
	require.NoError(t, err)
	assert.Equal(t, "{}", string(b))
}

func TestDate(t *testing.T) {
	t.Parallel()
	var d close.Date
	require.NoError(t, json.Unmarshal([]byte(`"2025-10-01"`), &d))
	assert.Equal(t, close.NewDate(2025, time.October, 1), d)
	assert.Equal(t, "2025-10-01", d.String())
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.Equal(t, `"2025-10-01"`, string(b))

	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.True(t, d.IsZero())
	b, err = json.Marshal(d)
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	require.NoError(t, json.Unmarshal([]byte(`""`), &d))
	assert.True(t, d.IsZero())
	require.NoError(t, json.Unmarshal([]byte(`"2025-10-01T23:30:00+00:00"`), &d), "a timestamp keeps its date")
	assert.Equal(t, close.NewDate(2025, 10, 1), d)
	for _, bad := range []string{`"2025-02-30"`, `"10/01/2025"`, `1`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &d), bad)
	}
	_, err = json.Marshal(close.Date{Year: 2025, Month: 13, Day: 1})
	assert.Error(t, err)

	assert.Equal(t, close.NewDate(2025, 11, 1), close.NewDate(2025, 10, 32))
	assert.Equal(t, close.NewDate(2026, 1, 1), close.NewDate(2025, 12, 31).AddDays(1))
	assert.True(t, close.NewDate(2025, 1, 31).Before(close.NewDate(2025, 2, 1)))
	assert.False(t, close.NewDate(2025, 2, 1).Before(close.NewDate(2025, 2, 1)))
	assert.Equal(t, close.NewDate(2025, 3, 1), close.DateOf(time.Date(2025, 3, 1, 23, 0, 0, 0, time.FixedZone("X", -5*3600))))
	assert.Equal(t, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), close.NewDate(2025, 3, 1).In(time.UTC))
}

func TestOptional(t *testing.T) {
	t.Parallel()
	var unset close.Optional[string]
	assert.True(t, unset.IsZero())
	_, ok := unset.Get()
	assert.False(t, ok)
	n := close.Null[int]()
	assert.True(t, n.IsNull())
	assert.False(t, n.IsZero())
	v, ok := close.Set(0).Get()
	assert.True(t, ok)
	assert.Equal(t, 0, v)

	var o close.Optional[int]
	require.NoError(t, json.Unmarshal([]byte(`null`), &o))
	assert.True(t, o.IsNull())
	require.NoError(t, json.Unmarshal([]byte(`5`), &o))
	v, _ = o.Get()
	assert.Equal(t, 5, v)
	assert.Error(t, json.Unmarshal([]byte(`"x"`), &o))
}

func TestCustomFieldHelpers(t *testing.T) {
	t.Parallel()
	var c close.Contact
	require.NoError(t, json.Unmarshal([]byte(`{"custom.cf_n": 42, "custom.cf_big": 9007199254740993, "custom.cf_f": 1.5,
		"custom.cf_s": "x", "custom.cf_list": ["a", 1], "custom.": 1, "custom": {"Name": "v"}}`), &c))
	n, ok := c.Custom.Int("cf_n")
	assert.True(t, ok)
	assert.Equal(t, int64(42), n)
	big, ok := c.Custom.Int("cf_big")
	assert.True(t, ok)
	assert.Equal(t, int64(9007199254740993), big, "numbers keep their precision")
	_, ok = c.Custom.Int("cf_f")
	assert.False(t, ok)
	s, ok := c.Custom.List("cf_s")
	assert.True(t, ok)
	assert.Equal(t, []string{"x"}, s)
	_, ok = c.Custom.List("cf_list")
	assert.False(t, ok)
	_, ok = c.CustomFloat("cf_s")
	assert.False(t, ok)
	assert.Len(t, c.Custom, 5, "bare custom. and the deprecated custom object are not custom fields")

	f, ok := close.CustomFields{"cf_i": 3}.Float("cf_i")
	assert.True(t, ok)
	assert.InDelta(t, 3.0, f, 0)
	i, ok := close.CustomFields{"cf_i": 3.0}.Int("cf_i")
	assert.True(t, ok)
	assert.Equal(t, int64(3), i)
	l, ok := close.CustomFields{"cf_l": []string{"a"}}.List("cf_l")
	assert.True(t, ok)
	assert.Equal(t, []string{"a"}, l)
}

func TestTimeText(t *testing.T) {
	t.Parallel()
	var tm close.Time
	require.NoError(t, tm.UnmarshalText([]byte("2025-10-01T17:45:03.112000")))
	assert.Equal(t, time.Date(2025, 10, 1, 17, 45, 3, 112000000, time.UTC), tm.Time)
	b, err := tm.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "2025-10-01T17:45:03.112Z", string(b))
	assert.Equal(t, "2025-10-01T17:45:03.112Z", tm.String())
	require.NoError(t, tm.UnmarshalText(nil))
	assert.True(t, tm.IsZero())
	assert.Empty(t, tm.String())
	b, err = tm.MarshalText()
	require.NoError(t, err)
	assert.Empty(t, b)
	assert.Error(t, tm.UnmarshalText([]byte("soon")))
	_, err = close.ParseTime(strings.Repeat("9", 65))
	assert.Error(t, err)
	_, err = json.Marshal(close.Time{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	assert.Error(t, err)
}
