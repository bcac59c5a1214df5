package analytics

import (
	"bytes"
	"encoding/base64"

	"github.com/TykTechnologies/tyk-pump/analytics"
	"github.com/buger/jsonparser"
)

var sensitive = [][]string{{"email"}, {"password"}, {"data", "email"}, {"data", "password"}}

// MaskJSONLoginBody hides e-mail addresses and passwords of JSON login
// bodies in detailed analytics records.
func MaskJSONLoginBody(record *analytics.AnalyticsRecord) {
	if record.ContentLength < 1 {
		return
	}
	raw, err := base64.StdEncoding.DecodeString(record.RawRequest)
	if err != nil {
		return
	}
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		return
	}
	head, body := raw[:i+4], raw[i+4:]
	jsonparser.EachKey(body, func(idx int, _ []byte, _ jsonparser.ValueType, _ error) {
		body, _ = jsonparser.Set(body, []byte(`"****"`), sensitive[idx]...)
	}, sensitive...)
	record.RawRequest = base64.StdEncoding.EncodeToString(append(append([]byte{}, head...), body...))
}
