package close

import (
	"fmt"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The UnmarshalJSONFrom methods let jsonv2 (how the package decodes Close's
// answers, see scan.go) decode these types straight from its token stream.
// Without them it would cut each value out first and hand it to the
// UnmarshalJSON method, which decoded it again with encoding/json: that
// second decoder was a tenth of a lead page's decoding time.

// UnmarshalJSONFrom decodes o from dec: null, or a T.
func (o *Optional[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		*o = Null[T]()
		return nil
	}
	var v T
	if err := jsonv2.UnmarshalDecode(dec, &v); err != nil {
		return err
	}
	*o = Set(v)
	return nil
}

// UnmarshalJSONFrom decodes a Close timestamp, null or "" from dec.
func (t *Time) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	s, ok, err := readString(dec, "timestamp")
	if err != nil || !ok {
		*t = Time{}
		return err
	}
	p, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// UnmarshalJSONFrom decodes "2006-01-02", null or "" from dec.
func (d *Date) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	s, ok, err := readString(dec, "date")
	if err != nil || !ok {
		*d = Date{}
		return err
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// readString reads a JSON string from dec; ok is false for null and "".
// Any other kind of value is an error naming what.
func readString(dec *jsontext.Decoder, what string) (s string, ok bool, err error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return "", false, err
	}
	switch tok.Kind() {
	case 'n':
		return "", false, nil
	case '"':
		s = tok.String()
		return s, s != "", nil
	}
	return "", false, fmt.Errorf("close: %s is not a string", what)
}
