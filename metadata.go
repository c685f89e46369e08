package paragon

import (
	"context"
	"fmt"

	"github.com/paragon-go/paragon/internal/pathutil"
)

// IntegrationMetadata is an integration's display data (GET /sdk/metadata).
type IntegrationMetadata struct {
	// Type is the integration's short name, e.g. "close".
	Type string `json:"type"`
	// Name is its display name, e.g. "Close".
	Name string `json:"name"`
	// BrandColor is a #RRGGBB colour.
	BrandColor string `json:"brandColor,omitzero"`
	// Icon is the URL of its icon.
	Icon string `json:"icon,omitzero"`
}

// GetIntegrationMetadata returns the name, brand colour and icon of the
// project's integrations (GET /sdk/metadata): all of them when
// integrationType is "", or the one of that type (an unknown type fails with
// [ErrIntegrationNotFound]).
//
// Docs: https://docs.useparagon.com/apis/api-reference
func (u *User) GetIntegrationMetadata(ctx context.Context, integrationType string, opts ...CallOption) ([]IntegrationMetadata, error) {
	if integrationType != "" {
		if err := pathutil.Integration(integrationType); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidInput, err)
		}
	}
	resp, err := u.do(ctx, &apiRequest{
		svc: ServiceAPI, method: "GET", path: u.projectPath("/sdk/metadata"), template: "/sdk/metadata",
	}, opts)
	if err != nil {
		return nil, err
	}
	var list []IntegrationMetadata
	if err := decodeJSON(resp, "GetIntegrationMetadata", &list); err != nil {
		return nil, err
	}
	if integrationType == "" {
		return list, nil
	}
	for _, m := range list {
		if m.Type == integrationType {
			return []IntegrationMetadata{m}, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrIntegrationNotFound, integrationType)
}
