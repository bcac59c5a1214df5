package oas

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/TykTechnologies/tyk/apidef"
	tyktime "github.com/TykTechnologies/tyk/internal/time"
)

// Operations maps OpenAPI operationIds to their Tyk middleware.
type Operations map[string]*Operation

// Operation holds the middleware of one OpenAPI operation.
type Operation struct {
	Allow                    *Allowance              `bson:"allow,omitempty" json:"allow,omitempty"`
	Block                    *Allowance              `bson:"block,omitempty" json:"block,omitempty"`
	IgnoreAuthentication     *Allowance              `bson:"ignoreAuthentication,omitempty" json:"ignoreAuthentication,omitempty"`
	Internal                 *Internal               `bson:"internal,omitempty" json:"internal,omitempty"`
	TransformRequestMethod   *TransformRequestMethod `bson:"transformRequestMethod,omitempty" json:"transformRequestMethod,omitempty"`
	TransformRequestBody     *TransformBody          `bson:"transformRequestBody,omitempty" json:"transformRequestBody,omitempty"`
	TransformResponseBody    *TransformBody          `bson:"transformResponseBody,omitempty" json:"transformResponseBody,omitempty"`
	TransformRequestHeaders  *TransformHeaders       `bson:"transformRequestHeaders,omitempty" json:"transformRequestHeaders,omitempty"`
	TransformResponseHeaders *TransformHeaders       `bson:"transformResponseHeaders,omitempty" json:"transformResponseHeaders,omitempty"`
	URLRewrite               *URLRewrite             `bson:"urlRewrite,omitempty" json:"urlRewrite,omitempty"`
	Cache                    *CachePlugin            `bson:"cache,omitempty" json:"cache,omitempty"`
	EnforceTimeout           *EnforceTimeout         `bson:"enforceTimeout,omitempty" json:"enforceTimeout,omitempty"`
	ValidateRequest          *ValidateRequest        `bson:"validateRequest,omitempty" json:"validateRequest,omitempty"`
	MockResponse             *MockResponse           `bson:"mockResponse,omitempty" json:"mockResponse,omitempty"`
	VirtualEndpoint          *VirtualEndpoint        `bson:"virtualEndpoint,omitempty" json:"virtualEndpoint,omitempty"`
	// PostPlugins are endpoint-level Go plugins (Classic: extended_paths.go_plugin).
	PostPlugins        EndpointPostPlugins `bson:"postPlugins,omitempty" json:"postPlugins,omitempty"`
	CircuitBreaker     *CircuitBreaker     `bson:"circuitBreaker,omitempty" json:"circuitBreaker,omitempty"`
	TrackEndpoint      *TrackEndpoint      `bson:"trackEndpoint,omitempty" json:"trackEndpoint,omitempty"`
	DoNotTrackEndpoint *TrackEndpoint      `bson:"doNotTrackEndpoint,omitempty" json:"doNotTrackEndpoint,omitempty"`
	RequestSizeLimit   *RequestSizeLimit   `bson:"requestSizeLimit,omitempty" json:"requestSizeLimit,omitempty"`
	RateLimit          *RateLimitEndpoint  `bson:"rateLimit,omitempty" json:"rateLimit,omitempty"`
	ScopeCheck         *ScopeCheck         `bson:"scopeCheck,omitempty" json:"scopeCheck,omitempty"`
	Exchange           *OAuth2Exchange     `bson:"exchange,omitempty" json:"exchange,omitempty"`
}

// Allowance enables an allow / block / ignore-authentication rule.
type Allowance struct {
	Enabled    bool `bson:"enabled" json:"enabled"`
	IgnoreCase bool `bson:"ignoreCase,omitempty" json:"ignoreCase,omitempty"`
}

// Internal restricts an endpoint to internal requests.
type Internal struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}

// TransformRequestMethod rewrites the request method.
type TransformRequestMethod struct {
	Enabled  bool   `bson:"enabled" json:"enabled"`
	ToMethod string `bson:"toMethod" json:"toMethod"`
}

// TransformBody applies a body template. Body (base64) wins over Path.
type TransformBody struct {
	Enabled bool                    `bson:"enabled" json:"enabled"`
	Format  apidef.RequestInputType `bson:"format" json:"format"`
	Path    string                  `bson:"path,omitempty" json:"path,omitempty"`
	Body    string                  `bson:"body,omitempty" json:"body,omitempty"`
}

// CachePlugin configures endpoint-level caching.
type CachePlugin struct {
	Enabled            bool   `bson:"enabled" json:"enabled"`
	CacheByRegex       string `bson:"cacheByRegex,omitempty" json:"cacheByRegex,omitempty"`
	CacheResponseCodes []int  `bson:"cacheResponseCodes,omitempty" json:"cacheResponseCodes,omitempty"`
	Timeout            int64  `bson:"timeout,omitempty" json:"timeout,omitempty"`
}

// EnforceTimeout sets an endpoint request timeout in seconds.
type EnforceTimeout struct {
	Enabled  bool                     `bson:"enabled" json:"enabled"`
	Value    int                      `bson:"value" json:"value"`
	Duration tyktime.ReadableDuration `bson:"duration,omitempty" json:"duration,omitempty"`
}

// ValidateRequest validates requests against the OpenAPI schema.
type ValidateRequest struct {
	Enabled           bool `bson:"enabled" json:"enabled"`
	ErrorResponseCode int  `bson:"errorResponseCode,omitempty" json:"errorResponseCode,omitempty"`
}

// MockResponse returns a canned response.
type MockResponse struct {
	Enabled         bool             `bson:"enabled" json:"enabled"`
	Code            int              `bson:"code,omitempty" json:"code,omitempty"`
	Body            string           `bson:"body,omitempty" json:"body,omitempty"`
	Headers         Headers          `bson:"headers,omitempty" json:"headers,omitempty"`
	FromOASExamples *FromOASExamples `bson:"fromOASExamples,omitempty" json:"fromOASExamples,omitempty"`
}

// FromOASExamples builds the mock response from OpenAPI examples.
type FromOASExamples struct {
	Enabled     bool   `bson:"enabled" json:"enabled"`
	Code        int    `bson:"code,omitempty" json:"code,omitempty"`
	ContentType string `bson:"contentType,omitempty" json:"contentType,omitempty"`
	ExampleName string `bson:"exampleName,omitempty" json:"exampleName,omitempty"`
}

// VirtualEndpoint serves the endpoint from a JavaScript function.
type VirtualEndpoint struct {
	Enabled bool `bson:"enabled" json:"enabled"`
	// Deprecated: use FunctionName.
	Name           string `bson:"name,omitempty" json:"name,omitempty"`
	FunctionName   string `bson:"functionName" json:"functionName"`
	Path           string `bson:"path,omitempty" json:"path,omitempty"`
	Body           string `bson:"body,omitempty" json:"body,omitempty"`
	ProxyOnError   bool   `bson:"proxyOnError,omitempty" json:"proxyOnError,omitempty"`
	RequireSession bool   `bson:"requireSession,omitempty" json:"requireSession,omitempty"`
}

// EndpointPostPlugin is an endpoint-level Go plugin.
type EndpointPostPlugin struct {
	Enabled bool `bson:"enabled" json:"enabled"`
	// Deprecated: use FunctionName.
	Name         string `bson:"name,omitempty" json:"name,omitempty"`
	FunctionName string `bson:"functionName" json:"functionName"`
	Path         string `bson:"path" json:"path"`
}

// EndpointPostPlugins is a list of EndpointPostPlugin.
type EndpointPostPlugins []EndpointPostPlugin

// CircuitBreaker configures the endpoint circuit breaker.
type CircuitBreaker struct {
	Enabled              bool    `bson:"enabled" json:"enabled"`
	Threshold            float64 `bson:"threshold" json:"threshold"`
	SampleSize           int     `bson:"sampleSize" json:"sampleSize"`
	CoolDownPeriod       int     `bson:"coolDownPeriod" json:"coolDownPeriod"`
	HalfOpenStateEnabled bool    `bson:"halfOpenStateEnabled" json:"halfOpenStateEnabled"`
}

// TrackEndpoint turns analytics tracking on (trackEndpoint) or off
// (doNotTrackEndpoint) for an endpoint.
type TrackEndpoint struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}

// RequestSizeLimit limits the request body size of an endpoint.
type RequestSizeLimit struct {
	Enabled bool  `bson:"enabled" json:"enabled"`
	Value   int64 `bson:"value" json:"value"`
}

// URLRewriteCondition combines trigger rules: "all" or "any".
type URLRewriteCondition string

// URLRewriteInput is what a rewrite rule matches against.
type URLRewriteInput string

// URL rewrite inputs and conditions.
const (
	InputQuery           URLRewriteInput = "query"
	InputPath            URLRewriteInput = "path"
	InputHeader          URLRewriteInput = "header"
	InputSessionMetadata URLRewriteInput = "sessionMetadata"
	InputRequestBody     URLRewriteInput = "requestBody"
	InputRequestContext  URLRewriteInput = "requestContext"

	ConditionAll URLRewriteCondition = "all"
	ConditionAny URLRewriteCondition = "any"
)

// URLRewrite rewrites the upstream URL.
type URLRewrite struct {
	Enabled   bool                 `bson:"enabled" json:"enabled"`
	Pattern   string               `bson:"pattern,omitempty" json:"pattern,omitempty"`
	RewriteTo string               `bson:"rewriteTo,omitempty" json:"rewriteTo,omitempty"`
	Triggers  []*URLRewriteTrigger `bson:"triggers,omitempty" json:"triggers,omitempty"`
}

// URLRewriteTrigger is an additional rewrite condition.
type URLRewriteTrigger struct {
	Condition URLRewriteCondition `bson:"condition" json:"condition"`
	Rules     []*URLRewriteRule   `bson:"rules,omitempty" json:"rules,omitempty"`
	RewriteTo string              `bson:"rewriteTo" json:"rewriteTo"`
}

// URLRewriteRule matches Pattern against the input selected by In and Name.
type URLRewriteRule struct {
	In      URLRewriteInput `bson:"in" json:"in"`
	Name    string          `bson:"name,omitempty" json:"name,omitempty"`
	Pattern string          `bson:"pattern" json:"pattern"`
	Negate  bool            `bson:"negate,omitempty" json:"negate,omitempty"`
}

// AllowanceType tells an allow list from a block list and an ignore-authentication list.
type AllowanceType int

// URLRewriteConditions are the trigger conditions, in order.
var URLRewriteConditions = []URLRewriteCondition{ConditionAll, ConditionAny}

// URLRewriteInputs are the rule inputs, in their sort order (Index).
var URLRewriteInputs = []URLRewriteInput{InputQuery, InputPath, InputHeader, InputSessionMetadata, InputRequestBody, InputRequestContext}

// Valid reports whether i is one of URLRewriteInputs.
func (i URLRewriteInput) Valid() bool { return i.Index() >= 0 }

// Index is i's position in URLRewriteInputs, or -1.
func (i URLRewriteInput) Index() int {
	for k, v := range URLRewriteInputs {
		if v == i {
			return k
		}
	}
	return -1
}

// Err is an error naming i when it is not valid, else nil.
func (i URLRewriteInput) Err() error {
	if !i.Valid() {
		return fmt.Errorf("Invalid value for URL rewrite input: %s", i)
	}
	return nil
}

// Sort orders each trigger's rules by input (URLRewriteInputs order), then name.
func (v *URLRewrite) Sort() {
	for _, t := range v.Triggers {
		rules := t.Rules
		sort.Slice(rules, func(a, b int) bool {
			if ia, ib := rules[a].In.Index(), rules[b].In.Index(); ia != ib {
				return ia < ib
			}
			return rules[a].Name < rules[b].Name
		})
	}
}

// MarshalJSON writes a deprecated Name as FunctionName when FunctionName is
// empty (null for a nil endpoint), as Tyk does.
func (v *VirtualEndpoint) MarshalJSON() ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	type plain VirtualEndpoint
	out := plain(*v)
	if out.FunctionName == "" && out.Name != "" {
		out.FunctionName, out.Name = out.Name, ""
	}
	return json.Marshal(out)
}

// MarshalJSON writes a deprecated Name as FunctionName when FunctionName is
// empty (null for a nil plugin), as Tyk does.
func (ep *EndpointPostPlugin) MarshalJSON() ([]byte, error) {
	if ep == nil {
		return nil, nil
	}
	type plain EndpointPostPlugin
	out := plain(*ep)
	if out.FunctionName == "" && out.Name != "" {
		out.FunctionName, out.Name = out.Name, ""
	}
	return json.Marshal(out)
}
