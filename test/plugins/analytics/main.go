// Analytics plugins for the gateway's tests: each shows one thing an
// analytics plugin may do to a record (Tyk Pump's AnalyticsRecord).
package main

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/TykTechnologies/tyk-pump/analytics"
	"github.com/TykTechnologies/tyk/log"
)

func main() {}

// Mirror writes what it received into RawResponse: the record as Go decoded
// it (Pump's JSON), and the fields JSON does not show as Go has them.
func Mirror(record *analytics.AnalyticsRecord) {
	seen, _ := json.Marshal(struct {
		Record         *analytics.AnalyticsRecord
		Month          string
		TimeStamp      string
		ExpireAt       string
		CollectionName string
	}{record, record.Month.String(), record.TimeStamp.UTC().Format(time.RFC3339Nano), record.ExpireAt.UTC().Format(time.RFC3339Nano), record.CollectionName})
	record.RawResponse = string(seen)
}

// SetEverything changes every field of the record.
func SetEverything(record *analytics.AnalyticsRecord) {
	at := time.Date(2031, time.March, 4, 5, 6, 7, 123456789, time.UTC)
	*record = analytics.AnalyticsRecord{
		Method: "PATCH", Host: "h.example", Path: "/p", RawPath: "/raw", ContentLength: 12345678901,
		UserAgent: "ua", Day: 4, Month: time.March, Year: 2031, Hour: 5, ResponseCode: 418,
		APIKey: "k", TimeStamp: at, APIVersion: "v9", APIName: "n", APIID: "id", OrgID: "org",
		OauthID: "oauth", RequestTime: 77, RawRequest: "cmVx", RawResponse: "cmVz", IPAddress: "10.0.0.9",
		Geo: analytics.GeoData{
			Country:  analytics.Country{ISOCode: "NZ"},
			City:     analytics.City{GeoNameID: 42, Names: map[string]string{"en": "Wellington"}},
			Location: analytics.Location{Latitude: -41.25, Longitude: 174.5, TimeZone: "Pacific/Auckland"},
		},
		Network:      analytics.NetworkStats{OpenConnections: 1, ClosedConnection: 2, BytesIn: 3, BytesOut: 4},
		Latency:      analytics.Latency{Total: 77, Upstream: 70, Gateway: 7},
		Tags:         []string{"a", "b"},
		Alias:        "alias",
		TrackPath:    true,
		ExpireAt:     at.Add(time.Hour),
		ApiSchema:    "schema",
		OriginalPath: "/orig",
		ListenPath:   "/listen/",
		GraphQLStats: analytics.GraphQLStats{
			Variables: `{"v":1}`, RootFields: []string{"q"}, Types: map[string][]string{"T": {"f"}},
			Errors:        []analytics.GraphError{{Message: "m", Path: []interface{}{"a", "b"}}},
			OperationType: analytics.OperationMutation, HasErrors: true, IsGraphQL: true,
		},
		MCPStats:       analytics.MCPStats{IsMCP: true, JSONRPCMethod: "tools/call", PrimitiveType: "tool", PrimitiveName: "t"},
		CollectionName: "custom_collection",
	}
}

// Noop leaves the record as it is.
func Noop(record *analytics.AnalyticsRecord) {}

// TagThenPanic changes the record, then panics: the change must not be kept.
func TagThenPanic(record *analytics.AnalyticsRecord) {
	record.Tags = append(record.Tags, "before-panic")
	panic("analytics plugin failed on " + record.Path)
}

// Logs logs through Tyk's logger and tags the record.
func Logs(record *analytics.AnalyticsRecord) {
	log.Get().WithField("path", record.Path).Info("analytics plugin saw a record")
	record.Tags = append(record.Tags, "logged")
}

// SleepForTag sleeps for the milliseconds its record's user agent names
// ("sleep-<ms>"), then tags the record.
func SleepForTag(record *analytics.AnalyticsRecord) {
	if len(record.UserAgent) > 6 && record.UserAgent[:6] == "sleep-" {
		if ms, err := strconv.Atoi(record.UserAgent[6:]); err == nil {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
	}
	record.Tags = append(record.Tags, "slept")
}

// NotAnalytics has a request hook's signature.
var NotAnalytics = 3
