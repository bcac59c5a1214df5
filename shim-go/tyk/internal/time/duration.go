// Package time holds Tyk's ReadableDuration
// (github.com/TykTechnologies/tyk/internal/time), which apidef and
// apidef/oas expose: a duration written in JSON as "1h30m" rather than as
// nanoseconds.
package time

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// ReadableDuration is a time.Duration encoded in JSON as a string such as
// "1h30m", "45s" or "250ms" (zero: "0s").
type ReadableDuration time.Duration

// MarshalJSON writes the duration as a quoted string of whole units, largest
// first, from hours down to nanoseconds.
func (d ReadableDuration) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.format() + `"`), nil
}

// UnmarshalJSON reads a quoted duration (time.ParseDuration syntax). As in
// Tyk, anything but a JSON string is an error, "" is zero, and a string
// that does not parse is zero too.
func (d *ReadableDuration) UnmarshalJSON(data []byte) error {
	in, err := strconv.Unquote(string(data))
	if err != nil {
		return errors.New("error while parsing duration")
	}
	parsed, _ := time.ParseDuration(in) // Tyk ignores the error: an invalid string is 0
	*d = ReadableDuration(parsed)
	return nil
}

// Seconds is the duration in whole seconds (rounded down).
func (d ReadableDuration) Seconds() float64 { return math.Floor(time.Duration(d).Seconds()) }

// SecondsCeil is the duration in seconds, rounded up.
func (d ReadableDuration) SecondsCeil() float64 { return math.Ceil(time.Duration(d).Seconds()) }

// Milliseconds is the duration in whole milliseconds.
func (d ReadableDuration) Milliseconds() int64 { return time.Duration(d).Milliseconds() }

// Microseconds is the duration in whole microseconds.
func (d ReadableDuration) Microseconds() int64 { return time.Duration(d).Microseconds() }

// Nanoseconds is the duration in nanoseconds.
func (d ReadableDuration) Nanoseconds() int64 { return time.Duration(d).Nanoseconds() }

var units = []struct {
	size time.Duration
	name string
}{
	{time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"},
	{time.Millisecond, "ms"}, {time.Microsecond, "µs"}, {time.Nanosecond, "ns"},
}

func (d ReadableDuration) format() string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	rest := int64(d)
	if rest < 0 {
		b.WriteByte('-')
		rest = -rest
	}
	for _, u := range units {
		if n := rest / int64(u.size); n > 0 {
			b.WriteString(strconv.FormatInt(n, 10))
			b.WriteString(u.name)
			rest -= n * int64(u.size)
		}
	}
	return b.String()
}
