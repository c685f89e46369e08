package paragon

import "strings"

// Audience returns the aud claim the user's calls carry: the client's
// audience ("useparagon.com/<projectID>" on US cloud, or the handle's own
// from WithTokenAudience, or none with WithoutAudience) for a User made with
// [Client.User], or the aud of the token given to [Client.Authenticate]
// (the first one when it is an array). It returns "" when the token has no
// aud, or for a nil or unusable User. Managed Sync, the Permissions API and
// the Agent OS Context API refuse tokens without it.
func (u *User) Audience() string {
	if u == nil || u.c == nil || u.err != nil {
		return ""
	}
	if u.token == "" {
		return u.variant.Audience(u.c.audience)
	}
	parts := strings.Split(u.token, ".")
	if len(parts) != 3 {
		return ""
	}
	var claims struct {
		Aud any `json:"aud"`
	}
	b, err := decodeSegment(parts[1])
	if err != nil || decodeObject(b, &claims) != nil {
		return ""
	}
	switch a := claims.Aud.(type) {
	case string:
		return a
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok && s != "" {
				return s
			}
		}
	}
	return ""
}
