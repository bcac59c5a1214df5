package main

// Tyk's analytics plugins in test_goplugin.go, run on this gateway's
// tyk-pump/analytics record: the changes Tyk's own examples expect of them.

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/TykTechnologies/tyk-pump/analytics"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func unb64(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const upstreamAnswer = "HTTP/1.1 200 OK\r\nServer: golang\r\nContent-Length: 5\r\n\r\nHello"

func TestDeleteHeaderDropsServerFromTheRecordedResponse(t *testing.T) {
	rec := analytics.AnalyticsRecord{ContentLength: 5, RawResponse: b64(upstreamAnswer)}
	MyAnalyticsPluginDeleteHeader(&rec)
	if got, want := unb64(t, rec.RawResponse), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello"; got != want {
		t.Fatalf("RawResponse = %q, want %q", got, want)
	}
}

func TestMaskJSONLoginBodyMasksEmailAndPasswordAtBothLevels(t *testing.T) {
	body := `{"email": "m", "password": "p", "data": {"email": "m", "password": "p"}}`
	head := "POST / HTTP/1.1\r\nHost: server.com\r\nContent-Length: 72\r\n\r\n"
	rec := analytics.AnalyticsRecord{ContentLength: int64(len(body)), RawRequest: b64(head + body)}
	MyAnalyticsPluginMaskJSONLoginBody(&rec)
	got := unb64(t, rec.RawRequest)
	if !strings.HasPrefix(got, head) {
		t.Fatalf("request head changed: %q", got)
	}
	if want := `{"email": "****", "password": "****", "data": {"email": "****", "password": "****"}}`; got[len(head):] != want {
		t.Fatalf("body = %s, want %s", got[len(head):], want)
	}
}

func TestMaskJSONLoginBodyLeavesBodilessRecordsAlone(t *testing.T) {
	rec := analytics.AnalyticsRecord{RawRequest: b64("GET / HTTP/1.1\r\n\r\n")}
	before := rec.RawRequest
	MyAnalyticsPluginMaskJSONLoginBody(&rec)
	if rec.RawRequest != before {
		t.Fatalf("RawRequest changed: %q", unb64(t, rec.RawRequest))
	}
}

func TestAddTagTagsTheRecordAndRewritesItsResponseHeaders(t *testing.T) {
	rec := analytics.AnalyticsRecord{Tags: []string{"key-abc"}, RawResponse: b64(upstreamAnswer)}
	MyAnalyticsPluginAddTag(&rec)
	if strings.Join(rec.Tags, ",") != "key-abc,TEST" {
		t.Fatalf("Tags = %v", rec.Tags)
	}
	if got, want := unb64(t, rec.RawResponse), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTest: test\r\n\r\nHello"; got != want {
		t.Fatalf("RawResponse = %q, want %q", got, want)
	}
	// A record without a decodable response still gets its tag.
	bad := analytics.AnalyticsRecord{RawResponse: "not base64!"}
	MyAnalyticsPluginAddTag(&bad)
	if len(bad.Tags) != 1 || bad.Tags[0] != "TEST" || bad.RawResponse != "not base64!" {
		t.Fatalf("record = %+v", bad)
	}
}
