package oas

import (
	tyktime "github.com/TykTechnologies/tyk/internal/time"
)

// JWK is a JWKS endpoint and how long its keys are cached.
type JWK struct {
	URL          string                   `json:"url"`
	CacheTimeout tyktime.ReadableDuration `bson:"cacheTimeout" json:"cacheTimeout"`
}

// CustomClaimValidationConfig validates one JWT claim.
type CustomClaimValidationConfig struct {
	Type          CustomClaimValidationType `bson:"type" json:"type"`
	AllowedValues []interface{}             `bson:"allowedValues,omitempty" json:"allowedValues,omitempty"`
	NonBlocking   bool                      `bson:"nonBlocking,omitempty" json:"nonBlocking,omitempty"`
}

// CustomClaimValidationType is how a claim is validated: required, exact match, contains.
type CustomClaimValidationType string

// JTIValidation refuses JWTs whose jti was seen before.
type JTIValidation struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}

// OAuth is the Tyk OAuth 2.0 authorisation server security scheme.
type OAuth struct {
	Enabled               bool `bson:"enabled" json:"enabled"`
	AuthSources           `bson:",inline" json:",inline"`
	AllowedAuthorizeTypes []string       `bson:"allowedAuthorizeTypes,omitempty" json:"allowedAuthorizeTypes,omitempty"`
	RefreshToken          bool           `bson:"refreshToken,omitempty" json:"refreshToken,omitempty"`
	AuthLoginRedirect     string         `bson:"authLoginRedirect,omitempty" json:"authLoginRedirect,omitempty"`
	Notifications         *Notifications `bson:"notifications,omitempty" json:"notifications,omitempty"`
}

// OAuthProvider is an external OAuth provider: JWT validation or introspection.
type OAuthProvider struct {
	JWT           *JWTValidation `bson:"jwt,omitempty" json:"jwt,omitempty"`
	Introspection *Introspection `bson:"introspection,omitempty" json:"introspection,omitempty"`
}

// JWTValidation validates tokens of an external OAuth provider as JWTs.
type JWTValidation struct {
	Enabled                 bool   `bson:"enabled" json:"enabled"`
	SigningMethod           string `bson:"signingMethod" json:"signingMethod"`
	Source                  string `bson:"source" json:"source"`
	IdentityBaseField       string `bson:"identityBaseField,omitempty" json:"identityBaseField,omitempty"`
	IssuedAtValidationSkew  uint64 `bson:"issuedAtValidationSkew,omitempty" json:"issuedAtValidationSkew,omitempty"`
	NotBeforeValidationSkew uint64 `bson:"notBeforeValidationSkew,omitempty" json:"notBeforeValidationSkew,omitempty"`
	ExpiresAtValidationSkew uint64 `bson:"expiresAtValidationSkew,omitempty" json:"expiresAtValidationSkew,omitempty"`
}

// Introspection validates tokens of an external OAuth provider by introspection.
type Introspection struct {
	Enabled           bool                `bson:"enabled" json:"enabled"`
	URL               string              `bson:"url" json:"url"`
	ClientID          string              `bson:"clientId" json:"clientId"`
	ClientSecret      string              `bson:"clientSecret" json:"clientSecret"`
	IdentityBaseField string              `bson:"identityBaseField,omitempty" json:"identityBaseField,omitempty"`
	Cache             *IntrospectionCache `bson:"cache,omitempty" json:"cache,omitempty"`
}

// IntrospectionCache caches introspection results.
type IntrospectionCache struct {
	Enabled bool  `bson:"enabled" json:"enabled"`
	Timeout int64 `bson:"timeout" json:"timeout"`
}

// ExternalOAuth authenticates with tokens of external OAuth providers.
type ExternalOAuth struct {
	Enabled     bool `bson:"enabled" json:"enabled"`
	AuthSources `bson:",inline" json:",inline"`
	Providers   []OAuthProvider `bson:"providers" json:"providers"`
}

// Notifications configures OAuth key-change notifications.
type Notifications struct {
	SharedSecret   string `bson:"sharedSecret,omitempty" json:"sharedSecret,omitempty"`
	OnKeyChangeURL string `bson:"onKeyChangeUrl,omitempty" json:"onKeyChangeUrl,omitempty"`
}

// Claim validation types.
const (
	ClaimValidationTypeRequired   CustomClaimValidationType = "required"
	ClaimValidationTypeExactMatch CustomClaimValidationType = "exact_match"
	ClaimValidationTypeContains   CustomClaimValidationType = "contains"
)

// Normalize copies the first of the list settings into the single ones Tyk
// 5.x reads: BasePolicyClaims to PolicyFieldName, SubjectClaims to
// IdentityBaseField, Scopes.Claims to Scopes.ClaimName.
func (j *JWT) Normalize() {
	if j == nil {
		return
	}
	if len(j.BasePolicyClaims) > 0 {
		j.PolicyFieldName = j.BasePolicyClaims[0]
	}
	if len(j.SubjectClaims) > 0 {
		j.IdentityBaseField = j.SubjectClaims[0]
	}
	if j.Scopes != nil && len(j.Scopes.Claims) > 0 {
		j.Scopes.ClaimName = j.Scopes.Claims[0]
	}
}
