// Package header holds the HTTP header names (and a few media types) that
// Tyk plugins refer to through github.com/TykTechnologies/tyk/header.
package header

// Standard HTTP headers.
const (
	UserAgent               = "User-Agent"
	ContentType             = "Content-Type"
	ContentLength           = "Content-Length"
	Authorization           = "Authorization"
	ContentEncoding         = "Content-Encoding"
	Accept                  = "Accept"
	AcceptEncoding          = "Accept-Encoding"
	StrictTransportSecurity = "Strict-Transport-Security"
	CacheControl            = "Cache-Control"
	Pragma                  = "Pragma"
	Expires                 = "Expires"
	Connection              = "Connection"
	WWWAuthenticate         = "WWW-Authenticate"
	SetCookie               = "Set-Cookie"
	Cookie                  = "Cookie"
	TransferEncoding        = "Transfer-Encoding"
	Host                    = "Host"
)

// Media types and the hookshot user agent.
const (
	TykHookshot               = "Tyk-Hookshot"
	ApplicationJSON           = "application/json"
	ApplicationFormURLEncoded = "application/x-www-form-urlencoded"
	ApplicationXML            = "application/xml"
	ApplicationSoapXML        = "application/soap+xml"
	TextXML                   = "text/xml"
)

// Proxy and gateway specific headers.
const (
	XRealIP               = "X-Real-IP"
	XForwardFor           = "X-Forwarded-For"
	XAuthResult           = "X-Auth-Result"
	XSessionAlias         = "X-Session-Alias"
	XInitialURI           = "X-Initial-URI"
	XForwardProto         = "X-Forwarded-Proto"
	XContentTypeOptions   = "X-Content-Type-Options"
	XXSSProtection        = "X-XSS-Protection"
	XFrameOptions         = "X-Frame-Options"
	XTykNodeID            = "x-tyk-nodeid"
	XTykSessionID         = "x-tyk-session-id"
	XTykNonce             = "x-tyk-nonce"
	XTykHostname          = "x-tyk-hostname"
	XGenerator            = "X-Generator"
	XTykAuthorization     = "X-Tyk-Authorization"
	XTykAcceptExampleName = "X-Tyk-Accept-Example-Name"
	XTykAcceptExampleCode = "X-Tyk-Accept-Example-Code"
)

// Connection upgrade / websocket headers.
const (
	Upgrade              = "Upgrade"
	SecWebSocketProtocol = "Sec-WebSocket-Protocol"
	SecWebSocketVersion  = "Sec-WebSocket-Version"
	SecWebSocketKey      = "Sec-WebSocket-Key"
)

// Rate limit headers added to responses by the gateway.
const (
	XRateLimitLimit     = "X-RateLimit-Limit"
	XRateLimitRemaining = "X-RateLimit-Remaining"
	XRateLimitReset     = "X-RateLimit-Reset"
)
