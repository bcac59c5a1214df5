package oas

import tyktime "github.com/TykTechnologies/tyk/internal/time"

// ReadableDuration is a duration written in JSON as "1h30m" (Tyk's alias
// of its internal/time.ReadableDuration).
type ReadableDuration = tyktime.ReadableDuration
