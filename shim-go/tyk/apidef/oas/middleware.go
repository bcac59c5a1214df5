package oas

import (
	"encoding/json"
	"sort"

	"github.com/TykTechnologies/tyk/apidef"
)

// Middleware holds the API-level (Global) and per-operation middleware.
type Middleware struct {
	Global *Global `bson:"global,omitempty" json:"global,omitempty"`
	// Operations is keyed by OpenAPI operationId.
	Operations   Operations    `bson:"operations,omitempty" json:"operations,omitempty"`
	McpTools     MCPPrimitives `bson:"mcpTools,omitempty" json:"mcpTools,omitempty"`
	McpResources MCPPrimitives `bson:"mcpResources,omitempty" json:"mcpResources,omitempty"`
	McpPrompts   MCPPrimitives `bson:"mcpPrompts,omitempty" json:"mcpPrompts,omitempty"`
}

// Global holds middleware that applies to every endpoint of the API.
type Global struct {
	// PluginConfig holds the driver, bundle and config data of custom plugins.
	PluginConfig *PluginConfig `bson:"pluginConfig,omitempty" json:"pluginConfig,omitempty"`
	CORS         *CORS         `bson:"cors,omitempty" json:"cors,omitempty"`

	// Deprecated: use PrePlugins.
	PrePlugin *PrePlugin `bson:"prePlugin,omitempty" json:"prePlugin,omitempty"`
	// PrePlugins run before authentication (Classic: custom_middleware.pre).
	PrePlugins CustomPlugins `bson:"prePlugins,omitempty" json:"prePlugins,omitempty"`
	// Deprecated: use PostAuthenticationPlugins.
	PostAuthenticationPlugin *PostAuthenticationPlugin `bson:"postAuthenticationPlugin,omitempty" json:"postAuthenticationPlugin,omitempty"`
	// PostAuthenticationPlugins run right after authentication
	// (Classic: custom_middleware.post_key_auth).
	PostAuthenticationPlugins CustomPlugins `bson:"postAuthenticationPlugins,omitempty" json:"postAuthenticationPlugins,omitempty"`
	// Deprecated: use PostPlugins.
	PostPlugin *PostPlugin `bson:"postPlugin,omitempty" json:"postPlugin,omitempty"`
	// PostPlugins run just before proxying (Classic: custom_middleware.post).
	PostPlugins CustomPlugins `bson:"postPlugins,omitempty" json:"postPlugins,omitempty"`
	// Deprecated: use ResponsePlugins.
	ResponsePlugin *ResponsePlugin `bson:"responsePlugin,omitempty" json:"responsePlugin,omitempty"`
	// ResponsePlugins run on the upstream response (Classic: custom_middleware.response).
	ResponsePlugins CustomPlugins `bson:"responsePlugins,omitempty" json:"responsePlugins,omitempty"`

	Cache                    *Cache                  `bson:"cache,omitempty" json:"cache,omitempty"`
	TransformRequestHeaders  *TransformHeaders       `bson:"transformRequestHeaders,omitempty" json:"transformRequestHeaders,omitempty"`
	TransformResponseHeaders *TransformHeaders       `bson:"transformResponseHeaders,omitempty" json:"transformResponseHeaders,omitempty"`
	ContextVariables         *ContextVariables       `bson:"contextVariables,omitempty" json:"contextVariables,omitempty"`
	TrafficLogs              *TrafficLogs            `bson:"trafficLogs,omitempty" json:"trafficLogs,omitempty"`
	RequestSizeLimit         *GlobalRequestSizeLimit `bson:"requestSizeLimit,omitempty" json:"requestSizeLimit,omitempty"`
	IgnoreCase               *IgnoreCase             `bson:"ignoreCase,omitempty" json:"ignoreCase,omitempty"`
	SkipRateLimit            bool                    `bson:"skipRateLimit,omitempty" json:"skipRateLimit,omitempty"`
	SkipQuota                bool                    `bson:"skipQuota,omitempty" json:"skipQuota,omitempty"`
	SkipQuotaReset           bool                    `bson:"skipQuotaReset,omitempty" json:"skipQuotaReset,omitempty"`
}

// MarshalJSON writes the deprecated single-plugin fields in their current
// list form (prePlugin.plugins -> prePlugins, and so on), as Tyk does.
func (g *Global) MarshalJSON() ([]byte, error) {
	if g == nil {
		return []byte("null"), nil
	}
	type plain Global
	out := plain(*g)
	if out.PrePlugin != nil {
		out.PrePlugins, out.PrePlugin = out.PrePlugin.Plugins, nil
	}
	if out.PostAuthenticationPlugin != nil {
		out.PostAuthenticationPlugins, out.PostAuthenticationPlugin = out.PostAuthenticationPlugin.Plugins, nil
	}
	if out.PostPlugin != nil {
		out.PostPlugins, out.PostPlugin = out.PostPlugin.Plugins, nil
	}
	if out.ResponsePlugin != nil {
		out.ResponsePlugins, out.ResponsePlugin = out.ResponsePlugin.Plugins, nil
	}
	return json.Marshal(out)
}

// PluginConfig holds settings shared by the custom plugins of the API.
type PluginConfig struct {
	// Driver is the plugin driver (Classic: custom_middleware.driver).
	Driver apidef.MiddlewareDriver `bson:"driver,omitempty" json:"driver,omitempty"`
	// Bundle configures a plugin bundle (Classic: custom_middleware_bundle).
	Bundle *PluginBundle `bson:"bundle,omitempty" json:"bundle,omitempty"`
	// Data is the plugin config data (Classic: config_data).
	Data *PluginConfigData `bson:"data,omitempty" json:"data,omitempty"`
}

// PluginBundle points at a plugin bundle.
type PluginBundle struct {
	// Enabled is the negation of Classic custom_middleware_bundle_disabled.
	Enabled bool `bson:"enabled" json:"enabled"`
	// Path is appended to the gateway's bundle base URL.
	Path string `bson:"path" json:"path"`
}

// PluginConfigData is free-form configuration made available to plugins.
type PluginConfigData struct {
	// Enabled is the negation of Classic config_data_disabled.
	Enabled bool `bson:"enabled" json:"enabled"`
	// Value is the data (Classic: config_data).
	Value map[string]interface{} `bson:"value" json:"value"`
}

// CustomPlugin names one custom plugin function.
type CustomPlugin struct {
	// Enabled is the negation of Classic "disabled".
	Enabled bool `bson:"enabled" json:"enabled"`
	// FunctionName is the plugin function / symbol name (Classic: name).
	FunctionName string `bson:"functionName" json:"functionName"`
	// Path is the plugin file, e.g. the .so of a Go plugin (Classic: path).
	Path string `bson:"path" json:"path"`
	// RawBodyOnly (Classic: raw_body_only).
	RawBodyOnly bool `bson:"rawBodyOnly,omitempty" json:"rawBodyOnly,omitempty"`
	// RequireSession (Classic: require_session; JSVM only).
	RequireSession bool `bson:"requireSession,omitempty" json:"requireSession,omitempty"`
}

// CustomPlugins is an ordered list of CustomPlugin.
type CustomPlugins []CustomPlugin

// CustomAnalyticsPlugins is an ordered list of analytics plugins.
type CustomAnalyticsPlugins []CustomPlugin

// PrePlugin is the deprecated wrapper form of PrePlugins.
type PrePlugin struct {
	Plugins CustomPlugins `bson:"plugins,omitempty" json:"plugins,omitempty"`
}

// PostAuthenticationPlugin is the deprecated wrapper form of PostAuthenticationPlugins.
type PostAuthenticationPlugin struct {
	Plugins CustomPlugins `bson:"plugins,omitempty" json:"plugins,omitempty"`
}

// PostPlugin is the deprecated wrapper form of PostPlugins.
type PostPlugin struct {
	Plugins CustomPlugins `bson:"plugins,omitempty" json:"plugins,omitempty"`
}

// ResponsePlugin is the deprecated wrapper form of ResponsePlugins.
type ResponsePlugin struct {
	Plugins CustomPlugins `bson:"plugins,omitempty" json:"plugins,omitempty"`
}

// CORS configures cross-origin resource sharing.
type CORS struct {
	Enabled            bool     `bson:"enabled" json:"enabled"`
	MaxAge             int      `bson:"maxAge,omitempty" json:"maxAge,omitempty"`
	AllowCredentials   bool     `bson:"allowCredentials,omitempty" json:"allowCredentials,omitempty"`
	ExposedHeaders     []string `bson:"exposedHeaders,omitempty" json:"exposedHeaders,omitempty"`
	AllowedHeaders     []string `bson:"allowedHeaders,omitempty" json:"allowedHeaders,omitempty"`
	OptionsPassthrough bool     `bson:"optionsPassthrough,omitempty" json:"optionsPassthrough,omitempty"`
	Debug              bool     `bson:"debug,omitempty" json:"debug,omitempty"`
	AllowedOrigins     []string `bson:"allowedOrigins,omitempty" json:"allowedOrigins,omitempty"`
	AllowedMethods     []string `bson:"allowedMethods,omitempty" json:"allowedMethods,omitempty"`
}

// Cache configures API-wide response caching (Classic: cache_options).
type Cache struct {
	Enabled                    bool     `bson:"enabled" json:"enabled"`
	Timeout                    int64    `bson:"timeout,omitempty" json:"timeout,omitempty"`
	CacheAllSafeRequests       bool     `bson:"cacheAllSafeRequests,omitempty" json:"cacheAllSafeRequests,omitempty"`
	CacheResponseCodes         []int    `bson:"cacheResponseCodes,omitempty" json:"cacheResponseCodes,omitempty"`
	CacheByHeaders             []string `bson:"cacheByHeaders,omitempty" json:"cacheByHeaders,omitempty"`
	EnableUpstreamCacheControl bool     `bson:"enableUpstreamCacheControl,omitempty" json:"enableUpstreamCacheControl,omitempty"`
	ControlTTLHeaderName       string   `bson:"controlTTLHeaderName,omitempty" json:"controlTTLHeaderName,omitempty"`
}

// Header is a header name/value pair.
type Header struct {
	Name  string `bson:"name" json:"name"`
	Value string `bson:"value" json:"value"`
}

// Headers is a list of Header.
type Headers []Header

// NewHeaders builds Headers from a map, sorted by name (empty, not nil, for none).
func NewHeaders(in map[string]string) Headers {
	out := make(Headers, 0, len(in))
	for name, value := range in {
		out = append(out, Header{Name: name, Value: value})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Map returns the headers as a name -> value map (empty for nil; a later
// duplicate name wins).
func (h *Headers) Map() map[string]string {
	if h == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(*h))
	for _, hdr := range *h {
		out[hdr.Name] = hdr.Value
	}
	return out
}

// Add appends a header.
func (h *Headers) Add(name, value string) { *h = append(*h, Header{Name: name, Value: value}) }

// TransformHeaders adds and removes headers.
type TransformHeaders struct {
	Enabled bool     `bson:"enabled" json:"enabled"`
	Remove  []string `bson:"remove,omitempty" json:"remove,omitempty"`
	Add     Headers  `bson:"add,omitempty" json:"add,omitempty"`
}

// AppendAddOp adds a header to set.
func (th *TransformHeaders) AppendAddOp(name, value string) {
	th.Add = append(th.Add, Header{Name: name, Value: value})
}

// ContextVariables enables context variables (Classic: enable_context_vars).
type ContextVariables struct {
	Enabled bool `json:"enabled" bson:"enabled"`
}

// TrafficLogs configures analytics recording.
type TrafficLogs struct {
	Enabled               bool                   `bson:"enabled" json:"enabled"`
	TagHeaders            []string               `bson:"tagHeaders" json:"tagHeaders,omitempty"`
	CustomRetentionPeriod ReadableDuration       `bson:"customRetentionPeriod,omitempty" json:"customRetentionPeriod,omitempty"`
	Plugins               CustomAnalyticsPlugins `bson:"plugins,omitempty" json:"plugins,omitempty"`
}

// GlobalRequestSizeLimit limits the request body size API-wide.
type GlobalRequestSizeLimit struct {
	Enabled bool  `bson:"enabled" json:"enabled"`
	Value   int64 `bson:"value" json:"value"`
}

// Paths held per-path middleware by path in early Tyk OAS versions.
type Paths map[string]*Path

// Path is the per-method middleware of one path (early Tyk OAS versions).
type Path struct {
	Delete  *Plugins `bson:"DELETE,omitempty" json:"DELETE,omitempty"`
	Get     *Plugins `bson:"GET,omitempty" json:"GET,omitempty"`
	Head    *Plugins `bson:"HEAD,omitempty" json:"HEAD,omitempty"`
	Options *Plugins `bson:"OPTIONS,omitempty" json:"OPTIONS,omitempty"`
	Patch   *Plugins `bson:"PATCH,omitempty" json:"PATCH,omitempty"`
	Post    *Plugins `bson:"POST,omitempty" json:"POST,omitempty"`
	Put     *Plugins `bson:"PUT,omitempty" json:"PUT,omitempty"`
	Trace   *Plugins `bson:"TRACE,omitempty" json:"TRACE,omitempty"`
	Connect *Plugins `bson:"CONNECT,omitempty" json:"CONNECT,omitempty"`
}

// Plugins is the middleware of one path and method (early Tyk OAS versions).
type Plugins struct {
	Allow                  *Allowance              `bson:"allow,omitempty" json:"allow,omitempty"`
	Block                  *Allowance              `bson:"block,omitempty" json:"block,omitempty"`
	IgnoreAuthentication   *Allowance              `bson:"ignoreAuthentication,omitempty" json:"ignoreAuthentication,omitempty"`
	TransformRequestMethod *TransformRequestMethod `bson:"transformRequestMethod,omitempty" json:"transformRequestMethod,omitempty"`
	Cache                  *CachePlugin            `bson:"cache,omitempty" json:"cache,omitempty"`
	EnforceTimeout         *EnforceTimeout         `bson:"enforcedTimeout,omitempty" json:"enforcedTimeout,omitempty"`
}

// IgnoreCase makes path matching case-insensitive.
type IgnoreCase struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}
