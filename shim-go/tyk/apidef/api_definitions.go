// Package apidef mirrors the Classic API definition types of
// github.com/TykTechnologies/tyk/apidef that plugins inspect (usually through
// ctx.GetDefinition). Field names, types and JSON tags follow Tyk 5.x; types
// that only matter to Tyk internals are left out.
package apidef

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"time"

	"github.com/TykTechnologies/tyk/internal/event"
	"github.com/TykTechnologies/tyk/internal/graphql"
	"github.com/TykTechnologies/tyk/internal/oauth2"
	"github.com/TykTechnologies/tyk/internal/service/gojsonschema"
	tyktime "github.com/TykTechnologies/tyk/internal/time"
	tykregexp "github.com/TykTechnologies/tyk/regexp"
)

// String-typed enumerations used across the definition.
type (
	AuthProviderCode     string
	SessionProviderCode  string
	StorageEngineCode    string
	EndpointMethodAction string
	SourceMode           string
	MiddlewareDriver     string
	IdExtractorSource    string
	IdExtractorType      string
	AuthTypeEnum         string
	RoutingTriggerOnType string
	SubscriptionType     string
	RequestInputType     string
)

// TemplateMode is Tyk 4.x's name of SourceMode (a template's source: blob or file).
type TemplateMode = SourceMode

// TykEvent names a gateway event (for example "QuotaExceeded").
type TykEvent = event.Event

// TykEventHandlerName names an event handler (for example "eh_log_handler").
type TykEventHandlerName = event.HandlerName

// IDExtractor is the runtime ID extractor attached to a definition.
type IDExtractor interface{}

const (
	NoAction EndpointMethodAction = "no_action"
	Reply    EndpointMethodAction = "reply"

	UseBlob SourceMode = "blob"
	UseFile SourceMode = "file"

	RequestXML  RequestInputType = "xml"
	RequestJSON RequestInputType = "json"

	OttoDriver     MiddlewareDriver = "otto"
	PythonDriver   MiddlewareDriver = "python"
	LuaDriver      MiddlewareDriver = "lua"
	GrpcDriver     MiddlewareDriver = "grpc"
	GoPluginDriver MiddlewareDriver = "goplugin"

	BodySource        IdExtractorSource = "body"
	HeaderSource      IdExtractorSource = "header"
	QuerystringSource IdExtractorSource = "querystring"
	FormSource        IdExtractorSource = "form"

	ValueExtractor IdExtractorType = "value"
	XPathExtractor IdExtractorType = "xpath"
	RegexExtractor IdExtractorType = "regex"

	// Base identity providers for multi-auth APIs.
	AuthTypeNone  AuthTypeEnum = ""
	AuthToken     AuthTypeEnum = "auth_token"
	CustomAuth    AuthTypeEnum = "custom_auth"
	HMACKey       AuthTypeEnum = "hmac_key"
	BasicAuthUser AuthTypeEnum = "basic_auth_user"
	JWTClaim      AuthTypeEnum = "jwt_claim"
	OIDCUser      AuthTypeEnum = "oidc_user"
	OAuthKey      AuthTypeEnum = "oauth_key"
	UnsetAuth     AuthTypeEnum = ""

	// URL rewrite trigger modes.
	All RoutingTriggerOnType = "all"
	Any RoutingTriggerOnType = "any"
	// Ignore is Tyk 4.x-5.2's name for no trigger mode.
	Ignore RoutingTriggerOnType = ""

	GQLSubscriptionUndefined   SubscriptionType = ""
	GQLSubscriptionWS          SubscriptionType = "graphql-ws"
	GQLSubscriptionTransportWS SubscriptionType = "graphql-transport-ws"
	GQLSubscriptionSSE         SubscriptionType = "sse"

	// TykInternalApiHeader marks a request as an internal (looping) request.
	TykInternalApiHeader = "x-tyk-internal"

	HeaderLocation       = "header"
	URLParamLocation     = "url-param"
	URLLocation          = "url"
	ExpirationTimeFormat = "2006-01-02 15:04"

	Self                 = "self"
	DefaultAPIVersionKey = "x-api-version"
	HeaderBaseAPIID      = "x-tyk-base-api-id"

	// Keys of APIDefinition.AuthConfigs.
	AuthTokenType     = "authToken"
	JWTType           = "jwt"
	HMACType          = "hmac"
	BasicType         = "basic"
	CoprocessType     = "coprocess"
	OAuthType         = "oauth"
	ExternalOAuthType = "externalOAuth"
	OIDCType          = "oidc"
)

// Errors Tyk exposes from this package.
var (
	ErrAPIMigrated                = errors.New("the supplied API definition is in Tyk classic format, please use OAS format for this API")
	ErrAPINotMigrated             = errors.New("the supplied API definition is in OAS format, please use the Tyk classic format for this API")
	ErrOASGetForOldAPI            = errors.New("the requested API definition is in Tyk classic format, please use old api endpoint")
	ErrImportWithTykExtension     = errors.New("the import payload should not contain x-tyk-api-gateway")
	ErrPayloadWithoutTykExtension = errors.New("the payload should contain x-tyk-api-gateway")
	ErrAPINotFound                = errors.New("API not found")
	ErrMissingAPIID               = errors.New("missing API ID")
)

// ---------------------------------------------------------------------------
// Endpoint (extended path) configuration.

type EndpointMethodMeta struct {
	Action  EndpointMethodAction `bson:"action" json:"action"`
	Code    int                  `bson:"code" json:"code"`
	Data    string               `bson:"data" json:"data"`
	Headers map[string]string    `bson:"headers" json:"headers"`
}

type MockResponseMeta struct {
	Disabled   bool              `bson:"disabled" json:"disabled"`
	Path       string            `bson:"path" json:"path"`
	Method     string            `bson:"method" json:"method"`
	IgnoreCase bool              `bson:"ignore_case" json:"ignore_case"`
	Code       int               `bson:"code" json:"code"`
	Body       string            `bson:"body" json:"body"`
	Headers    map[string]string `bson:"headers" json:"headers"`
}

type EndPointMeta struct {
	Disabled   bool   `bson:"disabled" json:"disabled"`
	Path       string `bson:"path" json:"path"`
	Method     string `bson:"method" json:"method"`
	IgnoreCase bool   `bson:"ignore_case" json:"ignore_case"`
	// Deprecated: use Method.
	MethodActions map[string]EndpointMethodMeta `bson:"method_actions,omitempty" json:"method_actions,omitempty"`
}

type CacheMeta struct {
	Disabled               bool   `bson:"disabled" json:"disabled"`
	Method                 string `bson:"method" json:"method"`
	Path                   string `bson:"path" json:"path"`
	CacheKeyRegex          string `bson:"cache_key_regex" json:"cache_key_regex"`
	CacheOnlyResponseCodes []int  `bson:"cache_response_codes" json:"cache_response_codes"`
	Timeout                int64  `bson:"timeout" json:"timeout"`
}

type TemplateData struct {
	Input          RequestInputType `bson:"input_type" json:"input_type"`
	Mode           SourceMode       `bson:"template_mode" json:"template_mode"`
	EnableSession  bool             `bson:"enable_session" json:"enable_session"`
	TemplateSource string           `bson:"template_source" json:"template_source"`
}

type TemplateMeta struct {
	Disabled     bool         `bson:"disabled" json:"disabled"`
	TemplateData TemplateData `bson:"template_data" json:"template_data"`
	Path         string       `bson:"path" json:"path"`
	Method       string       `bson:"method" json:"method"`
}

type TransformJQMeta struct {
	Filter string `bson:"filter" json:"filter"`
	Path   string `bson:"path" json:"path"`
	Method string `bson:"method" json:"method"`
}

type HeaderInjectionMeta struct {
	Disabled      bool              `bson:"disabled" json:"disabled"`
	DeleteHeaders []string          `bson:"delete_headers" json:"delete_headers"`
	AddHeaders    map[string]string `bson:"add_headers" json:"add_headers"`
	Path          string            `bson:"path" json:"path"`
	Method        string            `bson:"method" json:"method"`
	ActOnResponse bool              `bson:"act_on" json:"act_on"`
}

// Enabled reports whether the transform is active and does something.
func (h *HeaderInjectionMeta) Enabled() bool {
	return !h.Disabled && (len(h.AddHeaders) > 0 || len(h.DeleteHeaders) > 0)
}

type HardTimeoutMeta struct {
	Disabled        bool                     `bson:"disabled" json:"disabled"`
	Path            string                   `bson:"path" json:"path"`
	Method          string                   `bson:"method" json:"method"`
	TimeOut         int                      `bson:"timeout" json:"timeout"`
	TimeoutDuration tyktime.ReadableDuration `bson:"duration,omitempty" json:"duration,omitempty"`
}

type TrackEndpointMeta struct {
	Disabled bool   `bson:"disabled" json:"disabled"`
	Path     string `bson:"path" json:"path"`
	Method   string `bson:"method" json:"method"`
}

// RateLimitMeta is a per-endpoint rate limit.
type RateLimitMeta struct {
	Disabled bool    `bson:"disabled" json:"disabled"`
	Path     string  `bson:"path" json:"path"`
	Method   string  `bson:"method" json:"method"`
	Rate     float64 `bson:"rate" json:"rate"`
	Per      float64 `bson:"per" json:"per"`
}

// Valid reports whether the endpoint rate limit should be applied.
func (r *RateLimitMeta) Valid() bool {
	return r.Err() == nil
}

// Err explains why the endpoint rate limit is not applicable, or is nil.
func (r *RateLimitMeta) Err() error {
	switch {
	case r == nil || r.Disabled:
		return errors.New("rate limit disabled")
	case r.Per <= 0:
		return errors.New("rate limit disabled: per invalid")
	case r.Rate == 0:
		return errors.New("rate limit disabled: rate zero")
	}
	return nil
}

type InternalMeta struct {
	Disabled bool   `bson:"disabled" json:"disabled"`
	Path     string `bson:"path" json:"path"`
	Method   string `bson:"method" json:"method"`
}

type RequestSizeMeta struct {
	Disabled  bool   `bson:"disabled" json:"disabled"`
	Path      string `bson:"path" json:"path"`
	Method    string `bson:"method" json:"method"`
	SizeLimit int64  `bson:"size_limit" json:"size_limit"`
}

type CircuitBreakerMeta struct {
	Disabled             bool    `bson:"disabled" json:"disabled"`
	Path                 string  `bson:"path" json:"path"`
	Method               string  `bson:"method" json:"method"`
	ThresholdPercent     float64 `bson:"threshold_percent" json:"threshold_percent"`
	Samples              int64   `bson:"samples" json:"samples"`
	ReturnToServiceAfter int     `bson:"return_to_service_after" json:"return_to_service_after"`
	DisableHalfOpenState bool    `bson:"disable_half_open_state" json:"disable_half_open_state"`
}

// StringRegexMap is a (possibly negated) regular expression used by URL
// rewrite triggers. Call Init before Check / FindStringSubmatch.
type StringRegexMap struct {
	MatchPattern string `bson:"match_rx" json:"match_rx"`
	Reverse      bool   `bson:"reverse" json:"reverse"`
	matchRegex   *regexp.Regexp
}

// Empty reports whether no pattern is configured.
func (r StringRegexMap) Empty() bool {
	return r.MatchPattern == "" && !r.Reverse
}

// Init compiles MatchPattern.
func (r *StringRegexMap) Init() error {
	re, err := regexp.Compile(r.MatchPattern)
	if err != nil {
		return err
	}
	r.matchRegex = re
	return nil
}

// Check returns the leftmost match of the pattern in value ("" if none or
// not initialised).
func (r *StringRegexMap) Check(value string) string {
	if r.matchRegex == nil {
		return ""
	}
	return r.matchRegex.FindString(value)
}

// FindStringSubmatch matches value, honouring Reverse for the matched flag.
func (r *StringRegexMap) FindStringSubmatch(value string) (bool, []string) {
	if r.matchRegex == nil {
		return false, nil
	}
	m := r.matchRegex.FindStringSubmatch(value)
	return (len(m) > 0) != r.Reverse, m
}

// FindAllStringSubmatch is FindStringSubmatch for up to n matches.
func (r *StringRegexMap) FindAllStringSubmatch(value string, n int) (bool, [][]string) {
	if r.matchRegex == nil {
		return false, nil
	}
	m := r.matchRegex.FindAllStringSubmatch(value, n)
	return (len(m) > 0) != r.Reverse, m
}

type RoutingTriggerOptions struct {
	HeaderMatches         map[string]StringRegexMap `bson:"header_matches" json:"header_matches"`
	QueryValMatches       map[string]StringRegexMap `bson:"query_val_matches" json:"query_val_matches"`
	PathPartMatches       map[string]StringRegexMap `bson:"path_part_matches" json:"path_part_matches"`
	SessionMetaMatches    map[string]StringRegexMap `bson:"session_meta_matches" json:"session_meta_matches"`
	RequestContextMatches map[string]StringRegexMap `bson:"request_context_matches" json:"request_context_matches"`
	PayloadMatches        StringRegexMap            `bson:"payload_matches" json:"payload_matches"`
}

// NewRoutingTriggerOptions returns options with all maps allocated.
func NewRoutingTriggerOptions() RoutingTriggerOptions {
	return RoutingTriggerOptions{
		HeaderMatches:         map[string]StringRegexMap{},
		QueryValMatches:       map[string]StringRegexMap{},
		PathPartMatches:       map[string]StringRegexMap{},
		SessionMetaMatches:    map[string]StringRegexMap{},
		RequestContextMatches: map[string]StringRegexMap{},
	}
}

type RoutingTrigger struct {
	On        RoutingTriggerOnType  `bson:"on" json:"on"`
	Options   RoutingTriggerOptions `bson:"options" json:"options"`
	RewriteTo string                `bson:"rewrite_to" json:"rewrite_to"`
}

type URLRewriteMeta struct {
	Disabled     bool              `bson:"disabled" json:"disabled"`
	Path         string            `bson:"path" json:"path"`
	Method       string            `bson:"method" json:"method"`
	MatchPattern string            `bson:"match_pattern" json:"match_pattern"`
	RewriteTo    string            `bson:"rewrite_to" json:"rewrite_to"`
	Triggers     []RoutingTrigger  `bson:"triggers" json:"triggers"`
	MatchRegexp  *tykregexp.Regexp `json:"-"`
}

type VirtualMeta struct {
	Disabled             bool       `bson:"disabled" json:"disabled"`
	ResponseFunctionName string     `bson:"response_function_name" json:"response_function_name"`
	FunctionSourceType   SourceMode `bson:"function_source_type" json:"function_source_type"`
	FunctionSourceURI    string     `bson:"function_source_uri" json:"function_source_uri"`
	Path                 string     `bson:"path" json:"path"`
	Method               string     `bson:"method" json:"method"`
	UseSession           bool       `bson:"use_session" json:"use_session"`
	ProxyOnError         bool       `bson:"proxy_on_error" json:"proxy_on_error"`
}

type MethodTransformMeta struct {
	Disabled bool   `bson:"disabled" json:"disabled"`
	Path     string `bson:"path" json:"path"`
	Method   string `bson:"method" json:"method"`
	ToMethod string `bson:"to_method" json:"to_method"`
}

type ValidatePathMeta struct {
	Disabled    bool                    `bson:"disabled" json:"disabled"`
	Path        string                  `bson:"path" json:"path"`
	Method      string                  `bson:"method" json:"method"`
	Schema      map[string]interface{}  `bson:"-" json:"schema"`
	SchemaB64   string                  `bson:"schema_b64" json:"schema_b64,omitempty"`
	SchemaCache gojsonschema.JSONLoader `bson:"-" json:"-"`
	// ErrorResponseCode overrides the default 422 status on validation errors.
	ErrorResponseCode int `bson:"error_response_code" json:"error_response_code"`
}

type ValidateRequestMeta struct {
	Enabled bool   `bson:"enabled" json:"enabled"`
	Path    string `bson:"path" json:"path"`
	Method  string `bson:"method" json:"method"`
	// ErrorResponseCode overrides the default 422 status on validation errors.
	ErrorResponseCode int `bson:"error_response_code" json:"error_response_code"`
}

type PersistGraphQLMeta struct {
	Path      string                 `bson:"path" json:"path"`
	Method    string                 `bson:"method" json:"method"`
	Operation string                 `bson:"operation" json:"operation"`
	Variables map[string]interface{} `bson:"variables" json:"variables"`
}

// GoPluginMeta attaches a Go plugin function to one endpoint
// (extended_paths.go_plugin).
type GoPluginMeta struct {
	Disabled   bool   `bson:"disabled" json:"disabled"`
	Path       string `bson:"path" json:"path"`
	Method     string `bson:"method" json:"method"`
	PluginPath string `bson:"plugin_path" json:"plugin_path"`
	SymbolName string `bson:"func_name" json:"func_name"`
}

// ExtendedPathsSet holds all per-endpoint middleware of a version.
type ExtendedPathsSet struct {
	Ignored                 []EndPointMeta        `bson:"ignored" json:"ignored,omitempty"`
	WhiteList               []EndPointMeta        `bson:"white_list" json:"white_list,omitempty"`
	BlackList               []EndPointMeta        `bson:"black_list" json:"black_list,omitempty"`
	MockResponse            []MockResponseMeta    `bson:"mock_response" json:"mock_response,omitempty"`
	Cached                  []string              `bson:"cache" json:"cache,omitempty"`
	AdvanceCacheConfig      []CacheMeta           `bson:"advance_cache_config" json:"advance_cache_config,omitempty"`
	Transform               []TemplateMeta        `bson:"transform" json:"transform,omitempty"`
	TransformResponse       []TemplateMeta        `bson:"transform_response" json:"transform_response,omitempty"`
	TransformJQ             []TransformJQMeta     `bson:"transform_jq" json:"transform_jq,omitempty"`
	TransformJQResponse     []TransformJQMeta     `bson:"transform_jq_response" json:"transform_jq_response,omitempty"`
	TransformHeader         []HeaderInjectionMeta `bson:"transform_headers" json:"transform_headers,omitempty"`
	TransformResponseHeader []HeaderInjectionMeta `bson:"transform_response_headers" json:"transform_response_headers,omitempty"`
	HardTimeouts            []HardTimeoutMeta     `bson:"hard_timeouts" json:"hard_timeouts,omitempty"`
	CircuitBreaker          []CircuitBreakerMeta  `bson:"circuit_breakers" json:"circuit_breakers,omitempty"`
	URLRewrite              []URLRewriteMeta      `bson:"url_rewrites" json:"url_rewrites,omitempty"`
	Virtual                 []VirtualMeta         `bson:"virtual" json:"virtual,omitempty"`
	SizeLimit               []RequestSizeMeta     `bson:"size_limits" json:"size_limits,omitempty"`
	MethodTransforms        []MethodTransformMeta `bson:"method_transforms" json:"method_transforms,omitempty"`
	TrackEndpoints          []TrackEndpointMeta   `bson:"track_endpoints" json:"track_endpoints,omitempty"`
	DoNotTrackEndpoints     []TrackEndpointMeta   `bson:"do_not_track_endpoints" json:"do_not_track_endpoints,omitempty"`
	ValidateJSON            []ValidatePathMeta    `bson:"validate_json" json:"validate_json,omitempty"`
	ValidateRequest         []ValidateRequestMeta `bson:"validate_request" json:"validate_request,omitempty"`
	Internal                []InternalMeta        `bson:"internal" json:"internal,omitempty"`
	GoPlugin                []GoPluginMeta        `bson:"go_plugin" json:"go_plugin,omitempty"`
	PersistGraphQL          []PersistGraphQLMeta  `bson:"persist_graphql" json:"persist_graphql"`
	RateLimit               []RateLimitMeta       `bson:"rate_limit" json:"rate_limit"`
}

// ---------------------------------------------------------------------------
// Versioning.

// VersionDefinition configures how the requested version is detected.
type VersionDefinition struct {
	Enabled              bool              `bson:"enabled" json:"enabled"`
	Name                 string            `bson:"name" json:"name"`
	Default              string            `bson:"default" json:"default"`
	Location             string            `bson:"location" json:"location"`
	Key                  string            `bson:"key" json:"key"`
	StripPath            bool              `bson:"strip_path" json:"strip_path"` // Deprecated: use StripVersioningData.
	StripVersioningData  bool              `bson:"strip_versioning_data" json:"strip_versioning_data"`
	UrlVersioningPattern string            `bson:"url_versioning_pattern" json:"url_versioning_pattern"`
	FallbackToDefault    bool              `bson:"fallback_to_default" json:"fallback_to_default"`
	Versions             map[string]string `bson:"versions" json:"versions"`
	// BaseID is internal and never serialised to JSON.
	BaseID string `bson:"base_id" json:"-"`
}

// ResolvedDefault returns the default version name, resolving "self".
func (v *VersionDefinition) ResolvedDefault() string {
	if v.Default == Self {
		return v.Name
	}
	return v.Default
}

// VersionData holds the Classic per-version configuration.
type VersionData struct {
	NotVersioned   bool                   `bson:"not_versioned" json:"not_versioned"`
	DefaultVersion string                 `bson:"default_version" json:"default_version"`
	Versions       map[string]VersionInfo `bson:"versions" json:"versions"`
}

// VersionInfo is one API version.
type VersionInfo struct {
	Name      string    `bson:"name" json:"name"`
	Expires   string    `bson:"expires" json:"expires"`
	ExpiresTs time.Time `bson:"-" json:"-"`
	Paths     struct {
		Ignored   []string `bson:"ignored" json:"ignored"`
		WhiteList []string `bson:"white_list" json:"white_list"`
		BlackList []string `bson:"black_list" json:"black_list"`
	} `bson:"paths" json:"paths"`
	UseExtendedPaths              bool                     `bson:"use_extended_paths" json:"use_extended_paths"`
	ExtendedPaths                 ExtendedPathsSet         `bson:"extended_paths" json:"extended_paths"`
	GlobalHeaders                 map[string]string        `bson:"global_headers" json:"global_headers"`
	GlobalHeadersRemove           []string                 `bson:"global_headers_remove" json:"global_headers_remove"`
	GlobalHeadersDisabled         bool                     `bson:"global_headers_disabled" json:"global_headers_disabled"`
	GlobalResponseHeaders         map[string]string        `bson:"global_response_headers" json:"global_response_headers"`
	GlobalResponseHeadersRemove   []string                 `bson:"global_response_headers_remove" json:"global_response_headers_remove"`
	GlobalResponseHeadersDisabled bool                     `bson:"global_response_headers_disabled" json:"global_response_headers_disabled"`
	IgnoreEndpointCase            bool                     `bson:"ignore_endpoint_case" json:"ignore_endpoint_case"`
	GlobalSizeLimit               int64                    `bson:"global_size_limit" json:"global_size_limit"`
	GlobalSizeLimitDisabled       bool                     `bson:"global_size_limit_disabled" json:"global_size_limit_disabled"`
	GlobalEnforceTimeout          tyktime.ReadableDuration `bson:"global_enforce_timeout" json:"global_enforce_timeout"`
	GlobalEnforceTimeoutDisabled  bool                     `bson:"global_enforce_timeout_disabled" json:"global_enforce_timeout_disabled"`
	OverrideTarget                string                   `bson:"override_target" json:"override_target"`
}

// GlobalHeadersEnabled reports whether version-wide request header
// injection is active.
func (v *VersionInfo) GlobalHeadersEnabled() bool {
	return !v.GlobalHeadersDisabled && (len(v.GlobalHeaders) > 0 || len(v.GlobalHeadersRemove) > 0)
}

// GlobalResponseHeadersEnabled is GlobalHeadersEnabled for responses.
func (v *VersionInfo) GlobalResponseHeadersEnabled() bool {
	return !v.GlobalResponseHeadersDisabled && (len(v.GlobalResponseHeaders) > 0 || len(v.GlobalResponseHeadersRemove) > 0)
}

// HasEndpointReqHeader reports whether any endpoint request header
// transform is active.
func (v *VersionInfo) HasEndpointReqHeader() bool {
	if !v.UseExtendedPaths {
		return false
	}
	for i := range v.ExtendedPaths.TransformHeader {
		if v.ExtendedPaths.TransformHeader[i].Enabled() {
			return true
		}
	}
	return false
}

// HasEndpointResHeader reports whether any endpoint response header
// transform is active.
func (v *VersionInfo) HasEndpointResHeader() bool {
	if !v.UseExtendedPaths {
		return false
	}
	for i := range v.ExtendedPaths.TransformResponseHeader {
		if v.ExtendedPaths.TransformResponseHeader[i].Enabled() {
			return true
		}
	}
	return false
}

// Expired reports whether the version has an expiry date that has passed.
// An empty or "-1" Expires never expires; an unparsed (zero) ExpiresTs with
// a set Expires counts as expired, as in Tyk. ExpiresTs is filled by the
// gateway from Expires (format ExpirationTimeFormat).
func (v *VersionInfo) Expired() bool {
	if v.Expires == "" || v.Expires == "-1" {
		return false
	}
	if v.ExpiresTs.IsZero() {
		return true
	}
	return !time.Now().Before(v.ExpiresTs)
}

// ExpiryTime returns when the version expires, or the zero time if it has
// already expired.
func (v *VersionInfo) ExpiryTime() time.Time {
	if v.Expired() {
		return time.Time{}
	}
	return v.ExpiresTs
}

// ---------------------------------------------------------------------------
// Custom middleware.

type AuthProviderMeta struct {
	Name          AuthProviderCode       `bson:"name" json:"name"`
	StorageEngine StorageEngineCode      `bson:"storage_engine" json:"storage_engine"`
	Meta          map[string]interface{} `bson:"meta" json:"meta"`
}

type SessionProviderMeta struct {
	Name          SessionProviderCode    `bson:"name" json:"name"`
	StorageEngine StorageEngineCode      `bson:"storage_engine" json:"storage_engine"`
	Meta          map[string]interface{} `bson:"meta" json:"meta"`
}

type EventHandlerTriggerConfig struct {
	Handler     TykEventHandlerName    `bson:"handler_name" json:"handler_name"`
	HandlerMeta map[string]interface{} `bson:"handler_meta" json:"handler_meta"`
}

type EventHandlerMetaConfig struct {
	Events map[TykEvent][]EventHandlerTriggerConfig `bson:"events" json:"events"`
}

// MiddlewareDefinition names one custom plugin function.
type MiddlewareDefinition struct {
	Disabled       bool   `bson:"disabled" json:"disabled"`
	Name           string `bson:"name" json:"name"`
	Path           string `bson:"path" json:"path"`
	RequireSession bool   `bson:"require_session" json:"require_session"`
	RawBodyOnly    bool   `bson:"raw_body_only" json:"raw_body_only"`
}

// IDExtractorConfig is the typed form of MiddlewareIdExtractor.ExtractorConfig.
type IDExtractorConfig struct {
	HeaderName      string `mapstructure:"header_name" bson:"header_name" json:"header_name,omitempty"`
	FormParamName   string `mapstructure:"param_name" bson:"param_name" json:"param_name,omitempty"`
	RegexExpression string `mapstructure:"regex_expression" bson:"regex_expression" json:"regex_expression,omitempty"`
	RegexMatchIndex int    `mapstructure:"regex_match_index" bson:"regex_match_index" json:"regex_match_index,omitempty"`
	XPathExpression string `mapstructure:"xpath_expression" bson:"xpath_expression" json:"xpath_expression,omitempty"`
}

type MiddlewareIdExtractor struct {
	Disabled        bool                   `bson:"disabled" json:"disabled"`
	ExtractFrom     IdExtractorSource      `bson:"extract_from" json:"extract_from"`
	ExtractWith     IdExtractorType        `bson:"extract_with" json:"extract_with"`
	ExtractorConfig map[string]interface{} `bson:"extractor_config" json:"extractor_config"`
	Extractor       IDExtractor            `bson:"-" json:"-"`
}

// MiddlewareSection lists the custom plugins of an API per hook.
type MiddlewareSection struct {
	Pre         []MiddlewareDefinition `bson:"pre" json:"pre"`
	Post        []MiddlewareDefinition `bson:"post" json:"post"`
	PostKeyAuth []MiddlewareDefinition `bson:"post_key_auth" json:"post_key_auth"`
	AuthCheck   MiddlewareDefinition   `bson:"auth_check" json:"auth_check"`
	Response    []MiddlewareDefinition `bson:"response" json:"response"`
	Driver      MiddlewareDriver       `bson:"driver" json:"driver"`
	IdExtractor MiddlewareIdExtractor  `bson:"id_extractor" json:"id_extractor"`
}

// BundleManifest is the manifest.json of a plugin bundle.
type BundleManifest struct {
	FileList         []string          `bson:"file_list" json:"file_list"`
	CustomMiddleware MiddlewareSection `bson:"custom_middleware" json:"custom_middleware"`
	Checksum         string            `bson:"checksum" json:"checksum"`
	Signature        string            `bson:"signature" json:"signature"`
}

// ---------------------------------------------------------------------------
// Proxy, caching, discovery, uptime.

type CacheOptions struct {
	CacheTimeout               int64    `bson:"cache_timeout" json:"cache_timeout"`
	EnableCache                bool     `bson:"enable_cache" json:"enable_cache"`
	CacheAllSafeRequests       bool     `bson:"cache_all_safe_requests" json:"cache_all_safe_requests"`
	CacheOnlyResponseCodes     []int    `bson:"cache_response_codes" json:"cache_response_codes"`
	EnableUpstreamCacheControl bool     `bson:"enable_upstream_cache_control" json:"enable_upstream_cache_control"`
	CacheControlTTLHeader      string   `bson:"cache_control_ttl_header" json:"cache_control_ttl_header"`
	CacheByHeaders             []string `bson:"cache_by_headers" json:"cache_by_headers"`
}

type ResponseProcessor struct {
	Name    string      `bson:"name" json:"name"`
	Options interface{} `bson:"options" json:"options"`
}

type ServiceDiscoveryConfiguration struct {
	UseDiscoveryService bool   `bson:"use_discovery_service" json:"use_discovery_service"`
	QueryEndpoint       string `bson:"query_endpoint" json:"query_endpoint"`
	UseNestedQuery      bool   `bson:"use_nested_query" json:"use_nested_query"`
	ParentDataPath      string `bson:"parent_data_path" json:"parent_data_path"`
	DataPath            string `bson:"data_path" json:"data_path"`
	PortDataPath        string `bson:"port_data_path" json:"port_data_path"`
	TargetPath          string `bson:"target_path" json:"target_path"`
	UseTargetList       bool   `bson:"use_target_list" json:"use_target_list"`
	CacheDisabled       bool   `bson:"cache_disabled" json:"cache_disabled"`
	CacheTimeout        int64  `bson:"cache_timeout" json:"cache_timeout"`
	EndpointReturnsList bool   `bson:"endpoint_returns_list" json:"endpoint_returns_list"`
}

// CacheOptions returns the cache timeout and whether caching is enabled.
func (sd *ServiceDiscoveryConfiguration) CacheOptions() (int64, bool) {
	return sd.CacheTimeout, !sd.CacheDisabled
}

type ProxyConfig struct {
	PreserveHostHeader          bool                          `bson:"preserve_host_header" json:"preserve_host_header"`
	ListenPath                  string                        `bson:"listen_path" json:"listen_path"`
	TargetURL                   string                        `bson:"target_url" json:"target_url"`
	DisableStripSlash           bool                          `bson:"disable_strip_slash" json:"disable_strip_slash"`
	StripListenPath             bool                          `bson:"strip_listen_path" json:"strip_listen_path"`
	EnableLoadBalancing         bool                          `bson:"enable_load_balancing" json:"enable_load_balancing"`
	Targets                     []string                      `bson:"target_list" json:"target_list"`
	StructuredTargetList        *HostList                     `bson:"-" json:"-"`
	CheckHostAgainstUptimeTests bool                          `bson:"check_host_against_uptime_tests" json:"check_host_against_uptime_tests"`
	ServiceDiscovery            ServiceDiscoveryConfiguration `bson:"service_discovery" json:"service_discovery"`
	Transport                   struct {
		SSLInsecureSkipVerify   bool     `bson:"ssl_insecure_skip_verify" json:"ssl_insecure_skip_verify"`
		SSLCipherSuites         []string `bson:"ssl_ciphers" json:"ssl_ciphers"`
		SSLMinVersion           uint16   `bson:"ssl_min_version" json:"ssl_min_version"`
		SSLMaxVersion           uint16   `bson:"ssl_max_version" json:"ssl_max_version"`
		SSLForceCommonNameCheck bool     `json:"ssl_force_common_name_check"`
		ProxyURL                string   `bson:"proxy_url" json:"proxy_url"`
	} `bson:"transport" json:"transport"`
}

type CORSConfig struct {
	Enable             bool     `bson:"enable" json:"enable"`
	AllowedOrigins     []string `bson:"allowed_origins" json:"allowed_origins"`
	AllowedMethods     []string `bson:"allowed_methods" json:"allowed_methods"`
	AllowedHeaders     []string `bson:"allowed_headers" json:"allowed_headers"`
	ExposedHeaders     []string `bson:"exposed_headers" json:"exposed_headers"`
	AllowCredentials   bool     `bson:"allow_credentials" json:"allow_credentials"`
	MaxAge             int      `bson:"max_age" json:"max_age"`
	OptionsPassthrough bool     `bson:"options_passthrough" json:"options_passthrough"`
	Debug              bool     `bson:"debug" json:"debug"`
}

// CheckCommand is a TCP uptime check step.
type CheckCommand struct {
	Name    string `bson:"name" json:"name"`
	Message string `bson:"message" json:"message"`
}

// HostCheckObject is one uptime test.
type HostCheckObject struct {
	CheckURL            string            `bson:"url" json:"url"`
	Protocol            string            `bson:"protocol" json:"protocol"`
	Timeout             time.Duration     `bson:"timeout" json:"timeout"`
	EnableProxyProtocol bool              `bson:"enable_proxy_protocol" json:"enable_proxy_protocol"`
	Commands            []CheckCommand    `bson:"commands" json:"commands"`
	Method              string            `bson:"method" json:"method"`
	Headers             map[string]string `bson:"headers" json:"headers"`
	Body                string            `bson:"body" json:"body"`
}

// AddCommand appends a TCP check step.
func (h *HostCheckObject) AddCommand(name, message string) {
	h.Commands = append(h.Commands, CheckCommand{Name: name, Message: message})
}

type UptimeTestsConfig struct {
	ExpireUptimeAnalyticsAfter int64                         `bson:"expire_utime_after" json:"expire_utime_after"`
	ServiceDiscovery           ServiceDiscoveryConfiguration `bson:"service_discovery" json:"service_discovery"`
	RecheckWait                int                           `bson:"recheck_wait" json:"recheck_wait"`
}

type UptimeTests struct {
	Disabled  bool              `bson:"disabled" json:"disabled"`
	CheckList []HostCheckObject `bson:"check_list" json:"check_list"`
	Config    UptimeTestsConfig `bson:"config" json:"config"`
}

// ---------------------------------------------------------------------------
// Authentication.

type SignatureConfig struct {
	Algorithm        string `mapstructure:"algorithm" bson:"algorithm" json:"algorithm"`
	Header           string `mapstructure:"header" bson:"header" json:"header"`
	UseParam         bool   `mapstructure:"use_param" bson:"use_param" json:"use_param"`
	ParamName        string `mapstructure:"param_name" bson:"param_name" json:"param_name"`
	Secret           string `mapstructure:"secret" bson:"secret" json:"secret"`
	AllowedClockSkew int64  `mapstructure:"allowed_clock_skew" bson:"allowed_clock_skew" json:"allowed_clock_skew"`
	ErrorCode        int    `mapstructure:"error_code" bson:"error_code" json:"error_code"`
	ErrorMessage     string `mapstructure:"error_message" bson:"error_message" json:"error_message"`
}

// AuthConfig says where a credential is read from.
type AuthConfig struct {
	Name              string          `mapstructure:"name" bson:"name" json:"name"`
	UseParam          bool            `mapstructure:"use_param" bson:"use_param" json:"use_param"`
	ParamName         string          `mapstructure:"param_name" bson:"param_name" json:"param_name"`
	UseCookie         bool            `mapstructure:"use_cookie" bson:"use_cookie" json:"use_cookie"`
	CookieName        string          `mapstructure:"cookie_name" bson:"cookie_name" json:"cookie_name"`
	DisableHeader     bool            `mapstructure:"disable_header" bson:"disable_header" json:"disable_header"`
	AuthHeaderName    string          `mapstructure:"auth_header_name" bson:"auth_header_name" json:"auth_header_name"`
	UseCertificate    bool            `mapstructure:"use_certificate" bson:"use_certificate" json:"use_certificate"`
	ValidateSignature bool            `mapstructure:"validate_signature" bson:"validate_signature" json:"validate_signature"`
	Signature         SignatureConfig `mapstructure:"signature" bson:"signature" json:"signature,omitempty"`
}

type GlobalRateLimit struct {
	Disabled bool    `bson:"disabled" json:"disabled"`
	Rate     float64 `bson:"rate" json:"rate"`
	Per      float64 `bson:"per" json:"per"`
}

type RequestSigningMeta struct {
	IsEnabled       bool     `bson:"is_enabled" json:"is_enabled"`
	Secret          string   `bson:"secret" json:"secret"`
	KeyId           string   `bson:"key_id" json:"key_id"`
	Algorithm       string   `bson:"algorithm" json:"algorithm"`
	HeaderList      []string `bson:"header_list" json:"header_list"`
	CertificateId   string   `bson:"certificate_id" json:"certificate_id"`
	SignatureHeader string   `bson:"signature_header" json:"signature_header"`
}

type OIDProviderConfig struct {
	Issuer    string            `bson:"issuer" json:"issuer"`
	ClientIDs map[string]string `bson:"client_ids" json:"client_ids"`
}

type OpenIDOptions struct {
	Providers         []OIDProviderConfig `bson:"providers" json:"providers"`
	SegregateByClient bool                `bson:"segregate_by_client" json:"segregate_by_client"`
}

type ScopeClaim struct {
	ScopeClaimName string            `bson:"scope_claim_name" json:"scope_claim_name,omitempty"`
	ScopeToPolicy  map[string]string `json:"scope_to_policy,omitempty"`
}

type Scopes struct {
	JWT  ScopeClaim `bson:"jwt" json:"jwt,omitempty"`
	OIDC ScopeClaim `bson:"oidc" json:"oidc,omitempty"`
}

// JWK is a JWKS endpoint used for JWT validation.
type JWK struct {
	URL          string                   `json:"url"`
	CacheTimeout tyktime.ReadableDuration `bson:"cache_timeout" json:"cache_timeout"`
}

// NotificationsManager sends OAuth key-change notifications to a URL.
type NotificationsManager struct {
	SharedSecret      string `bson:"shared_secret" json:"shared_secret"`
	OAuthKeyChangeURL string `bson:"oauth_on_keychange_url" json:"oauth_on_keychange_url"`
}

type IntrospectionCache struct {
	Enabled bool  `bson:"enabled" json:"enabled"`
	Timeout int64 `bson:"timeout" json:"timeout"`
}

type Introspection struct {
	Enabled           bool               `bson:"enabled" json:"enabled"`
	URL               string             `bson:"url" json:"url"`
	ClientID          string             `bson:"client_id" json:"client_id"`
	ClientSecret      string             `bson:"client_secret" json:"client_secret"`
	IdentityBaseField string             `bson:"identity_base_field" json:"identity_base_field"`
	Cache             IntrospectionCache `bson:"cache" json:"cache"`
}

type JWTValidation struct {
	Enabled                 bool   `bson:"enabled" json:"enabled"`
	SigningMethod           string `bson:"signing_method" json:"signing_method"`
	Source                  string `bson:"source" json:"source"`
	IssuedAtValidationSkew  uint64 `bson:"issued_at_validation_skew" json:"issued_at_validation_skew"`
	NotBeforeValidationSkew uint64 `bson:"not_before_validation_skew" json:"not_before_validation_skew"`
	ExpiresAtValidationSkew uint64 `bson:"expires_at_validation_skew" json:"expires_at_validation_skew"`
	IdentityBaseField       string `bson:"identity_base_field" json:"identity_base_field"`
}

type Provider struct {
	JWT           JWTValidation `bson:"jwt" json:"jwt"`
	Introspection Introspection `bson:"introspection" json:"introspection"`
}

// ExternalOAuth configures third-party OAuth token validation (deprecated
// in Tyk 5.7).
type ExternalOAuth struct {
	Enabled   bool       `bson:"enabled" json:"enabled"`
	Providers []Provider `bson:"providers" json:"providers"`
}

// AuthSource is a named, optionally enabled credential location.
type AuthSource struct {
	Enabled bool   `bson:"enabled" json:"enabled"`
	Name    string `bson:"name" json:"name"`
}

// IsEnabled reports whether the source is enabled.
func (a AuthSource) IsEnabled() bool { return a.Enabled }

// AuthKeyName returns Name when enabled, "" otherwise.
func (a AuthSource) AuthKeyName() string {
	if !a.Enabled {
		return ""
	}
	return a.Name
}

type UpstreamBasicAuth struct {
	Enabled  bool       `bson:"enabled" json:"enabled,omitempty"`
	Username string     `bson:"username" json:"username"`
	Password string     `bson:"password" json:"password"`
	Header   AuthSource `bson:"header" json:"header"`
}

type ClientAuthData struct {
	ClientID     string `bson:"client_id" json:"client_id"`
	ClientSecret string `bson:"client_secret,omitempty" json:"client_secret,omitempty"`
}

type ClientCredentials struct {
	ClientAuthData
	Header        AuthSource         `bson:"header" json:"header"`
	TokenURL      string             `bson:"token_url" json:"token_url"`
	Scopes        []string           `bson:"scopes" json:"scopes,omitempty"`
	ExtraMetadata []string           `bson:"extra_metadata" json:"extra_metadata,omitempty"`
	TokenProvider oauth2.TokenSource `bson:"-" json:"-"`
}

type PasswordAuthentication struct {
	ClientAuthData
	Header        AuthSource    `bson:"header" json:"header"`
	Username      string        `bson:"username" json:"username"`
	Password      string        `bson:"password" json:"password"`
	TokenURL      string        `bson:"token_url" json:"token_url"`
	Scopes        []string      `bson:"scopes" json:"scopes,omitempty"`
	ExtraMetadata []string      `bson:"extra_metadata" json:"extra_metadata,omitempty"`
	Token         *oauth2.Token `bson:"-" json:"-"`
}

type UpstreamOAuth struct {
	Enabled                bool                   `bson:"enabled" json:"enabled"`
	AllowedAuthorizeTypes  []string               `bson:"allowed_authorize_types" json:"allowed_authorize_types"`
	ClientCredentials      ClientCredentials      `bson:"client_credentials" json:"client_credentials"`
	PasswordAuthentication PasswordAuthentication `bson:"password,omitempty" json:"password,omitempty"`
}

// IsEnabled reports whether upstream OAuth is enabled.
func (u UpstreamOAuth) IsEnabled() bool { return u.Enabled }

// UpstreamAuth configures authentication towards the upstream.
type UpstreamAuth struct {
	Enabled   bool              `bson:"enabled" json:"enabled"`
	BasicAuth UpstreamBasicAuth `bson:"basic_auth" json:"basic_auth"`
	OAuth     UpstreamOAuth     `bson:"oauth" json:"oauth"`
}

// IsEnabled reports whether upstream authentication is on and a method is
// enabled.
func (u *UpstreamAuth) IsEnabled() bool {
	return u.Enabled && (u.BasicAuth.Enabled || u.OAuth.Enabled)
}

type AnalyticsPluginConfig struct {
	Enabled    bool   `bson:"enable" json:"enable,omitempty"`
	PluginPath string `bson:"plugin_path" json:"plugin_path,omitempty"`
	FuncName   string `bson:"func_name" json:"func_name,omitempty"`
}

// ---------------------------------------------------------------------------
// GraphQL (subset).

type GraphQLExecutionMode string

const (
	GraphQLExecutionModeProxyOnly       GraphQLExecutionMode = "proxyOnly"
	GraphQLExecutionModeExecutionEngine GraphQLExecutionMode = "executionEngine"
	GraphQLExecutionModeSubgraph        GraphQLExecutionMode = "subgraph"
	GraphQLExecutionModeSupergraph      GraphQLExecutionMode = "supergraph"
)

type GraphQLConfigVersion string

const (
	GraphQLConfigVersionNone     GraphQLConfigVersion = ""
	GraphQLConfigVersion1        GraphQLConfigVersion = "1"
	GraphQLConfigVersion2        GraphQLConfigVersion = "2"
	GraphQLConfigVersion3Preview GraphQLConfigVersion = "3-preview"
)

type GraphQLPlayground struct {
	Enabled bool   `bson:"enabled" json:"enabled"`
	Path    string `bson:"path" json:"path"`
}

type GraphQLProxyFeaturesConfig struct {
	UseImmutableHeaders bool `bson:"use_immutable_headers" json:"use_immutable_headers"`
}

type GraphQLProxyConfig struct {
	Features              GraphQLProxyFeaturesConfig             `bson:"features" json:"features"`
	AuthHeaders           map[string]string                      `bson:"auth_headers" json:"auth_headers"`
	SubscriptionType      SubscriptionType                       `bson:"subscription_type" json:"subscription_type,omitempty"`
	SSEUsePost            bool                                   `bson:"sse_use_post" json:"sse_use_post"`
	RequestHeaders        map[string]string                      `bson:"request_headers" json:"request_headers"`
	UseResponseExtensions GraphQLResponseExtensions              `bson:"use_response_extensions" json:"use_response_extensions"`
	RequestHeadersRewrite map[string]RequestHeadersRewriteConfig `bson:"request_headers_rewrite" json:"request_headers_rewrite"`
}

type GraphQLSubgraphConfig struct {
	SDL string `bson:"sdl" json:"sdl"`
}

type GraphQLIntrospectionConfig struct {
	Disabled bool `bson:"disabled" json:"disabled"`
}

// GraphQLConfig is the GraphQL section of a definition. Engine, data source
// and supergraph settings are not modelled; they are ignored on decode.
type GraphQLConfig struct {
	Enabled                 bool                             `bson:"enabled" json:"enabled"`
	ExecutionMode           GraphQLExecutionMode             `bson:"execution_mode" json:"execution_mode"`
	Version                 GraphQLConfigVersion             `bson:"version" json:"version"`
	Schema                  string                           `bson:"schema" json:"schema"`
	LastSchemaUpdate        *time.Time                       `bson:"last_schema_update" json:"last_schema_update,omitempty"`
	TypeFieldConfigurations []graphql.TypeFieldConfiguration `bson:"type_field_configurations" json:"type_field_configurations"`
	GraphQLPlayground       GraphQLPlayground                `bson:"playground" json:"playground"`
	Engine                  GraphQLEngineConfig              `bson:"engine" json:"engine"`
	Proxy                   GraphQLProxyConfig               `bson:"proxy" json:"proxy"`
	Subgraph                GraphQLSubgraphConfig            `bson:"subgraph" json:"subgraph"`
	Supergraph              GraphQLSupergraphConfig          `bson:"supergraph" json:"supergraph"`
	Introspection           GraphQLIntrospectionConfig       `bson:"introspection" json:"introspection"`
}

// ---------------------------------------------------------------------------
// The API definition.

// APIDefinition is a Classic Tyk API definition.
type APIDefinition struct {
	Id                  ObjectID      `bson:"_id,omitempty" json:"id,omitempty"`
	Name                string        `bson:"name" json:"name"`
	Expiration          string        `bson:"expiration" json:"expiration,omitempty"`
	ExpirationTs        time.Time     `bson:"-" json:"-"`
	Slug                string        `bson:"slug" json:"slug"`
	ListenPort          int           `bson:"listen_port" json:"listen_port"`
	Protocol            string        `bson:"protocol" json:"protocol"`
	EnableProxyProtocol bool          `bson:"enable_proxy_protocol" json:"enable_proxy_protocol"`
	JsonRpcVersion      string        `bson:"json_rpc_version,omitempty" json:"json_rpc_version,omitempty"`
	ApplicationProtocol string        `bson:"application_protocol,omitempty" json:"application_protocol,omitempty"`
	APIID               string        `bson:"api_id" json:"api_id"`
	OrgID               string        `bson:"org_id" json:"org_id"`
	UseKeylessAccess    bool          `bson:"use_keyless" json:"use_keyless"`
	UseOauth2           bool          `bson:"use_oauth2" json:"use_oauth2"`
	ExternalOAuth       ExternalOAuth `bson:"external_oauth" json:"external_oauth"`
	UseOpenID           bool          `bson:"use_openid" json:"use_openid"`
	OpenIDOptions       OpenIDOptions `bson:"openid_options" json:"openid_options"`
	Oauth2Meta          struct {
		AllowedAccessTypes     []string `bson:"allowed_access_types" json:"allowed_access_types"`
		AllowedAuthorizeTypes  []string `bson:"allowed_authorize_types" json:"allowed_authorize_types"`
		AuthorizeLoginRedirect string   `bson:"auth_login_redirect" json:"auth_login_redirect"`
	} `bson:"oauth_meta" json:"oauth_meta"`
	Auth         AuthConfig            `bson:"auth" json:"auth"` // Deprecated: use AuthConfigs.
	AuthConfigs  map[string]AuthConfig `bson:"auth_configs" json:"auth_configs"`
	UseBasicAuth bool                  `bson:"use_basic_auth" json:"use_basic_auth"`
	BasicAuth    struct {
		DisableCaching     bool   `bson:"disable_caching" json:"disable_caching"`
		CacheTTL           int    `bson:"cache_ttl" json:"cache_ttl"`
		ExtractFromBody    bool   `bson:"extract_from_body" json:"extract_from_body"`
		BodyUserRegexp     string `bson:"body_user_regexp" json:"body_user_regexp"`
		BodyPasswordRegexp string `bson:"body_password_regexp" json:"body_password_regexp"`
	} `bson:"basic_auth" json:"basic_auth"`
	UseMutualTLSAuth   bool     `bson:"use_mutual_tls_auth" json:"use_mutual_tls_auth"`
	ClientCertificates []string `bson:"client_certificates" json:"client_certificates"`

	UpstreamCertificates         map[string]string `bson:"upstream_certificates" json:"upstream_certificates"`
	UpstreamCertificatesDisabled bool              `bson:"upstream_certificates_disabled" json:"upstream_certificates_disabled,omitempty"`
	PinnedPublicKeys             map[string]string `bson:"pinned_public_keys" json:"pinned_public_keys"`
	CertificatePinningDisabled   bool              `bson:"certificate_pinning_disabled" json:"certificate_pinning_disabled,omitempty"`

	EnableJWT                            bool                   `bson:"enable_jwt" json:"enable_jwt"`
	UseStandardAuth                      bool                   `bson:"use_standard_auth" json:"use_standard_auth"`
	UseGoPluginAuth                      bool                   `bson:"use_go_plugin_auth" json:"use_go_plugin_auth"`       // Deprecated: use CustomPluginAuthEnabled.
	EnableCoProcessAuth                  bool                   `bson:"enable_coprocess_auth" json:"enable_coprocess_auth"` // Deprecated: use CustomPluginAuthEnabled.
	CustomPluginAuthEnabled              bool                   `bson:"custom_plugin_auth_enabled" json:"custom_plugin_auth_enabled"`
	JWTSigningMethod                     string                 `bson:"jwt_signing_method" json:"jwt_signing_method"`
	JWTSource                            string                 `bson:"jwt_source" json:"jwt_source"`
	JWTJwksURIs                          []JWK                  `bson:"jwt_jwks_uris" json:"jwt_jwks_uris"`
	JWTIdentityBaseField                 string                 `bson:"jwt_identit_base_field" json:"jwt_identity_base_field"`
	JWTClientIDBaseField                 string                 `bson:"jwt_client_base_field" json:"jwt_client_base_field"`
	JWTPolicyFieldName                   string                 `bson:"jwt_policy_field_name" json:"jwt_policy_field_name"`
	JWTDefaultPolicies                   []string               `bson:"jwt_default_policies" json:"jwt_default_policies"`
	JWTIssuedAtValidationSkew            uint64                 `bson:"jwt_issued_at_validation_skew" json:"jwt_issued_at_validation_skew"`
	JWTExpiresAtValidationSkew           uint64                 `bson:"jwt_expires_at_validation_skew" json:"jwt_expires_at_validation_skew"`
	JWTNotBeforeValidationSkew           uint64                 `bson:"jwt_not_before_validation_skew" json:"jwt_not_before_validation_skew"`
	JWTSkipKid                           bool                   `bson:"jwt_skip_kid" json:"jwt_skip_kid"`
	Scopes                               Scopes                 `bson:"scopes" json:"scopes,omitempty"`
	IDPClientIDMappingDisabled           bool                   `bson:"idp_client_id_mapping_disabled" json:"idp_client_id_mapping_disabled"`
	JWTScopeToPolicyMapping              map[string]string      `bson:"jwt_scope_to_policy_mapping" json:"jwt_scope_to_policy_mapping"` // Deprecated: use Scopes.
	JWTScopeClaimName                    string                 `bson:"jwt_scope_claim_name" json:"jwt_scope_claim_name"`               // Deprecated: use Scopes.
	NotificationsDetails                 NotificationsManager   `bson:"notifications" json:"notifications"`
	EnableSignatureChecking              bool                   `bson:"enable_signature_checking" json:"enable_signature_checking"`
	HmacAllowedClockSkew                 float64                `bson:"hmac_allowed_clock_skew" json:"hmac_allowed_clock_skew"`
	HmacAllowedAlgorithms                []string               `bson:"hmac_allowed_algorithms" json:"hmac_allowed_algorithms"`
	RequestSigning                       RequestSigningMeta     `bson:"request_signing" json:"request_signing"`
	BaseIdentityProvidedBy               AuthTypeEnum           `bson:"base_identity_provided_by" json:"base_identity_provided_by"`
	VersionDefinition                    VersionDefinition      `bson:"definition" json:"definition"`
	VersionData                          VersionData            `bson:"version_data" json:"version_data"` // Deprecated: use VersionDefinition.
	UptimeTests                          UptimeTests            `bson:"uptime_tests" json:"uptime_tests"`
	Proxy                                ProxyConfig            `bson:"proxy" json:"proxy"`
	DisableRateLimit                     bool                   `bson:"disable_rate_limit" json:"disable_rate_limit"`
	DisableQuota                         bool                   `bson:"disable_quota" json:"disable_quota"`
	CustomMiddleware                     MiddlewareSection      `bson:"custom_middleware" json:"custom_middleware"`
	CustomMiddlewareBundle               string                 `bson:"custom_middleware_bundle" json:"custom_middleware_bundle"`
	CustomMiddlewareBundleDisabled       bool                   `bson:"custom_middleware_bundle_disabled" json:"custom_middleware_bundle_disabled"`
	CacheOptions                         CacheOptions           `bson:"cache_options" json:"cache_options"`
	SessionLifetimeRespectsKeyExpiration bool                   `bson:"session_lifetime_respects_key_expiration" json:"session_lifetime_respects_key_expiration,omitempty"`
	SessionLifetime                      int64                  `bson:"session_lifetime" json:"session_lifetime"`
	Active                               bool                   `bson:"active" json:"active"`
	Internal                             bool                   `bson:"internal" json:"internal"`
	AuthProvider                         AuthProviderMeta       `bson:"auth_provider" json:"auth_provider"`
	SessionProvider                      SessionProviderMeta    `bson:"session_provider" json:"session_provider"`
	EventHandlers                        EventHandlerMetaConfig `bson:"event_handlers" json:"event_handlers"`
	EnableBatchRequestSupport            bool                   `bson:"enable_batch_request_support" json:"enable_batch_request_support"`
	EnableIpWhiteListing                 bool                   `mapstructure:"enable_ip_whitelisting" bson:"enable_ip_whitelisting" json:"enable_ip_whitelisting"`
	AllowedIPs                           []string               `mapstructure:"allowed_ips" bson:"allowed_ips" json:"allowed_ips"`
	EnableIpBlacklisting                 bool                   `mapstructure:"enable_ip_blacklisting" bson:"enable_ip_blacklisting" json:"enable_ip_blacklisting"`
	BlacklistedIPs                       []string               `mapstructure:"blacklisted_ips" bson:"blacklisted_ips" json:"blacklisted_ips"`
	IPAccessControlDisabled              bool                   `mapstructure:"ip_access_control_disabled" bson:"ip_access_control_disabled" json:"ip_access_control_disabled"`
	DontSetQuotasOnCreate                bool                   `mapstructure:"dont_set_quota_on_create" bson:"dont_set_quota_on_create" json:"dont_set_quota_on_create"`
	ExpireAnalyticsAfter                 int64                  `mapstructure:"expire_analytics_after" bson:"expire_analytics_after" json:"expire_analytics_after"`
	ResponseProcessors                   []ResponseProcessor    `bson:"response_processors" json:"response_processors"`
	CORS                                 CORSConfig             `bson:"CORS" json:"CORS"`
	Domain                               string                 `bson:"domain" json:"domain"`
	DomainDisabled                       bool                   `bson:"domain_disabled" json:"domain_disabled,omitempty"`
	Certificates                         []string               `bson:"certificates" json:"certificates"`
	DoNotTrack                           bool                   `bson:"do_not_track" json:"do_not_track"`
	EnableContextVars                    bool                   `bson:"enable_context_vars" json:"enable_context_vars"`
	ConfigData                           map[string]interface{} `bson:"config_data" json:"config_data"`
	ConfigDataDisabled                   bool                   `bson:"config_data_disabled" json:"config_data_disabled"`
	TagHeaders                           []string               `bson:"tag_headers" json:"tag_headers"`
	GlobalRateLimit                      GlobalRateLimit        `bson:"global_rate_limit" json:"global_rate_limit"`
	StripAuthData                        bool                   `bson:"strip_auth_data" json:"strip_auth_data"`
	EnableDetailedRecording              bool                   `bson:"enable_detailed_recording" json:"enable_detailed_recording"`
	GraphQL                              GraphQLConfig          `bson:"graphql" json:"graphql"`
	AnalyticsPlugin                      AnalyticsPluginConfig  `bson:"analytics_plugin" json:"analytics_plugin,omitempty"`

	// Gateway segment tags.
	TagsDisabled bool     `bson:"tags_disabled" json:"tags_disabled,omitempty"`
	Tags         []string `bson:"tags" json:"tags"`

	// IsOAS is true when the API is defined (or migrated) as Tyk OAS.
	IsOAS       bool   `bson:"is_oas" json:"is_oas,omitempty"`
	VersionName string `bson:"-" json:"-"`

	DetailedTracing bool `bson:"detailed_tracing" json:"detailed_tracing"`

	// UpstreamAuth configures authentication against the upstream.
	UpstreamAuth              UpstreamAuth          `bson:"upstream_auth" json:"upstream_auth"`
	SecurityRequirements      [][]string            `bson:"security_requirements" json:"security_requirements,omitempty"`
	SecurityRequirementScopes []map[string][]string `bson:"security_requirement_scopes" json:"security_requirement_scopes,omitempty"`
	ErrorOverrides            ErrorOverridesMap     `bson:"error_overrides" json:"error_overrides"`
	ErrorOverridesDisabled    bool                  `bson:"error_overrides_disabled" json:"error_overrides_disabled"`
}

// GenerateAPIID sets APIID to a new random 32 character hex identifier.
func (a *APIDefinition) GenerateAPIID() {
	var b [16]byte
	_, _ = rand.Read(b[:])
	a.APIID = hex.EncodeToString(b[:])
}

// GetAPIDomain returns Domain unless the custom domain is disabled.
func (a *APIDefinition) GetAPIDomain() string {
	if a.DomainDisabled {
		return ""
	}
	return a.Domain
}

// GetScopeClaimName returns the scope claim name in effect (OIDC when the
// API uses OpenID, JWT otherwise), falling back to the deprecated field.
func (a *APIDefinition) GetScopeClaimName() string {
	if a.scopesEmpty() {
		return a.JWTScopeClaimName
	}
	if a.UseOpenID {
		return a.Scopes.OIDC.ScopeClaimName
	}
	return a.Scopes.JWT.ScopeClaimName
}

// GetScopeToPolicyMapping is GetScopeClaimName for the scope mapping.
func (a *APIDefinition) GetScopeToPolicyMapping() map[string]string {
	if a.scopesEmpty() {
		return a.JWTScopeToPolicyMapping
	}
	if a.UseOpenID {
		return a.Scopes.OIDC.ScopeToPolicy
	}
	return a.Scopes.JWT.ScopeToPolicy
}

func (a *APIDefinition) scopesEmpty() bool {
	s := a.Scopes
	return s.JWT.ScopeClaimName == "" && len(s.JWT.ScopeToPolicy) == 0 &&
		s.OIDC.ScopeClaimName == "" && len(s.OIDC.ScopeToPolicy) == 0
}
