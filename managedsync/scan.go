package managedsync

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// topLevelIDs reads the string values of the top-level keys "id" and
// "externalId" (exactly; the last one wins, as in encoding/json) of b, a JSON object that is already known to be valid (the
// page decoder checked it), without decoding the rest. A value that is not
// a string is left empty, as json.Unmarshal into a string field would
// refuse it; ok is false when b is not an object.
func topLevelIDs(b []byte) (id, externalID string, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return "", "", false
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return id, externalID, false
		}
		if b[i] == '}' {
			return id, externalID, true
		}
		if b[i] == ',' {
			i++
			continue
		}
		if b[i] != '"' {
			return id, externalID, false
		}
		end := skipString(b, i)
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			if json.Unmarshal(b[i:end], &k) != nil {
				return id, externalID, false
			}
			key = []byte(k)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return id, externalID, false
		}
		i = skipSpace(b, i+1)
		vend := skipValue(b, i)
		if vend <= i {
			return id, externalID, false
		}
		if b[i] == '"' {
			switch string(key) {
			case "id":
				id = unquote(b[i:vend])
			case "externalId":
				externalID = unquote(b[i:vend])
			}
		}
		i = vend
	}
}

func unquote(s []byte) string {
	inner := s[1 : len(s)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var out string
	_ = json.Unmarshal(s, &out)
	return out
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	return j
}
