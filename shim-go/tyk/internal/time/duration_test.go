package time

import (
	"encoding/json"
	"testing"
	"time"
)

func TestReadableDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{`"1m30s"`: 90 * time.Second, `"1h"`: time.Hour, `""`: 0, `"nonsense"`: 0} {
		var d ReadableDuration
		if err := json.Unmarshal([]byte(in), &d); err != nil || time.Duration(d) != want {
			t.Errorf("%s -> %v, %v", in, time.Duration(d), err)
		}
	}
	var d ReadableDuration
	if err := json.Unmarshal([]byte(`45`), &d); err == nil {
		t.Error("a number is refused, as in Tyk")
	}
	for d, want := range map[time.Duration]string{time.Hour + 30*time.Second: `"1h30s"`, 0: `"0s"`, -1500 * time.Millisecond: `"-1s500ms"`} {
		if b, _ := json.Marshal(ReadableDuration(d)); string(b) != want {
			t.Errorf("%v -> %s, want %s", d, b, want)
		}
	}
	if ReadableDuration(1900*time.Millisecond).Seconds() != 1 || ReadableDuration(1100*time.Millisecond).SecondsCeil() != 2 {
		t.Error("Seconds rounds down, SecondsCeil up")
	}
}
