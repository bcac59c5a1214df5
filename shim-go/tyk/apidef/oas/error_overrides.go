package oas

import (
	tykerrors "github.com/TykTechnologies/tyk/internal/errors"
)

// ErrorOverrides replaces the gateway's error responses (Tyk 5.12+).
type ErrorOverrides struct {
	Enabled bool              `bson:"enabled" json:"enabled"`
	Value   ErrorOverridesMap `bson:"value,omitempty" json:"value,omitempty"`
}

// ErrorOverridesMap holds error overrides by status code (as text, or a class such as "4xx").
type ErrorOverridesMap map[string][]ErrorOverride

// ErrorOverride replaces an error response when Match matches (always when nil).
type ErrorOverride struct {
	Match    *ErrorMatcher `bson:"match,omitempty" json:"match,omitempty"`
	Response ErrorResponse `bson:"response" json:"response"`
}

// ErrorMatcher says which errors an override applies to.
type ErrorMatcher struct {
	Flag           tykerrors.ResponseFlag `bson:"flag,omitempty" json:"flag,omitempty"`
	MessagePattern string                 `bson:"messagePattern,omitempty" json:"messagePattern,omitempty"`
	BodyField      string                 `bson:"bodyField,omitempty" json:"bodyField,omitempty"`
	BodyValue      string                 `bson:"bodyValue,omitempty" json:"bodyValue,omitempty"`
}

// ErrorResponse is the response an error override sends.
type ErrorResponse struct {
	StatusCode int               `bson:"statusCode" json:"statusCode"`
	Body       string            `bson:"body,omitempty" json:"body,omitempty"`
	Message    string            `bson:"message,omitempty" json:"message,omitempty"`
	Template   string            `bson:"template,omitempty" json:"template,omitempty"`
	Headers    map[string]string `bson:"headers,omitempty" json:"headers,omitempty"`
}
