// Package user mirrors the session types of github.com/TykTechnologies/tyk/user
// that plugins read and modify: SessionState and the access-rights types it
// contains. Field names, types and JSON tags follow Tyk 5.x.
package user

import (
	"crypto/md5"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/TykTechnologies/tyk/apidef"
)

// HashType names the algorithm a basic-auth password is stored with.
type HashType string

// Known hash types. Only HashPlainText is typed: in Tyk the others are
// untyped string constants, so they also fit plain strings.
const (
	HashPlainText HashType = ""
	HashBCrypt             = "bcrypt"
	HashSha256             = "sha256"
	HashMurmur32           = "murmur32"
	HashMurmur64           = "murmur64"
	HashMurmur128          = "murmur128"
)

// PostExpiryAction is what happens to a key once it expires: deleted, or
// kept (for PostExpiryGracePeriod seconds, -1 for ever).
type PostExpiryAction string

// Post-expiry actions.
const (
	PostExpiryActionRetain PostExpiryAction = "retain"
	PostExpiryActionDelete PostExpiryAction = "delete"
)

// IsHashType reports whether t names one of the supported hash algorithms.
func IsHashType(t string) bool {
	switch HashType(t) {
	case HashBCrypt, HashSha256, HashMurmur32, HashMurmur64, HashMurmur128:
		return true
	}
	return false
}

// AccessSpec restricts a key to some URL patterns (regular expressions) and
// methods of an API.
type AccessSpec struct {
	URL     string   `json:"url" msg:"url"`
	Methods []string `json:"methods" msg:"methods"`
}

// RateLimit is a rate/per pair with optional smoothing.
type RateLimit struct {
	// Rate is how many requests are allowed per Per seconds.
	Rate float64 `json:"rate,omitzero" msg:"rate"`
	// Per is the rate limiting window, in seconds.
	Per float64 `json:"per,omitzero" msg:"per"`
	// Smoothing holds optional rate limit smoothing settings.
	Smoothing *apidef.RateLimitSmoothing `json:"smoothing,omitzero" bson:"smoothing,omitempty"`
}

// Duration is the interval between two requests at the configured rate
// (zero when rate or per are not positive).
func (r RateLimit) Duration() time.Duration {
	if r.Rate <= 0 || r.Per <= 0 {
		return 0
	}
	return time.Duration(r.Per / r.Rate * float64(time.Second))
}

// APILimit carries rate limit and quota settings for one API in AccessRights.
type APILimit struct {
	RateLimit
	ThrottleInterval   float64 `json:"throttle_interval,omitzero" msg:"throttle_interval"`
	ThrottleRetryLimit int     `json:"throttle_retry_limit,omitzero" msg:"throttle_retry_limit"`
	MaxQueryDepth      int     `json:"max_query_depth,omitzero" msg:"max_query_depth"`
	QuotaMax           int64   `json:"quota_max,omitzero" msg:"quota_max"`
	QuotaRenews        int64   `json:"quota_renews,omitzero" msg:"quota_renews"`
	QuotaRemaining     int64   `json:"quota_remaining,omitzero" msg:"quota_remaining"`
	QuotaRenewalRate   int64   `json:"quota_renewal_rate,omitzero" msg:"quota_renewal_rate"`
	SetBy              string  `json:"-" msg:"-"`
}

// IsEmpty reports whether no limit value is set.
func (a APILimit) IsEmpty() bool {
	return a.Rate == 0 && a.Per == 0 && a.ThrottleInterval == 0 &&
		a.ThrottleRetryLimit == 0 && a.MaxQueryDepth == 0 && a.QuotaMax == 0 &&
		a.QuotaRenews == 0 && a.QuotaRemaining == 0 && a.QuotaRenewalRate == 0 &&
		a.SetBy == ""
}

// IsZero is IsEmpty: what `omitzero` asks, so an empty limit is not encoded.
func (a APILimit) IsZero() bool { return a.IsEmpty() }

// IsZero reports whether no rate, per or smoothing is set (for `omitzero`).
func (r RateLimit) IsZero() bool { return r.Rate == 0 && r.Per == 0 && r.Smoothing == nil }

// Clone returns an independent copy of a.
func (a APILimit) Clone() *APILimit {
	out := a
	if a.Smoothing != nil {
		s := *a.Smoothing
		out.Smoothing = &s
	}
	return &out
}

// GraphQLType names a GraphQL type and some of its fields. Tyk uses the type
// graphql.Type from graphql-go-tools here; this struct has the same JSON shape.
type GraphQLType struct {
	Name   string   `json:"name"`
	Fields []string `json:"fields"`
}

// FieldLimits limits access to one GraphQL field.
type FieldLimits struct {
	MaxQueryDepth int `json:"max_query_depth,omitzero" msg:"max_query_depth"`
}

// IsZero reports whether no limit is set (for `omitzero`).
func (f FieldLimits) IsZero() bool { return f.MaxQueryDepth == 0 }

// FieldAccessDefinition applies FieldLimits to a GraphQL type field.
type FieldAccessDefinition struct {
	TypeName  string      `json:"type_name,omitzero" msg:"type_name"`
	FieldName string      `json:"field_name,omitzero" msg:"field_name"`
	Limits    FieldLimits `json:"limits,omitzero" msg:"limits"`
}

// AccessDefinition describes what a key may do on one API.
type AccessDefinition struct {
	APIName              string                  `json:"api_name,omitzero" msg:"api_name"`
	APIID                string                  `json:"api_id,omitzero" msg:"api_id"`
	Versions             []string                `json:"versions,omitempty" msg:"versions"`
	AllowedURLs          []AccessSpec            `bson:"allowed_urls" json:"allowed_urls,omitempty" msg:"allowed_urls"`
	RestrictedTypes      []GraphQLType           `json:"restricted_types,omitempty" msg:"restricted_types"`
	AllowedTypes         []GraphQLType           `json:"allowed_types,omitempty" msg:"allowed_types"`
	Limit                APILimit                `json:"limit,omitzero" msg:"limit"`
	FieldAccessRights    []FieldAccessDefinition `json:"field_access_rights,omitempty" msg:"field_access_rights"`
	DisableIntrospection bool                    `json:"disable_introspection,omitzero" msg:"disable_introspection"`

	AllowanceScope string `json:"allowance_scope,omitzero" msg:"allowance_scope"`

	Endpoints Endpoints `json:"endpoints,omitzero" msg:"endpoints,omitempty"`

	JSONRPCMethods             []JSONRPCMethodLimit `json:"json_rpc_methods,omitempty" msg:"json_rpc_methods"`
	JSONRPCMethodsAccessRights AccessControlRules   `json:"json_rpc_methods_access_rights,omitzero" msg:"json_rpc_methods_access_rights"`
	MCPPrimitives              []MCPPrimitiveLimit  `json:"mcp_primitives,omitempty" msg:"mcp_primitives"`
	MCPAccessRights            MCPAccessRights      `json:"mcp_access_rights,omitzero" msg:"mcp_access_rights"`
}

// BasicAuthData holds the basic-auth password of a key.
type BasicAuthData struct {
	Password string   `json:"password,omitzero" msg:"password"`
	Hash     HashType `json:"hash_type,omitzero" msg:"hash_type"`
}

// IsZero reports whether neither password nor hash type is set (for `omitzero`).
func (b BasicAuthData) IsZero() bool { return b.Password == "" && b.Hash == "" }

// JWTData holds the JWT secret of a key.
type JWTData struct {
	Secret string `json:"secret,omitzero" msg:"secret"`
}

// IsZero reports whether no secret is set (for `omitzero`).
func (j JWTData) IsZero() bool { return j.Secret == "" }

// Monitor holds quota usage trigger thresholds.
type Monitor struct {
	TriggerLimits []float64 `json:"trigger_limits,omitempty" msg:"trigger_limits"`
}

// IsZero reports whether no trigger is set (for `omitzero`).
func (m Monitor) IsZero() bool { return len(m.TriggerLimits) == 0 }

// EndpointMethod is a per-method rate limit for an endpoint.
type EndpointMethod struct {
	Name  string    `json:"name,omitempty" msg:"name,omitempty"`
	Limit RateLimit `json:"limit,omitempty" msg:"limit,omitempty"`
}

// EndpointMethods is a list of EndpointMethod.
type EndpointMethods []EndpointMethod

// Len is the number of methods (EndpointMethods is a sort.Interface).
func (em EndpointMethods) Len() int { return len(em) }

// Less orders methods by name, ignoring case.
func (em EndpointMethods) Less(i, j int) bool {
	return strings.ToUpper(em[i].Name) < strings.ToUpper(em[j].Name)
}

// Swap exchanges two methods.
func (em EndpointMethods) Swap(i, j int) { em[i], em[j] = em[j], em[i] }

// Contains reports whether method (case-insensitive) is in the list.
func (em EndpointMethods) Contains(method string) bool {
	for _, m := range em {
		if strings.EqualFold(m.Name, method) {
			return true
		}
	}
	return false
}

// Endpoint holds the per-method rate limits of one path.
type Endpoint struct {
	Path    string          `json:"path,omitempty" msg:"path"`
	Methods EndpointMethods `json:"methods,omitempty" msg:"methods"`
}

// Endpoints is a list of Endpoint, sortable by path.
type Endpoints []Endpoint

func (es Endpoints) Len() int           { return len(es) }
func (es Endpoints) Less(i, j int) bool { return es[i].Path < es[j].Path }
func (es Endpoints) Swap(i, j int)      { es[i], es[j] = es[j], es[i] }

// EndpointsMap indexes endpoint rate limits by "METHOD:path".
type EndpointsMap map[string]RateLimit

// Map converts es into an EndpointsMap; later duplicates win.
func (es Endpoints) Map() EndpointsMap {
	if len(es) == 0 {
		return nil
	}
	out := EndpointsMap{}
	for _, e := range es {
		for _, m := range e.Methods {
			out[m.Name+":"+e.Path] = m.Limit
		}
	}
	return out
}

// Endpoints converts em back into a sorted Endpoints list.
func (em EndpointsMap) Endpoints() Endpoints {
	if len(em) == 0 {
		return nil
	}
	byPath := map[string]EndpointMethods{}
	for key, limit := range em {
		method, path, ok := strings.Cut(key, ":")
		if !ok || strings.Contains(path, ":") {
			continue
		}
		byPath[path] = append(byPath[path], EndpointMethod{Name: method, Limit: limit})
	}
	var out Endpoints
	for path, methods := range byPath {
		sort.Slice(methods, func(i, j int) bool {
			return strings.ToUpper(methods[i].Name) < strings.ToUpper(methods[j].Name)
		})
		out = append(out, Endpoint{Path: path, Methods: methods})
	}
	sort.Sort(out)
	return out
}

// EndpointRateLimitInfo describes the endpoint rate limit that applies to a
// request.
type EndpointRateLimitInfo struct {
	KeySuffix string
	Rate      float64
	Per       float64
}

// SessionState is the state of an API key: its limits, quotas, access
// rights and metadata.
type SessionState struct {
	LastCheck                     int64                       `json:"last_check,omitzero" msg:"last_check"`
	Allowance                     float64                     `json:"allowance,omitzero" msg:"allowance"`
	Rate                          float64                     `json:"rate,omitzero" msg:"rate"`
	Per                           float64                     `json:"per,omitzero" msg:"per"`
	ThrottleInterval              float64                     `json:"throttle_interval,omitzero" msg:"throttle_interval"`
	ThrottleRetryLimit            int                         `json:"throttle_retry_limit,omitzero" msg:"throttle_retry_limit"`
	MaxQueryDepth                 int                         `json:"max_query_depth,omitzero" msg:"max_query_depth"`
	DateCreated                   time.Time                   `json:"date_created,omitzero" msg:"date_created"`
	Expires                       int64                       `json:"expires,omitzero" msg:"expires"`
	QuotaMax                      int64                       `json:"quota_max,omitzero" msg:"quota_max"`
	QuotaRenews                   int64                       `json:"quota_renews,omitzero" msg:"quota_renews"`
	QuotaRemaining                int64                       `json:"quota_remaining,omitzero" msg:"quota_remaining"`
	QuotaRenewalRate              int64                       `json:"quota_renewal_rate,omitzero" msg:"quota_renewal_rate"`
	AccessRights                  map[string]AccessDefinition `json:"access_rights,omitempty" msg:"access_rights"`
	OrgID                         string                      `json:"org_id,omitzero" msg:"org_id"`
	OauthClientID                 string                      `json:"oauth_client_id,omitzero" msg:"oauth_client_id"`
	OauthKeys                     map[string]string           `json:"oauth_keys,omitempty" msg:"oauth_keys"`
	Certificate                   string                      `json:"certificate,omitzero" msg:"certificate"`
	MtlsStaticCertificateBindings []string                    `json:"mtls_static_certificate_bindings,omitempty" msg:"mtls_static_certificate_bindings"`
	BasicAuthData                 BasicAuthData               `json:"basic_auth_data,omitzero" msg:"basic_auth_data"`
	JWTData                       JWTData                     `json:"jwt_data,omitzero" msg:"jwt_data"`
	HMACEnabled                   bool                        `json:"hmac_enabled,omitzero" msg:"hmac_enabled"`
	EnableHTTPSignatureValidation bool                        `json:"enable_http_signature_validation,omitzero" msg:"enable_http_signature_validation"`
	HmacSecret                    string                      `json:"hmac_string,omitzero" msg:"hmac_string"`
	RSACertificateId              string                      `json:"rsa_certificate_id,omitzero" msg:"rsa_certificate_id"`
	IsInactive                    bool                        `json:"is_inactive,omitzero" msg:"is_inactive"`
	ApplyPolicyID                 string                      `json:"apply_policy_id,omitzero" msg:"apply_policy_id"`
	ApplyPolicies                 []string                    `json:"apply_policies,omitempty" msg:"apply_policies"`
	DataExpires                   int64                       `json:"data_expires,omitzero" msg:"data_expires"`
	Monitor                       Monitor                     `json:"monitor,omitzero" msg:"monitor"`
	// Deprecated: use EnableDetailedRecording.
	EnableDetailRecording   bool                   `json:"enable_detail_recording,omitzero" msg:"enable_detail_recording"`
	EnableDetailedRecording bool                   `json:"enable_detailed_recording,omitzero" msg:"enable_detailed_recording"`
	MetaData                map[string]interface{} `json:"meta_data,omitempty" msg:"meta_data"`
	Tags                    []string               `json:"tags,omitempty" msg:"tags"`
	Alias                   string                 `json:"alias,omitzero" msg:"alias"`
	LastUpdated             string                 `json:"last_updated,omitzero" msg:"last_updated"`
	IdExtractorDeadline     int64                  `json:"id_extractor_deadline,omitzero" msg:"id_extractor_deadline"`
	SessionLifetime         int64                  `bson:"session_lifetime" json:"session_lifetime,omitzero"`
	PostExpiryAction        PostExpiryAction       `json:"post_expiry_action,omitzero" msg:"post_expiry_action"`
	PostExpiryGracePeriod   int64                  `json:"post_expiry_grace_period,omitzero" msg:"post_expiry_grace_period"`

	// keyHash caches the hashed form of the key (see SetKeyHash).
	keyHash string
	// KeyID is the raw key; it is never serialised.
	KeyID string `json:"-"`

	// Smoothing holds optional rate limit smoothing settings.
	Smoothing *apidef.RateLimitSmoothing `json:"smoothing,omitzero" bson:"smoothing"`

	// modified is set by Touch and tells the gateway to persist the session.
	modified bool
}

// NewSessionState returns an empty session.
func NewSessionState() *SessionState {
	return &SessionState{}
}

// APILimit returns the session-level limits as an APILimit.
func (s *SessionState) APILimit() APILimit {
	return APILimit{
		RateLimit: RateLimit{
			Rate:      s.Rate,
			Per:       s.Per,
			Smoothing: s.Smoothing,
		},
		ThrottleInterval:   s.ThrottleInterval,
		ThrottleRetryLimit: s.ThrottleRetryLimit,
		MaxQueryDepth:      s.MaxQueryDepth,
		QuotaMax:           s.QuotaMax,
		QuotaRenews:        s.QuotaRenews,
		QuotaRenewalRate:   s.QuotaRenewalRate,
	}
}

// Touch flags the session as modified so the gateway stores it after the
// current middleware.
func (s *SessionState) Touch() {
	s.modified = true
}

// Reset clears the modified flag.
func (s *SessionState) Reset() {
	s.modified = false
}

// IsModified reports whether Touch was called since the last Reset.
func (s *SessionState) IsModified() bool {
	return s.modified
}

// Clone returns a copy of s whose maps and slices are not shared with s.
func (s SessionState) Clone() SessionState {
	out := s
	out.AccessRights = copyMap(s.AccessRights)
	out.OauthKeys = copyMap(s.OauthKeys)
	out.ApplyPolicies = copySlice(s.ApplyPolicies)
	out.MetaData = copyMap(s.MetaData)
	out.Tags = copySlice(s.Tags)
	return out
}

func copySlice[T any](in []T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	copy(out, in)
	return out
}

func copyMap[K comparable, V any](in map[K]V) map[K]V {
	if in == nil {
		return nil
	}
	out := make(map[K]V, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// MD5Hash returns an MD5 fingerprint of the session contents.
func (s *SessionState) MD5Hash() string {
	return fmt.Sprintf("%x", md5.Sum([]byte(fmt.Sprintf("%+v", s))))
}

// KeyHash returns the cached key hash. Like Tyk, it panics when SetKeyHash
// has not been called (ctx.SetSession sets it).
func (s *SessionState) KeyHash() string {
	if s.keyHash == "" {
		panic("KeyHash cache not found. You should call `SetKeyHash` before.")
	}
	return s.keyHash
}

// SetKeyHash stores the hashed form of the key.
func (s *SessionState) SetKeyHash(hash string) {
	s.keyHash = hash
}

// KeyHashEmpty reports whether no key hash is cached.
func (s *SessionState) KeyHashEmpty() bool {
	return s.keyHash == ""
}

// Lifetime returns how long (in seconds) the session should be kept in
// storage. A forced global lifetime wins; otherwise the session's own
// SessionLifetime, then fallback. When respectKeyExpiration is set and the
// key expires after that lifetime would end, the time until expiry is
// returned instead.
func (s *SessionState) Lifetime(respectKeyExpiration bool, fallback int64, forceGlobalSessionLifetime bool, globalSessionLifetime int64) int64 {
	if forceGlobalSessionLifetime {
		return globalSessionLifetime
	}
	// Tyk 5.14: an explicit post-expiry action decides the lifetime instead.
	if s.PostExpiryAction == PostExpiryActionDelete || (s.PostExpiryAction == PostExpiryActionRetain && s.PostExpiryGracePeriod != 0) {
		return s.postExpiryLifetime()
	}
	if s.SessionLifetime > 0 {
		return lifetimeWithExpiry(respectKeyExpiration, s.Expires, s.SessionLifetime)
	}
	if fallback > 0 {
		return lifetimeWithExpiry(respectKeyExpiration, s.Expires, fallback)
	}
	return 0
}

// postExpiryLifetime is how long a key with a post-expiry action is kept, in
// seconds: until it expires (delete) or for the grace period after that
// (retain; -1 for ever); 0 for a key that never expires, and 1 (go at once)
// for a time already past.
func (s *SessionState) postExpiryLifetime() int64 {
	if s.Expires <= 0 {
		return 0
	}
	left := s.Expires - time.Now().Unix()
	if s.PostExpiryAction == PostExpiryActionRetain {
		if s.PostExpiryGracePeriod == -1 {
			return -1
		}
		left += s.PostExpiryGracePeriod
	}
	if left <= 0 {
		return 1
	}
	return left
}

func lifetimeWithExpiry(respect bool, expires, lifetime int64) int64 {
	if !respect || lifetime <= 0 {
		return lifetime
	}
	if expires <= 0 {
		return expires
	}
	now := time.Now()
	if end := now.Add(time.Duration(lifetime) * time.Second).Unix(); expires > end {
		return expires - now.Unix()
	}
	return lifetime
}

// PolicyIDs returns the applied policy IDs, falling back to the legacy
// single ApplyPolicyID.
func (s *SessionState) PolicyIDs() []string {
	if len(s.ApplyPolicies) > 0 {
		return s.ApplyPolicies
	}
	if s.ApplyPolicyID != "" {
		return []string{s.ApplyPolicyID}
	}
	return nil
}

// SetPolicies replaces the applied policies (and clears ApplyPolicyID).
func (s *SessionState) SetPolicies(ids ...string) {
	s.ApplyPolicyID = ""
	s.ApplyPolicies = ids
}

// PoliciesEqualTo reports whether ids holds exactly the applied policies,
// in any order.
func (s *SessionState) PoliciesEqualTo(ids []string) bool {
	if len(ids) != len(s.ApplyPolicies) {
		return false
	}
	want := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		want[id] = struct{}{}
	}
	for _, id := range s.ApplyPolicies {
		if _, ok := want[id]; !ok {
			return false
		}
	}
	return true
}

// HasPolicy reports whether id is among the applied policies.
// (Not part of Tyk's API; a convenience for plugins and the shim.)
func (s *SessionState) HasPolicy(id string) bool {
	for _, p := range s.PolicyIDs() {
		if p == id {
			return true
		}
	}
	return false
}

// GetQuotaLimitByAPIID returns quota max, remaining, renewal rate and renews
// for apiID, using the per-API limit when one is set.
func (s *SessionState) GetQuotaLimitByAPIID(apiID string) (int64, int64, int64, int64) {
	if ad, ok := s.AccessRights[apiID]; ok && !ad.Limit.IsEmpty() {
		l := ad.Limit
		return l.QuotaMax, l.QuotaRemaining, l.QuotaRenewalRate, l.QuotaRenews
	}
	return s.QuotaMax, s.QuotaRemaining, s.QuotaRenewalRate, s.QuotaRenews
}

// IsBasicAuth reports whether the session belongs to a basic-auth user.
func (s *SessionState) IsBasicAuth() bool {
	return s.BasicAuthData.Password != ""
}

// TagsFromMetadata copies developer-portal data from data into the session:
// "tyk_developer_id" and "rate_limit_pattern" (strings) and "policies" (a
// list) go into MetaData, and every string in the "tags" list is appended to
// Tags. It reports whether anything was copied, i.e. whether the session
// needs saving.
func (s *SessionState) TagsFromMetadata(data map[string]interface{}) (updateSession bool) {
	setMeta := func(key string, val interface{}) {
		if s.MetaData == nil {
			s.MetaData = map[string]interface{}{}
		}
		s.MetaData[key] = val
		updateSession = true
	}

	if v, ok := data["tyk_developer_id"].(string); ok {
		setMeta("tyk_developer_id", v)
	}
	if v, ok := data["rate_limit_pattern"].(string); ok {
		setMeta("rate_limit_pattern", v)
	}
	if list, ok := data["tags"].([]interface{}); ok {
		for _, item := range list {
			if tag, isStr := item.(string); isStr {
				s.Tags = append(s.Tags, tag)
			}
		}
		updateSession = true
	}
	if v, ok := data["policies"].([]interface{}); ok {
		setMeta("policies", v)
	}
	return updateSession
}
