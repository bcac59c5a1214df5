// Package event holds the names of Tyk's gateway events, event handlers and
// handler kinds (github.com/TykTechnologies/tyk/internal/event), which
// apidef (TykEvent, TykEventHandlerName) and apidef/oas (Kind) alias.
package event

// Event names a gateway event.
type Event string

// Gateway events. RateLimitExceeded is spelt "RatelimitExceeded", as in Tyk.
const (
	QuotaExceeded           Event = "QuotaExceeded"
	AuthFailure             Event = "AuthFailure"
	UpstreamOAuthError      Event = "UpstreamOAuthError"
	KeyExpired              Event = "KeyExpired"
	VersionFailure          Event = "VersionFailure"
	OrgQuotaExceeded        Event = "OrgQuotaExceeded"
	OrgRateLimitExceeded    Event = "OrgRateLimitExceeded"
	TriggerExceeded         Event = "TriggerExceeded"
	BreakerTriggered        Event = "BreakerTriggered"
	BreakerTripped          Event = "BreakerTripped"
	BreakerReset            Event = "BreakerReset"
	HostDown                Event = "HostDown"
	HostUp                  Event = "HostUp"
	TokenCreated            Event = "TokenCreated"
	TokenUpdated            Event = "TokenUpdated"
	TokenDeleted            Event = "TokenDeleted"
	CertificateExpiringSoon Event = "CertificateExpiringSoon"
	CertificateExpired      Event = "CertificateExpired"
	OAuth2ScopeCheckFailed  Event = "OAuth2ScopeCheckFailed"
	RateLimitExceeded       Event = "RatelimitExceeded"
	RateLimitSmoothingUp    Event = "RateLimitSmoothingUp"
	RateLimitSmoothingDown  Event = "RateLimitSmoothingDown"
)

// HandlerName names an event handler in a Classic API definition.
type HandlerName string

// Event handlers.
const (
	LogHandler       HandlerName = "eh_log_handler"
	WebHookHandler   HandlerName = "eh_web_hook_handler"
	JSVMHandler      HandlerName = "eh_dynamic_handler"
	CoProcessHandler HandlerName = "cp_dynamic_handler"
)

// Kind is the kind of an event handler in a Tyk OAS definition.
type Kind string

// Event handler kinds.
const (
	WebhookKind Kind = "webhook"
	JSVMKind    Kind = "custom"
	LogKind     Kind = "log"
)
