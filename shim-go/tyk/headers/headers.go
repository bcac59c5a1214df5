// Package headers is the older name of package header, kept because plugins
// written for earlier Tyk releases import github.com/TykTechnologies/tyk/headers.
// It exposes the same set of names Tyk's headers package has.
package headers

// The values are package header's, so the two can never drift apart.
import "github.com/TykTechnologies/tyk/header"

// Standard HTTP headers.
const (
	UserAgent               = header.UserAgent
	ContentType             = header.ContentType
	ContentLength           = header.ContentLength
	Authorization           = header.Authorization
	ContentEncoding         = header.ContentEncoding
	Accept                  = header.Accept
	AcceptEncoding          = header.AcceptEncoding
	StrictTransportSecurity = header.StrictTransportSecurity
	CacheControl            = header.CacheControl
	Pragma                  = header.Pragma
	Expires                 = header.Expires
	Connection              = header.Connection
	WWWAuthenticate         = header.WWWAuthenticate
)

// Media types and the hookshot user agent.
const (
	TykHookshot     = header.TykHookshot
	ApplicationJSON = header.ApplicationJSON
	ApplicationXML  = header.ApplicationXML
	TextXML         = header.TextXML
)

// Proxy and gateway specific headers.
const (
	XRealIP             = header.XRealIP
	XForwardFor         = header.XForwardFor
	XAuthResult         = header.XAuthResult
	XSessionAlias       = header.XSessionAlias
	XInitialURI         = header.XInitialURI
	XForwardProto       = header.XForwardProto
	XContentTypeOptions = header.XContentTypeOptions
	XXSSProtection      = header.XXSSProtection
	XFrameOptions       = header.XFrameOptions
	XTykNodeID          = header.XTykNodeID
	XTykNonce           = header.XTykNonce
	XTykHostname        = header.XTykHostname
	XGenerator          = header.XGenerator
	XTykAuthorization   = header.XTykAuthorization
)

// Rate limit headers added to responses by the gateway.
const (
	XRateLimitLimit     = header.XRateLimitLimit
	XRateLimitRemaining = header.XRateLimitRemaining
	XRateLimitReset     = header.XRateLimitReset
)

// Headers of Tyk 4.x's package that Tyk 5's header package dropped.
const (
	XTykSessionID        = "x-tyk-session-id"
	Upgrade              = "Upgrade"
	SecWebSocketProtocol = "Sec-WebSocket-Protocol"
	SecWebSocketVersion  = "Sec-WebSocket-Version"
	SecWebSocketKey      = "Sec-WebSocket-Key"
)
