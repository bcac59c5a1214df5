// Package errors holds the type of Tyk's structured error classification
// (github.com/TykTechnologies/tyk/internal/errors), which ctx's
// GetErrorClassification/SetErrorClassification carry on a request. This
// gateway sets none itself; a plugin may set and read one.
package errors

import "time"

// ResponseFlag is a short code naming the kind of error (Envoy's response
// flags: "UCF" upstream connection failure, "RLT" rate limited, ...).
type ResponseFlag string

// String is the flag itself.
func (f ResponseFlag) String() string { return string(f) }

// ErrorClassification describes why a request failed, for access logs.
type ErrorClassification struct {
	Flag                ResponseFlag
	Details             string
	Source              string
	Target              string
	UpstreamStatus      int
	TLSCertExpiry       time.Time
	TLSCertSubject      string
	CircuitBreakerState string
	TemplateData        map[string]any
}

// NewErrorClassification returns a classification with flag and details.
func NewErrorClassification(flag ResponseFlag, details string) *ErrorClassification {
	return &ErrorClassification{Flag: flag, Details: details}
}

// WithSource sets Source and returns ec.
func (ec *ErrorClassification) WithSource(source string) *ErrorClassification {
	ec.Source = source
	return ec
}

// WithTarget sets Target and returns ec.
func (ec *ErrorClassification) WithTarget(target string) *ErrorClassification {
	ec.Target = target
	return ec
}

// WithTLSInfo sets the TLS certificate's expiry and subject and returns ec.
func (ec *ErrorClassification) WithTLSInfo(expiry time.Time, subject string) *ErrorClassification {
	ec.TLSCertExpiry, ec.TLSCertSubject = expiry, subject
	return ec
}

// WithCircuitBreakerState sets CircuitBreakerState and returns ec.
func (ec *ErrorClassification) WithCircuitBreakerState(state string) *ErrorClassification {
	ec.CircuitBreakerState = state
	return ec
}

// WithUpstreamStatus sets UpstreamStatus and returns ec.
func (ec *ErrorClassification) WithUpstreamStatus(status int) *ErrorClassification {
	ec.UpstreamStatus = status
	return ec
}

// WithTemplateData sets TemplateData and returns ec.
func (ec *ErrorClassification) WithTemplateData(data map[string]any) *ErrorClassification {
	ec.TemplateData = data
	return ec
}
