package paragon

import (
	"context"
	"fmt"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// ConnectResource connects one of the project's User-Level API Resources
// for the user with the values it requires (for example
// {"access_token": "…", "refresh_token": "…"}): POST
// /sdk/resources/{resourceId}/connect with values as the JSON body. Like
// the browser SDK's connectAction it takes the resource's slug and looks its
// ID up in the user's state (GET /sdk/me "resources", briefly cached); an
// unknown slug fails with [ErrNotFound] before the POST. It returns the
// resulting credential. The values are secrets; they are never logged.
//
// Docs: https://docs.useparagon.com/workflows/api-resources
func (u *User) ConnectResource(ctx context.Context, slug string, values map[string]any, opts ...CallOption) (*Credential, error) {
	if err := u.usable(); err != nil {
		return nil, err
	}
	if err := checkName("resource slug", slug, pathutil.MaxSegment); err != nil {
		return nil, err
	}
	if len(values) == 0 {
		return nil, invalid("no values for resource %q", slug)
	}
	raw, err := marshalBody(values)
	if err != nil {
		return nil, err
	}
	if _, err := applyCallOptions(opts); err != nil {
		return nil, err
	}
	id, err := u.resourceID(ctx, slug, opts)
	if err != nil {
		return nil, err
	}
	seg, err := pathutil.Segment("resource ID", id)
	if err != nil {
		return nil, fmt.Errorf("paragon: Paragon returned an unusable resource ID: %w", err)
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "POST", path: u.projectPath("/sdk/resources/" + seg + "/connect"),
		template: "/sdk/resources/{resource}/connect", rawBody: raw, ctype: "application/json",
	}, opts)
	u.forget()
	if err != nil {
		return nil, err
	}
	cred := new(Credential)
	if err := decodeJSON(resp, "ConnectResource", cred); err != nil {
		return nil, err
	}
	return cred, nil
}

// resourceID finds the ID of the resource with slug in the user's state,
// reading it again once when the cached state does not have it.
func (u *User) resourceID(ctx context.Context, slug string, opts []CallOption) (string, error) {
	for fresh := false; ; fresh = true {
		st, err := u.state(ctx, fresh, opts)
		if err != nil {
			return "", err
		}
		for _, r := range st.Resources {
			if r.Slug == slug && r.ID != "" {
				return r.ID, nil
			}
		}
		if fresh {
			return "", fmt.Errorf("%w: the project has no API resource %q for the user", ErrNotFound, slug)
		}
	}
}
