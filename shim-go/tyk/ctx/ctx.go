// Package ctx gives plugins access to the gateway data attached to a request
// (session, auth token, API definition), with the same names and signatures
// as github.com/TykTechnologies/tyk/ctx.
//
// Values are stored in the request's context.Context under keys of type Key.
// Setters replace *r with a copy carrying the new context, so callers keep
// using the same *http.Request pointer, as in Tyk.
package ctx

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/apidef/oas"
	"github.com/TykTechnologies/tyk/internal/deepcopy"
	tykerrors "github.com/TykTechnologies/tyk/internal/errors"
	"github.com/TykTechnologies/tyk/internal/keyhash"
	logger "github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/user"
)

// Key is the type of the request context keys used by the gateway.
type Key uint

// Context keys, in Tyk 5.14's order (so the numeric values match it), then
// OASOperation, which Tyk 5.0-5.13 had.
const (
	SessionData Key = iota
	// Deprecated: UpdateSession used to request a session update; Tyk 5.x
	// uses SessionState.Touch instead. SetSession still sets it to true
	// when an update is scheduled, for older readers.
	UpdateSession
	AuthToken
	HashedAuthToken
	VersionData
	VersionName
	VersionDefault
	OrgSessionContext
	ContextData
	RetainHost
	TrackThisEndpoint
	DoNotTrackThisEndpoint
	UrlRewritePath
	InternalRedirectTarget
	RequestMethod
	OrigRequestURL
	LoopLevel
	LoopLevelLimit
	ThrottleLevel
	ThrottleLevelLimit
	Trace
	CheckLoopLimits
	UrlRewriteTarget
	TransformedRequestMethod
	Definition
	RequestStatus
	GraphQLRequest
	GraphQLIsWebSocketUpgrade

	// CacheOptions holds the options of the cache writer middleware.
	CacheOptions
	OASDefinition
	SelfLooping
	// RequestStartTime is when the request entered the middleware chain.
	RequestStartTime
	// ErrorClassification holds a *errors.ErrorClassification for access logs.
	ErrorClassification
	// JsonRPCRouting, JSONRPCRequest and JSONRPCRoutingState carry Tyk's
	// JSON-RPC (MCP, A2A) routing of a request.
	JsonRPCRouting
	JSONRPCRequest
	JSONRPCRoutingState
	// MCPRouting says the request came through MCP JSON-RPC routing.
	MCPRouting
	// OriginalRequestPath is the path before any middleware changed it.
	OriginalRequestPath
	// MCPMethod, MCPPrimitiveType, MCPPrimitiveName and JSONRPCErrorCode
	// are the MCP metrics dimensions (GetMCPMethod, ...).
	MCPMethod
	MCPPrimitiveType
	MCPPrimitiveName
	JSONRPCErrorCode
	// MatchedIdPBinding is the client-IdP binding the JWT middleware matched.
	MatchedIdPBinding

	// OASOperation held the matched OAS operation in Tyk 5.0-5.13.
	OASOperation
)

// hashKeys is the default used by SetSession when no hashKey argument is
// given (Tyk reads the gateway's hash_keys setting).
var hashKeys atomic.Bool

// SetHashKeys sets whether SetSession hashes the key ID when computing the
// session's KeyHash and the caller does not say. It stands in for Tyk's
// global hash_keys configuration; the default is false. (Not in Tyk's API;
// meant for the embedding gateway.)
func SetHashKeys(enabled bool) {
	hashKeys.Store(enabled)
}

func setContext(r *http.Request, c context.Context) {
	*r = *r.WithContext(c)
}

func setSession(r *http.Request, s *user.SessionState, scheduleUpdate bool, hashKey bool) {
	if s.KeyID == "" {
		s.KeyID = GetAuthToken(r)
	}
	if s.KeyHashEmpty() {
		s.SetKeyHash(keyhash.HashKey(s.KeyID, hashKey))
	}

	c := context.WithValue(r.Context(), SessionData, s)
	c = context.WithValue(c, AuthToken, s.KeyID)
	if scheduleUpdate {
		s.Touch()
		c = context.WithValue(c, UpdateSession, true)
	}
	setContext(r, c)
}

func resolveHashKey(hashKey []bool) bool {
	if len(hashKey) > 0 {
		return hashKey[0]
	}
	return hashKeys.Load()
}

// GetAuthToken returns the auth token (raw key) stored for the request, or "".
func GetAuthToken(r *http.Request) string {
	if v, ok := r.Context().Value(AuthToken).(string); ok {
		return v
	}
	return ""
}

// GetSession returns the session attached to the request, or nil.
func GetSession(r *http.Request) *user.SessionState {
	v := r.Context().Value(SessionData)
	if v == nil {
		return nil
	}
	if s, ok := v.(*user.SessionState); ok {
		return s
	}
	if l, ok := v.(SessionLoader); ok {
		return l.LoadSession()
	}
	logger.Get().Warning("SessionState struct differ from the gateway version, trying to unmarshal.")
	s, err := convertSession(v)
	if err != nil {
		return nil
	}
	return s
}

// SetSession attaches s to the request and stores its key ID as the auth
// token. When s has no KeyID it takes the request's current auth token.
// scheduleUpdate asks the gateway to persist the session afterwards (it calls
// s.Touch()). The optional hashKey says whether KeyHash is the hashed key;
// without it the SetHashKeys default applies. s must not be nil.
func SetSession(r *http.Request, s *user.SessionState, scheduleUpdate bool, hashKey ...bool) {
	if s == nil {
		panic("setting a nil context SessionData")
	}
	setSession(r, s, scheduleUpdate, resolveHashKey(hashKey))
}

// GetRequestSession is GetSession returning an error instead of nil.
func GetRequestSession(r *http.Request) (*user.SessionState, error) {
	v := r.Context().Value(SessionData)
	if v == nil {
		return nil, errors.New("session data does not yet exist for this request")
	}
	if s, ok := v.(*user.SessionState); ok {
		return s, nil
	}
	logger.Get().Warning("SessionState struct differ from the gateway version, trying to unmarshal.")
	return convertSession(v)
}

// SetRequestSession is SetSession returning an error for a nil session
// instead of panicking.
func SetRequestSession(r *http.Request, s *user.SessionState, scheduleUpdate bool, hashKey ...bool) error {
	if s == nil {
		return errors.New("error: attempted to set a nil context SessionData")
	}
	setSession(r, s, scheduleUpdate, resolveHashKey(hashKey))
	return nil
}

func convertSession(v interface{}) (*user.SessionState, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := &user.SessionState{}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, err
	}
	return s, nil
}

// SessionLoader is a session the embedding gateway decodes only when a plugin
// first asks for it (most plugin calls never do). (Not in Tyk's API.)
type SessionLoader interface {
	LoadSession() *user.SessionState
	SessionLoaded() bool
}

// SessionUpdateScheduled reports whether the session of the request was
// marked for saving, either through SetSession(..., true) or by calling
// Touch on it. (Not in Tyk's API; the gateway checks
// GetSession(r).IsModified(), which this also covers.)
func SessionUpdateScheduled(r *http.Request) bool {
	v := r.Context().Value(SessionData)
	if l, ok := v.(SessionLoader); ok && !l.SessionLoaded() {
		v = nil // never read, so never touched
	}
	if v != nil {
		if s := GetSession(r); s != nil && s.IsModified() {
			return true
		}
	}
	scheduled, _ := r.Context().Value(UpdateSession).(bool)
	return scheduled
}

// SetDefinition attaches a Classic API definition to the request.
func SetDefinition(r *http.Request, s *apidef.APIDefinition) {
	setContext(r, context.WithValue(r.Context(), Definition, s))
}

// GetDefinition returns a deep copy of the request's Classic API
// definition, or nil. Changes to the copy do not affect the gateway.
func GetDefinition(r *http.Request) *apidef.APIDefinition {
	if v, ok := r.Context().Value(Definition).(*apidef.APIDefinition); ok && v != nil {
		return deepcopy.Copy(v)
	}
	return nil
}

// SetOASDefinition attaches an OAS API definition to the request.
func SetOASDefinition(r *http.Request, s *oas.OAS) {
	setContext(r, context.WithValue(r.Context(), OASDefinition, s))
}

// GetOASDefinition returns a deep copy of the request's OAS API definition,
// or nil. Changes to the copy do not affect the gateway.
func GetOASDefinition(r *http.Request) *oas.OAS {
	if v, ok := r.Context().Value(OASDefinition).(*oas.OAS); ok && v != nil {
		return deepcopy.Copy(v)
	}
	return nil
}

// SetErrorClassification attaches an error classification to the request.
func SetErrorClassification(r *http.Request, ec *tykerrors.ErrorClassification) {
	setContext(r, context.WithValue(r.Context(), ErrorClassification, ec))
}

// GetErrorClassification returns the request's error classification, or nil.
func GetErrorClassification(r *http.Request) *tykerrors.ErrorClassification {
	ec, _ := r.Context().Value(ErrorClassification).(*tykerrors.ErrorClassification)
	return ec
}

// GetMCPMethod is the request's JSON-RPC method name for MCP metrics, or "".
func GetMCPMethod(r *http.Request) string { return contextString(r, MCPMethod) }

// GetMCPPrimitiveType is the request's MCP primitive type (tool, resource, prompt), or "".
func GetMCPPrimitiveType(r *http.Request) string { return contextString(r, MCPPrimitiveType) }

// GetMCPPrimitiveName is the request's MCP primitive name, or "".
func GetMCPPrimitiveName(r *http.Request) string { return contextString(r, MCPPrimitiveName) }

// GetJSONRPCErrorCode is the request's JSON-RPC error code, or 0.
func GetJSONRPCErrorCode(r *http.Request) int {
	code, _ := r.Context().Value(JSONRPCErrorCode).(int)
	return code
}

func contextString(r *http.Request, k Key) string {
	s, _ := r.Context().Value(k).(string)
	return s
}
