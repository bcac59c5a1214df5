package oas

import (
	tyktime "github.com/TykTechnologies/tyk/internal/time"
)

// OAuth2 is the Tyk OAuth 2.0 resource server security scheme (Tyk 5.13+).
type OAuth2 struct {
	Enabled                   bool `bson:"enabled" json:"enabled"`
	AuthSources               `bson:",inline" json:",inline"`
	ScopeCheck                *OAuth2ScopeCheck    `bson:"scopeCheck,omitempty" json:"scopeCheck,omitempty"`
	ProtectedResourceMetadata *OAuth2PRM           `bson:"protectedResourceMetadata,omitempty" json:"protectedResourceMetadata,omitempty"`
	TokenExchange             *OAuth2TokenExchange `bson:"tokenExchange,omitempty" json:"tokenExchange,omitempty"`
}

// OAuth2PRM publishes OAuth protected resource metadata for an OAuth2 scheme.
type OAuth2PRM struct {
	Enabled              bool     `bson:"enabled" json:"enabled"`
	WellKnownPath        string   `bson:"wellKnownPath,omitempty" json:"wellKnownPath,omitempty"`
	Resource             string   `bson:"resource,omitempty" json:"resource,omitempty"`
	AuthorizationServers []string `bson:"authorizationServers,omitempty" json:"authorizationServers,omitempty"`
	AutoDeriveScopes     *bool    `bson:"autoDeriveScopes,omitempty" json:"autoDeriveScopes,omitempty"`
}

// OAuth2ScopeCheck checks a token's scopes against the operation's.
type OAuth2ScopeCheck struct {
	Enabled     bool     `bson:"enabled" json:"enabled"`
	ClaimNames  []string `bson:"claimNames,omitempty" json:"claimNames,omitempty"`
	Separator   string   `bson:"separator,omitempty" json:"separator,omitempty"`
	ScopeSource string   `bson:"scopeSource,omitempty" json:"scopeSource,omitempty"`
}

// ScopeCheck turns scope checking on or off for one operation.
type ScopeCheck struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}

// OAuth2TokenExchange exchanges incoming tokens for upstream ones (RFC 8693).
type OAuth2TokenExchange struct {
	Enabled   bool                          `bson:"enabled" json:"enabled"`
	Providers []OAuth2TokenExchangeProvider `bson:"providers,omitempty" json:"providers,omitempty"`
}

// OAuth2TokenExchangeProvider is a token exchange endpoint and how to call it.
type OAuth2TokenExchangeProvider struct {
	Name          string                   `bson:"name" json:"name"`
	Issuers       []string                 `bson:"issuers,omitempty" json:"issuers,omitempty"`
	TokenEndpoint string                   `bson:"tokenEndpoint,omitempty" json:"tokenEndpoint,omitempty"`
	ClientAuth    *OAuth2ClientAuth        `bson:"clientAuth,omitempty" json:"clientAuth,omitempty"`
	DefaultTarget *OAuth2DefaultTarget     `bson:"defaultTarget,omitempty" json:"defaultTarget,omitempty"`
	Timeout       tyktime.ReadableDuration `bson:"timeout,omitempty" json:"timeout,omitempty"`
	CustomParams  map[string]string        `bson:"customParams,omitempty" json:"customParams,omitempty"`
	Cache         *OAuth2ExchangeCache     `bson:"cache,omitempty" json:"cache,omitempty"`
}

// OAuth2ExchangeCache caches exchanged tokens.
type OAuth2ExchangeCache struct {
	Enabled      bool                     `bson:"enabled" json:"enabled"`
	Mode         string                   `bson:"mode,omitempty" json:"mode,omitempty"`
	MaxTimeout   tyktime.ReadableDuration `bson:"maxTimeout,omitempty" json:"maxTimeout,omitempty"`
	Timeout      tyktime.ReadableDuration `bson:"timeout,omitempty" json:"timeout,omitempty"`
	SafetyMargin tyktime.ReadableDuration `bson:"safetyMargin,omitempty" json:"safetyMargin,omitempty"`
}

// OAuth2ClientAuth is how the gateway authenticates to a token endpoint.
type OAuth2ClientAuth struct {
	Method       string `bson:"method,omitempty" json:"method,omitempty"`
	ClientID     string `bson:"clientId,omitempty" json:"clientId,omitempty"`
	ClientSecret string `bson:"clientSecret,omitempty" json:"clientSecret,omitempty"`
}

// OAuth2DefaultTarget is the audience and scopes asked for by default.
type OAuth2DefaultTarget struct {
	Audience string   `bson:"audience,omitempty" json:"audience,omitempty"`
	Scopes   []string `bson:"scopes,omitempty" json:"scopes,omitempty"`
}

// OAuth2Exchange is one operation's token exchange settings.
type OAuth2Exchange struct {
	Enabled  *bool    `bson:"enabled,omitempty" json:"enabled,omitempty"`
	Audience string   `bson:"audience,omitempty" json:"audience,omitempty"`
	Scopes   []string `bson:"scopes,omitempty" json:"scopes,omitempty"`
}

// Values of OAuth2 settings and of the token exchange (RFC 8693) Tyk
// performs: scope sources, error codes, form fields, token types, client
// authentication methods, cache modes, claims and error body fields.
const (
	OAuth2ScopeSourceOperation = "operation"
	OAuth2ScopeSourceGlobal    = "global"
	OAuth2ScopeSourceUnion     = "union"

	OAuth2ErrInsufficientScope  = "insufficient_scope"
	OAuth2ErrInvalidToken       = "invalid_token"
	OAuth2ErrExchangeFailed     = "exchange_failed"
	OAuth2ErrNoMatchingProvider = "no_matching_provider"
	OAuth2ErrMisconfigured      = "misconfigured"

	OAuth2AuthSchemeBearer = "Bearer"

	OAuth2FormGrantType           = "grant_type"
	OAuth2FormSubjectToken        = "subject_token"
	OAuth2FormSubjectTokenType    = "subject_token_type"
	OAuth2FormRequestedTokenType  = "requested_token_type"
	OAuth2FormAudience            = "audience"
	OAuth2FormResource            = "resource"
	OAuth2FormScope               = "scope"
	OAuth2FormActorToken          = "actor_token"
	OAuth2FormActorTokenType      = "actor_token_type"
	OAuth2FormClientID            = "client_id"
	OAuth2FormClientSecret        = "client_secret"
	OAuth2FormClientAssertion     = "client_assertion"
	OAuth2FormClientAssertionType = "client_assertion_type"

	OAuth2GrantTypeTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	OAuth2TokenTypeAccessToken   = "urn:ietf:params:oauth:token-type:access_token"
	OAuth2TokenTypeJWT           = "urn:ietf:params:oauth:token-type:jwt"

	OAuth2ClientAuthBasic = "client_secret_basic"
	OAuth2ClientAuthPost  = "client_secret_post"

	OAuth2CacheModeDerived = "derived"
	OAuth2CacheModeStatic  = "static"

	OAuth2ClaimIss = "iss"
	OAuth2ClaimSub = "sub"
	OAuth2ClaimExp = "exp"

	OAuth2FieldError               = "error"
	OAuth2FieldErrorDescription    = "error_description"
	OAuth2FieldResourceMetadata    = "resource_metadata"
	OAuth2FieldIdpError            = "idp_error"
	OAuth2FieldIdpErrorDescription = "idp_error_description"
)

// HasContent reports whether the scheme is enabled or configures anything.
func (o *OAuth2) HasContent() bool {
	return o != nil && (o.Enabled || o.ScopeCheck != nil || o.ProtectedResourceMetadata != nil || o.TokenExchange != nil)
}

// IsEmpty is !HasContent.
func (o *OAuth2) IsEmpty() bool { return !o.HasContent() }

// IsActive reports whether the exchange is explicitly enabled.
func (e *OAuth2Exchange) IsActive() bool { return e != nil && e.Enabled != nil && *e.Enabled }

// InfersScopesFromSecurity reports whether the exchange is enabled and asks
// for no scopes of its own (so the operation's security requirements give them).
func (e *OAuth2Exchange) InfersScopesFromSecurity() bool { return e.IsActive() && len(e.Scopes) == 0 }

// GetWellKnownPath is WellKnownPath, or DefaultPRMWellKnownPath when unset.
func (prm *OAuth2PRM) GetWellKnownPath() string {
	if prm == nil || prm.WellKnownPath == "" {
		return DefaultPRMWellKnownPath
	}
	return prm.WellKnownPath
}

// IsAutoDeriveScopes reports whether scopes are derived from the document
// (unset means yes; only an explicit false turns it off).
func (prm *OAuth2PRM) IsAutoDeriveScopes() bool {
	return prm == nil || prm.AutoDeriveScopes == nil || *prm.AutoDeriveScopes
}

// IsMirrorMode reports whether the metadata is mirrored from the upstream:
// enabled, for an MCP API, with neither resource nor authorisation servers set.
func (prm *OAuth2PRM) IsMirrorMode(isMCP bool) bool {
	return prm != nil && prm.Enabled && prm.Resource == "" && len(prm.AuthorizationServers) == 0 && isMCP
}
