package apidef

import "errors"

// Upstream OAuth authorisation types (UpstreamOAuth.AllowedAuthorizeTypes).
const (
	OAuthAuthorizationTypeClientCredentials = "clientCredentials"
	OAuthAuthorizationTypePassword          = "password"
)

// The JSON-RPC version and application protocol of an MCP API (SetProtocol).
const (
	JsonRPC20      = "2.0"
	AppProtocolMCP = "mcp"
)

// ResponseProcessorResponseBodyTransform names the response body transform
// processor (APIDefinition.ResponseProcessors).
const ResponseProcessorResponseBodyTransform = "response_body_transform"

// DefaultCacheTimeout is the cache timeout, in seconds, Tyk gives an API
// definition that sets none.
const DefaultCacheTimeout int64 = 60

// Errors of Tyk's API endpoints, kept for plugins that compare against them.
var (
	ErrClassicAPIExpected                  = errors.New("this API endpoint only supports Tyk Classic APIs; please use the appropriate Tyk OAS API endpoint")
	ErrPayloadWithoutTykStreamingExtension = errors.New("the payload should contain x-tyk-streaming")
	ErrMigrationNewVersioningEnabled       = errors.New("not migratable - new versioning is already enabled")
)

// SetProtocol sets the transport (JSON-RPC version) and application protocol.
func (a *APIDefinition) SetProtocol(transport, application string) {
	a.JsonRpcVersion = transport
	a.ApplicationProtocol = application
}

// IsMCP reports whether the API speaks the Model Context Protocol.
func (a *APIDefinition) IsMCP() bool { return a.ApplicationProtocol == AppProtocolMCP }

// MarkAsMCP makes the API an MCP API (JSON-RPC 2.0).
func (a *APIDefinition) MarkAsMCP() { a.SetProtocol(JsonRPC20, AppProtocolMCP) }

// IsChildAPI reports whether the API is a version of another (its base ID
// is set and is not its own ID).
func (a *APIDefinition) IsChildAPI() bool {
	return a.VersionDefinition.BaseID != "" && a.VersionDefinition.BaseID != a.APIID
}

// IsBaseAPI reports whether the API has versions and is not a child.
func (a *APIDefinition) IsBaseAPI() bool {
	return len(a.VersionDefinition.Versions) > 0 && a.isOwnBase()
}

// IsBaseAPIWithVersioning reports whether versioning is enabled, the API
// is not a child, and its version has a name.
func (a *APIDefinition) IsBaseAPIWithVersioning() bool {
	return a.VersionDefinition.Enabled && a.isOwnBase() && a.VersionDefinition.Name != ""
}

func (a *APIDefinition) isOwnBase() bool {
	return a.VersionDefinition.BaseID == "" || a.VersionDefinition.BaseID == a.APIID
}

// Clear empties the set but for its JQ transforms and persisted GraphQL
// queries, which Tyk keeps (they have no Tyk OAS counterpart yet).
func (e *ExtendedPathsSet) Clear() {
	*e = ExtendedPathsSet{TransformJQ: e.TransformJQ, TransformJQResponse: e.TransformJQResponse, PersistGraphQL: e.PersistGraphQL}
}

// GetCacheTimeoutSeconds is CacheTimeout in whole seconds, or
// defaultExpiration when CacheTimeout is not positive.
func (jwk *JWK) GetCacheTimeoutSeconds(defaultExpiration int64) int64 {
	if jwk.CacheTimeout > 0 {
		return int64(jwk.CacheTimeout.Seconds())
	}
	return defaultExpiration
}
