// Package cache holds the options type Tyk's process-wide LRU caches take
// (github.com/TykTechnologies/tyk/internal/cache.LRUOptions), which the
// public regexp package exposes through aliases.
package cache

import "time"

// DefaultLRUMaxEntries is the capacity of a cache whose options leave MaxEntries at zero.
const DefaultLRUMaxEntries = 5000

// LogFunc receives eviction summaries (logrus' Warnf fits).
type LogFunc func(format string, args ...any)

// LRUOptions tunes a process-wide LRU cache; zero fields mean the defaults.
type LRUOptions struct {
	Log        LogFunc
	TTL        time.Duration
	MaxEntries int
	Unbounded  bool
	Enabled    bool
}

// ResolveMaxEntries is the capacity opts ask for: 0 (no bound) when
// Unbounded, DefaultLRUMaxEntries when MaxEntries is not positive.
func ResolveMaxEntries(opts LRUOptions) int {
	switch {
	case opts.Unbounded:
		return 0
	case opts.MaxEntries <= 0:
		return DefaultLRUMaxEntries
	}
	return opts.MaxEntries
}
