package apidef

import (
	"errors"
	"time"
)

// RateLimitSmoothing configures gradual rate limit changes. Between
// Threshold and the configured rate, the allowance moves up or down by Step
// at most once per Delay seconds; Trigger (a fraction of Step) decides how
// close to the allowance the request rate must get before it moves.
type RateLimitSmoothing struct {
	// Enabled turns smoothing on.
	Enabled bool `json:"enabled" bson:"enabled"`
	// Threshold is the request rate (per `per` window) where smoothing starts.
	Threshold int64 `json:"threshold" bson:"threshold"`
	// Trigger is the fraction of Step at which a smoothing event fires.
	Trigger float64 `json:"trigger" bson:"trigger"`
	// Step is the amount the allowance changes by on each event.
	Step int64 `json:"step" bson:"step"`
	// Delay is the minimum number of seconds between allowance changes.
	Delay int64 `json:"delay" bson:"delay"`
}

// Valid reports whether smoothing is enabled and correctly configured.
func (r *RateLimitSmoothing) Valid() bool {
	return r.Err() == nil
}

// Err explains why the smoothing configuration cannot be applied, or
// returns nil when it can.
func (r *RateLimitSmoothing) Err() error {
	switch {
	case r == nil || !r.Enabled:
		return errors.New("rate limit smoothing disabled")
	case r.Threshold <= 0:
		return errors.New("rate limit smoothing disabled: threshold invalid")
	case r.Step <= 0:
		return errors.New("rate limit smoothing disabled: step invalid")
	case r.Trigger <= 0:
		return errors.New("rate limit smoothing disabled: trigger invalid")
	case r.Delay <= 0:
		return errors.New("rate limit smoothing disabled: delay invalid")
	}
	return nil
}

// GetDelay returns Delay as a time.Duration.
func (r *RateLimitSmoothing) GetDelay() time.Duration {
	return time.Duration(r.Delay) * time.Second
}

// IsZero reports whether smoothing is off (or r is nil), for `omitzero`.
func (r *RateLimitSmoothing) IsZero() bool { return r == nil || !r.Enabled }
