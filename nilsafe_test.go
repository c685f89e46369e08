package paragon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paragon-go/paragon"
)

// TestNilUserNeverPanics calls every exported method of *paragon.User that
// has a pointer receiver on a nil *User and on a zero User{} (not made by a
// Client): each returns an error matching ErrInvalidInput, or a zero value,
// and none panics. Methods added later are covered too.
func TestNilUserNeverPanics(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[*paragon.User]()
	valueMethods := map[string]bool{}
	vt := reflect.TypeFor[paragon.User]()
	for i := range vt.NumMethod() {
		valueMethods[vt.Method(i).Name] = true // String, Format, …: see TestNilUserFormatting
	}
	for _, recv := range []*paragon.User{nil, {}} {
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			if valueMethods[m.Name] {
				continue
			}
			t.Run(fmt.Sprintf("%v/%s", recv == nil, m.Name), func(t *testing.T) {
				args := []reflect.Value{reflect.ValueOf(recv)}
				for i := 1; i < m.Type.NumIn(); i++ {
					in := m.Type.In(i)
					switch {
					case m.Type.IsVariadic() && i == m.Type.NumIn()-1:
						continue
					case in == reflect.TypeFor[context.Context]():
						args = append(args, reflect.ValueOf(context.Background()))
					case in.Kind() == reflect.String:
						args = append(args, reflect.ValueOf("close").Convert(in))
					default:
						args = append(args, reflect.Zero(in))
					}
				}
				var out []reflect.Value
				require.NotPanics(t, func() { out = m.Func.Call(args) })
				if n := len(out); n > 0 && out[n-1].Type() == reflect.TypeFor[error]() {
					err, _ := out[n-1].Interface().(error)
					require.Error(t, err)
					assert.ErrorIs(t, err, paragon.ErrInvalidInput)
				}
			})
		}
	}
	// Generic helpers taking a *User.
	_, err := paragon.RequestJSON[map[string]any](context.Background(), nil, "close", "/lead/", nil)
	assert.ErrorIs(t, err, paragon.ErrInvalidInput)
}

// TestNilUserFormatting: printing, logging or encoding a nil *User does
// not panic (the formatting methods have value receivers, so that a
// dereferenced User is redacted too; fmt, slog and encoding/json handle a
// nil pointer themselves).
func TestNilUserFormatting(t *testing.T) {
	t.Parallel()
	var u *paragon.User
	assert.NotPanics(t, func() { _ = fmt.Sprintf("%v %+v %#v %s", u, u, u, u) })
	assert.NotPanics(t, func() {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("call", "user", u)
	})
	b, err := json.Marshal(u)
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
}

// TestTypedNilBody: a typed nil reader as a body is ErrInvalidInput, not a
// panic, and nothing is sent.
func TestTypedNilBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.c.User("user-1")
	for _, body := range []any{(*bytes.Buffer)(nil), (*bytes.Reader)(nil), (*strings.Reader)(nil)} {
		_, err := u.Request(t.Context(), "close", "/lead/", &paragon.RequestOptions{Method: "POST", Body: body})
		require.ErrorIs(t, err, paragon.ErrInvalidInput, "%T", body)
		_, err = u.Call(t.Context(), paragon.ServiceAPI, "POST", "/x", &paragon.CallParams{Body: body})
		require.ErrorIs(t, err, paragon.ErrInvalidInput, "%T", body)
	}
	assert.Empty(t, h.requests())
}
