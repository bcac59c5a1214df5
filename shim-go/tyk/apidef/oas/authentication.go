package oas

import (
	"github.com/TykTechnologies/tyk/apidef"
)

// Authentication configures client authentication for the API.
type Authentication struct {
	// Enabled protects the API (Classic: !use_keyless).
	Enabled bool `bson:"enabled" json:"enabled"`
	// StripAuthorizationData removes credentials before proxying (Classic: strip_auth_data).
	StripAuthorizationData bool `bson:"stripAuthorizationData,omitempty" json:"stripAuthorizationData,omitempty"`
	// BaseIdentityProvider picks the session source with multiple auth methods.
	BaseIdentityProvider apidef.AuthTypeEnum `bson:"baseIdentityProvider,omitempty" json:"baseIdentityProvider,omitempty"`
	HMAC                 *HMAC               `bson:"hmac,omitempty" json:"hmac,omitempty"`
	OIDC                 *OIDC               `bson:"oidc,omitempty" json:"oidc,omitempty"`
	// Custom configures custom plugin authentication (Classic: custom_middleware.auth_check).
	Custom *CustomPluginAuthentication `bson:"custom,omitempty" json:"custom,omitempty"`
	// SecuritySchemes holds Tyk settings per OpenAPI security scheme name.
	// Values decode as generic JSON maps.
	SecuritySchemes   SecuritySchemes    `bson:"securitySchemes,omitempty" json:"securitySchemes,omitempty"`
	CustomKeyLifetime *CustomKeyLifetime `bson:"customKeyLifetime,omitempty" json:"customKeyLifetime,omitempty"`
}

// SecuritySchemes maps security scheme names to their Tyk configuration
// (*Token, *JWT, *Basic, ... or generic maps after decoding).
type SecuritySchemes map[string]interface{}

// CustomKeyLifetime bounds how long keys are kept (Classic: session_lifetime).
type CustomKeyLifetime struct {
	Enabled         bool             `bson:"enabled,omitempty" json:"enabled,omitempty"`
	Value           ReadableDuration `bson:"value" json:"value"`
	RespectValidity bool             `bson:"respectValidity,omitempty" json:"respectValidity,omitempty"`
}

// AuthSources lists where a credential may be read from.
type AuthSources struct {
	Header *AuthSource `bson:"header,omitempty" json:"header,omitempty"`
	Cookie *AuthSource `bson:"cookie,omitempty" json:"cookie,omitempty"`
	Query  *AuthSource `bson:"query,omitempty" json:"query,omitempty"`
}

// AuthSource is one credential location.
type AuthSource struct {
	Enabled bool   `bson:"enabled" json:"enabled"`
	Name    string `bson:"name,omitempty" json:"name,omitempty"`
}

// Signature configures token signature validation.
type Signature struct {
	Enabled          bool       `bson:"enabled" json:"enabled"`
	Algorithm        string     `bson:"algorithm,omitempty" json:"algorithm,omitempty"`
	Header           string     `bson:"header,omitempty" json:"header,omitempty"`
	Query            AuthSource `bson:"query,omitempty" json:"query,omitempty"`
	Secret           string     `bson:"secret,omitempty" json:"secret,omitempty"`
	AllowedClockSkew int64      `bson:"allowedClockSkew,omitempty" json:"allowedClockSkew,omitempty"`
	ErrorCode        int        `bson:"errorCode,omitempty" json:"errorCode,omitempty"`
	ErrorMessage     string     `bson:"errorMessage,omitempty" json:"errorMessage,omitempty"`
}

// Token configures auth-token (API key) authentication.
type Token struct {
	Enabled                 bool `bson:"enabled" json:"enabled"`
	AuthSources             `bson:",inline" json:",inline"`
	EnableClientCertificate bool       `bson:"enableClientCertificate,omitempty" json:"enableClientCertificate,omitempty"`
	Signature               *Signature `bson:"signatureValidation,omitempty" json:"signatureValidation,omitempty"`
}

// JWT configures JSON Web Token authentication.
type JWT struct {
	Enabled                    bool `bson:"enabled" json:"enabled"`
	AuthSources                `bson:",inline" json:",inline"`
	Source                     string   `bson:"source,omitempty" json:"source,omitempty"`
	SigningMethod              string   `bson:"signingMethod,omitempty" json:"signingMethod,omitempty"`
	IdentityBaseField          string   `bson:"identityBaseField,omitempty" json:"identityBaseField,omitempty"`
	SkipKid                    bool     `bson:"skipKid,omitempty" json:"skipKid,omitempty"`
	PolicyFieldName            string   `bson:"policyFieldName,omitempty" json:"policyFieldName,omitempty"`
	ClientBaseField            string   `bson:"clientBaseField,omitempty" json:"clientBaseField,omitempty"`
	Scopes                     *Scopes  `bson:"scopes,omitempty" json:"scopes,omitempty"`
	DefaultPolicies            []string `bson:"defaultPolicies,omitempty" json:"defaultPolicies,omitempty"`
	IssuedAtValidationSkew     uint64   `bson:"issuedAtValidationSkew,omitempty" json:"issuedAtValidationSkew,omitempty"`
	NotBeforeValidationSkew    uint64   `bson:"notBeforeValidationSkew,omitempty" json:"notBeforeValidationSkew,omitempty"`
	ExpiresAtValidationSkew    uint64   `bson:"expiresAtValidationSkew,omitempty" json:"expiresAtValidationSkew,omitempty"`
	IDPClientIDMappingDisabled bool     `bson:"idpClientIdMappingDisabled,omitempty" json:"idpClientIdMappingDisabled,omitempty"`
}

// Basic configures HTTP basic authentication.
type Basic struct {
	Enabled                    bool `bson:"enabled" json:"enabled"`
	AuthSources                `bson:",inline" json:",inline"`
	DisableCaching             bool                        `bson:"disableCaching,omitempty" json:"disableCaching,omitempty"`
	CacheTTL                   int                         `bson:"cacheTTL,omitempty" json:"cacheTTL,omitempty"`
	ExtractCredentialsFromBody *ExtractCredentialsFromBody `bson:"extractCredentialsFromBody,omitempty" json:"extractCredentialsFromBody,omitempty"`
}

// ExtractCredentialsFromBody reads basic-auth credentials from the body.
type ExtractCredentialsFromBody struct {
	Enabled        bool   `bson:"enabled" json:"enabled"`
	UserRegexp     string `bson:"userRegexp,omitempty" json:"userRegexp,omitempty"`
	PasswordRegexp string `bson:"passwordRegexp,omitempty" json:"passwordRegexp,omitempty"`
}

// HMAC configures HMAC request signature authentication.
type HMAC struct {
	Enabled           bool `bson:"enabled" json:"enabled"`
	AuthSources       `bson:",inline" json:",inline"`
	AllowedAlgorithms []string `bson:"allowedAlgorithms,omitempty" json:"allowedAlgorithms,omitempty"`
	AllowedClockSkew  float64  `bson:"allowedClockSkew,omitempty" json:"allowedClockSkew,omitempty"`
}

// OIDC configures OpenID Connect authentication (deprecated in Tyk 5.7).
type OIDC struct {
	Enabled             bool `bson:"enabled" json:"enabled"`
	AuthSources         `bson:",inline" json:",inline"`
	SegregateByClientId bool       `bson:"segregateByClientId,omitempty" json:"segregateByClientId,omitempty"`
	Providers           []Provider `bson:"providers,omitempty" json:"providers,omitempty"`
	Scopes              *Scopes    `bson:"scopes,omitempty" json:"scopes,omitempty"`
}

// Provider is an OIDC issuer and its client-to-policy mappings.
type Provider struct {
	Issuer                string           `bson:"issuer,omitempty" json:"issuer,omitempty"`
	ClientToPolicyMapping []ClientToPolicy `bson:"clientToPolicyMapping,omitempty" json:"clientToPolicyMapping,omitempty"`
}

// ClientToPolicy maps a client ID to a policy ID.
type ClientToPolicy struct {
	ClientID string `bson:"clientId,omitempty" json:"clientId,omitempty"`
	PolicyID string `bson:"policyId,omitempty" json:"policyId,omitempty"`
}

// Scopes maps token scopes to policies.
type Scopes struct {
	ClaimName            string          `bson:"claimName,omitempty" json:"claimName,omitempty"`
	ScopeToPolicyMapping []ScopeToPolicy `bson:"scopeToPolicyMapping,omitempty" json:"scopeToPolicyMapping,omitempty"`
}

// ScopeToPolicy maps one scope to a policy ID.
type ScopeToPolicy struct {
	Scope    string `bson:"scope,omitempty" json:"scope,omitempty"`
	PolicyID string `bson:"policyId,omitempty" json:"policyId,omitempty"`
}

// CustomPluginAuthentication configures authentication by a custom plugin.
type CustomPluginAuthentication struct {
	// Enabled turns custom plugin auth on (Classic: custom_plugin_auth_enabled).
	Enabled bool `bson:"enabled" json:"enabled"`
	// Config names the auth plugin (Classic: custom_middleware.auth_check).
	Config *AuthenticationPlugin `bson:"config,omitempty" json:"config,omitempty"`
	// AuthSources says where the credential is read from (coprocess drivers).
	AuthSources `bson:",inline" json:",inline"`
}

// AuthenticationPlugin names the custom authentication function.
type AuthenticationPlugin struct {
	Enabled        bool         `bson:"enabled" json:"enabled"`
	FunctionName   string       `bson:"functionName" json:"functionName"`
	Path           string       `bson:"path" json:"path"`
	RawBodyOnly    bool         `bson:"rawBodyOnly,omitempty" json:"rawBodyOnly,omitempty"`
	RequireSession bool         `bson:"requireSession,omitempty" json:"requireSession,omitempty"`
	IDExtractor    *IDExtractor `bson:"idExtractor,omitempty" json:"idExtractor,omitempty"`
}

// IDExtractor configures session ID caching for coprocess auth.
type IDExtractor struct {
	Enabled bool                     `bson:"enabled" json:"enabled"`
	Source  apidef.IdExtractorSource `bson:"source" json:"source"`
	With    apidef.IdExtractorType   `bson:"with" json:"with"`
	Config  *IDExtractorConfig       `bson:"config" json:"config"`
}

// IDExtractorConfig holds the settings of the chosen ID extractor.
type IDExtractorConfig struct {
	HeaderName       string `bson:"headerName,omitempty" json:"headerName,omitempty"`
	FormParamName    string `bson:"formParamName,omitempty" json:"formParamName,omitempty"`
	Regexp           string `bson:"regexp,omitempty" json:"regexp,omitempty"`
	RegexpMatchIndex int    `bson:"regexpMatchIndex,omitempty" json:"regexpMatchIndex,omitempty"`
	XPathExp         string `bson:"xPathExp,omitempty" json:"xPathExp,omitempty"`
}
