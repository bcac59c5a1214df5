package oas

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReadableDuration is a time.Duration written in JSON as a compact string
// such as "30s", "1m30s" or "1h". Decoding also accepts a bare number of
// seconds.
type ReadableDuration time.Duration

// Seconds returns the duration in seconds.
func (d ReadableDuration) Seconds() float64 { return time.Duration(d).Seconds() }

// String returns the compact form, e.g. "1h30m" or "45s"; zero is "0s".
func (d ReadableDuration) String() string {
	v := time.Duration(d)
	if v == 0 {
		return "0s"
	}
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
		v = -v
	}
	units := []struct {
		size time.Duration
		name string
	}{
		{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"},
		{time.Millisecond, "ms"}, {time.Microsecond, "µs"}, {time.Nanosecond, "ns"},
	}
	for _, u := range units {
		if n := v / u.size; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteString(u.name)
			v -= n * u.size
		}
	}
	return b.String()
}

// MarshalJSON implements json.Marshaler.
func (d ReadableDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *ReadableDuration) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		var secs float64
		if errNum := json.Unmarshal(data, &secs); errNum != nil {
			return fmt.Errorf("invalid duration %s", data)
		}
		*d = ReadableDuration(secs * float64(time.Second))
		return nil
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: %w", s, err)
	}
	*d = ReadableDuration(v)
	return nil
}
