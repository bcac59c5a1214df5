package analytics

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestJSONNamesArePumps(t *testing.T) {
	rec := AnalyticsRecord{Method: "GET", APIKey: "k", Tags: []string{"a"}, CollectionName: "x", TimeStamp: time.Unix(0, 0).UTC()}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, k := range []string{"method", "api_key", "tags", "timestamp", "expireAt", "raw_request", "graphql_stats", "mcp_stats", "geo", "network", "latency", "listen_path"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, b)
		}
	}
	if _, ok := m["CollectionName"]; ok {
		t.Error("CollectionName is not encoded")
	}
}

func TestLineValuesFollowFieldNames(t *testing.T) {
	rec := AnalyticsRecord{
		Method: "POST", ResponseCode: 201, Month: time.March, Tags: []string{"a", "b"}, TrackPath: true,
		Geo: GeoData{City: City{Names: map[string]string{"fr": "Londres", "en": "London"}}, Location: Location{Latitude: 51.5}},
	}
	names, values := rec.GetFieldNames(), rec.GetLineValues()
	if len(names) != len(values) {
		t.Fatalf("%d names, %d values", len(names), len(values))
	}
	got := map[string]string{}
	for i, n := range names {
		got[n] = values[i]
	}
	for k, want := range map[string]string{
		"Method": "POST", "ResponseCode": "201", "Month": "March", "Tags": "a;b", "TrackPath": "true",
		"GeoData.City.Names": "en:London;fr:Londres", "GeoData.Location.Latitude": "51",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
}

func TestRecordMethods(t *testing.T) {
	rec := AnalyticsRecord{RawRequest: "0123456789", RawResponse: "01", APIKey: "secret", Alias: "me"}
	rec.TrimRawData(4)
	if rec.RawRequest != "0123" || rec.RawResponse != "01" {
		t.Fatalf("TrimRawData: %q %q", rec.RawRequest, rec.RawResponse)
	}
	rec.RemoveIgnoredFields([]string{"api_key", "no_such_field"})
	if rec.APIKey != "" || rec.Alias != "me" {
		t.Fatalf("RemoveIgnoredFields: %+v", rec)
	}
	if rec.TableName() != SQLTable {
		t.Fatal("TableName")
	}
	rec.SetExpiry(0)
	if years := time.Until(rec.ExpireAt).Hours() / 24 / 365; years < 99.9 || years > 100.1 {
		t.Fatalf("SetExpiry(0) = %v", rec.ExpireAt)
	}
	n := NetworkStats{OpenConnections: 2, BytesIn: 10}
	if f := n.Flush(); f.OpenConnections != 2 || f.BytesIn != 10 || n.OpenConnections != 0 || n.BytesIn != 0 {
		t.Fatalf("Flush: %+v then %+v", f, n)
	}
}

func TestFilters(t *testing.T) {
	f := AnalyticsFilters{APIIDs: []string{"a"}, SkippedResponseCodes: []int{500}}
	if !f.HasFilter() || (AnalyticsFilters{}).HasFilter() {
		t.Fatal("HasFilter")
	}
	for _, c := range []struct {
		rec  AnalyticsRecord
		drop bool
	}{
		{AnalyticsRecord{APIID: "a", ResponseCode: 200}, false},
		{AnalyticsRecord{APIID: "b", ResponseCode: 200}, true},
		{AnalyticsRecord{APIID: "a", ResponseCode: 500}, true},
	} {
		if got := f.ShouldFilter(c.rec); got != c.drop {
			t.Errorf("ShouldFilter(%s, %d) = %v", c.rec.APIID, c.rec.ResponseCode, got)
		}
	}
	if !strings.HasPrefix(PredefinedTagGraphAnalytics, "tyk-") {
		t.Fatal("tag")
	}
}
