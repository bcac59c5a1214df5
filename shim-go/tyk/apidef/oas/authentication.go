package oas

import (
	"errors"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/getkin/kin-openapi/openapi3"
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
	SecuritySchemes           SecuritySchemes            `bson:"securitySchemes,omitempty" json:"securitySchemes,omitempty"`
	CustomKeyLifetime         *CustomKeyLifetime         `bson:"customKeyLifetime,omitempty" json:"customKeyLifetime,omitempty"`
	SecurityProcessingMode    string                     `bson:"securityProcessingMode,omitempty" json:"securityProcessingMode,omitempty"`
	Security                  [][]string                 `bson:"security,omitempty" json:"security,omitempty"`
	ProtectedResourceMetadata *ProtectedResourceMetadata `bson:"protectedResourceMetadata,omitempty" json:"protectedResourceMetadata,omitempty"`
	CertificateAuth           *CertificateAuth           `bson:"certificateAuth,omitempty" json:"certificateAuth,omitempty"`
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
	Enabled                 *bool `bson:"enabled" json:"enabled"`
	AuthSources             `bson:",inline" json:",inline"`
	EnableClientCertificate bool       `bson:"enableClientCertificate,omitempty" json:"enableClientCertificate,omitempty"`
	Signature               *Signature `bson:"signatureValidation,omitempty" json:"signatureValidation,omitempty"`
}

// JWT configures JSON Web Token authentication.
type JWT struct {
	Enabled                    bool `bson:"enabled" json:"enabled"`
	AuthSources                `bson:",inline" json:",inline"`
	Source                     string                                 `bson:"source,omitempty" json:"source,omitempty"`
	JwksURIs                   []JWK                                  `bson:"jwksURIs,omitempty" json:"jwksURIs,omitempty"`
	SigningMethod              string                                 `bson:"signingMethod,omitempty" json:"signingMethod,omitempty"`
	IdentityBaseField          string                                 `bson:"identityBaseField,omitempty" json:"identityBaseField,omitempty"`
	SubjectClaims              []string                               `bson:"subjectClaims,omitempty" json:"subjectClaims,omitempty"`
	SkipKid                    bool                                   `bson:"skipKid,omitempty" json:"skipKid,omitempty"`
	PolicyFieldName            string                                 `bson:"policyFieldName,omitempty" json:"policyFieldName,omitempty"`
	BasePolicyClaims           []string                               `bson:"basePolicyClaims,omitempty" json:"basePolicyClaims,omitempty"`
	ClientBaseField            string                                 `bson:"clientBaseField,omitempty" json:"clientBaseField,omitempty"`
	Scopes                     *Scopes                                `bson:"scopes,omitempty" json:"scopes,omitempty"`
	DefaultPolicies            []string                               `bson:"defaultPolicies,omitempty" json:"defaultPolicies,omitempty"`
	IssuedAtValidationSkew     uint64                                 `bson:"issuedAtValidationSkew,omitempty" json:"issuedAtValidationSkew,omitempty"`
	NotBeforeValidationSkew    uint64                                 `bson:"notBeforeValidationSkew,omitempty" json:"notBeforeValidationSkew,omitempty"`
	ExpiresAtValidationSkew    uint64                                 `bson:"expiresAtValidationSkew,omitempty" json:"expiresAtValidationSkew,omitempty"`
	AllowedIssuers             []string                               `bson:"allowedIssuers,omitempty" json:"allowedIssuers,omitempty"`
	AllowedAudiences           []string                               `bson:"allowedAudiences,omitempty" json:"allowedAudiences,omitempty"`
	JTIValidation              JTIValidation                          `bson:"jtiValidation,omitempty" json:"jtiValidation,omitempty"`
	AllowedSubjects            []string                               `bson:"allowedSubjects,omitempty" json:"allowedSubjects,omitempty"`
	IDPClientIDMappingDisabled bool                                   `bson:"idpClientIdMappingDisabled,omitempty" json:"idpClientIdMappingDisabled,omitempty"`
	CustomClaimValidation      map[string]CustomClaimValidationConfig `bson:"customClaimValidation,omitempty" json:"customClaimValidation,omitempty"`
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
	Claims               []string        `bson:"claims,omitempty" json:"claims,omitempty"`
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

// ProtectedResourceMetadata publishes the API's OAuth protected resource metadata (RFC 9728).
type ProtectedResourceMetadata struct {
	Enabled              bool     `bson:"enabled" json:"enabled"`
	WellKnownPath        string   `bson:"wellKnownPath,omitempty" json:"wellKnownPath,omitempty"`
	Resource             string   `bson:"resource,omitempty" json:"resource,omitempty"`
	AuthorizationServers []string `bson:"authorizationServers,omitempty" json:"authorizationServers,omitempty"`
	ScopesSupported      []string `bson:"scopesSupported,omitempty" json:"scopesSupported,omitempty"`
}

// CertificateAuth turns on client certificate (mTLS) authentication.
type CertificateAuth struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}

// SecurityScheme is a Tyk security scheme that imports an OpenAPI one.
type SecurityScheme interface {
	Import(nativeSS *openapi3.SecurityScheme, enable bool)
}

// Security processing modes (Authentication.SecurityProcessingMode): how
// the OAS security requirements are applied.
const (
	SecurityProcessingModeLegacy    = "legacy"
	SecurityProcessingModeCompliant = "compliant"
)

// DefaultPRMWellKnownPath is where protected resource metadata is served by default.
const DefaultPRMWellKnownPath = ".well-known/oauth-protected-resource"

// ValidateSecurityProcessingMode reports whether mode is "", legacy or compliant.
func ValidateSecurityProcessingMode(mode string) bool {
	return mode == "" || mode == SecurityProcessingModeLegacy || mode == SecurityProcessingModeCompliant
}

// GetDefaultSecurityProcessingMode is the mode used when none is set: legacy.
func GetDefaultSecurityProcessingMode() string { return SecurityProcessingModeLegacy }

// IsMirrorMode reports whether the metadata is mirrored from the upstream:
// enabled, for an MCP API, with neither resource nor authorisation servers set.
func (prm *ProtectedResourceMetadata) IsMirrorMode(isMCP bool) bool {
	return prm != nil && prm.Enabled && prm.Resource == "" && len(prm.AuthorizationServers) == 0 && isMCP
}

// Validate requires, when enabled and not in mirror mode, a resource, and
// for an MCP API at least one authorisation server.
func (prm *ProtectedResourceMetadata) Validate(isMCP bool) error {
	switch {
	case prm == nil || !prm.Enabled || prm.IsMirrorMode(isMCP):
		return nil
	case prm.Resource == "":
		return errors.New("protectedResourceMetadata.resource is required when enabled")
	case isMCP && len(prm.AuthorizationServers) == 0:
		return errors.New("protectedResourceMetadata.authorizationServers must have at least one entry for MCP APIs")
	}
	return nil
}

// GetWellKnownPath is WellKnownPath, or DefaultPRMWellKnownPath when unset.
func (prm *ProtectedResourceMetadata) GetWellKnownPath() string {
	if prm == nil || prm.WellKnownPath == "" {
		return DefaultPRMWellKnownPath
	}
	return prm.WellKnownPath
}
