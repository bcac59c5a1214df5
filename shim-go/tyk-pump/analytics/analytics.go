// Package analytics is this gateway's copy of the record type of
// github.com/TykTechnologies/tyk-pump/analytics: what Tyk's analytics
// plugins (`func(*analytics.AnalyticsRecord)`, named by an API definition's
// analytics_plugin) receive for each request before the record is stored.
//
// Type, field and method names, field types and struct tags (json, and the
// gorm, bson, sql and maxminddb tags Pump's own storage reads) follow Tyk
// Pump at the version Tyk 5.14 requires (v1.15.0-rc1.0.20260609132845-
// 8a614d6efd02); the record is the same one Tyk 4.x used, plus fields added
// since. Pump's storage, aggregation, protobuf and GeoIP code is not here:
// see README.md in shim-go/tyk for what is left out and why. The code is
// written for this gateway from those facts.
package analytics

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Tags Pump reads to tell GraphQL and MCP records apart.
const (
	PredefinedTagGraphAnalytics = "tyk-graph-analytics"
	PredefinedTagMCPAnalytics   = "tyk-mcp-analytics"
)

// SQLTable is the table (or collection) of records whose CollectionName is empty.
const SQLTable = "tyk_analytics"

// NetworkStats counts a request's connection traffic.
type NetworkStats struct {
	OpenConnections  int64 `json:"open_connections"`
	ClosedConnection int64 `json:"closed_connections"`
	BytesIn          int64 `json:"bytes_in"`
	BytesOut         int64 `json:"bytes_out"`
}

// Latency is a request's time in milliseconds: in all, upstream, and in the gateway.
type Latency struct {
	Total    int64 `json:"total"`
	Upstream int64 `json:"upstream"`
	Gateway  int64 `json:"gateway"`
}

// AnalyticsRecord is one request as the gateway records it. RawRequest and
// RawResponse hold the whole HTTP message (request line or status line,
// headers, blank line, body), base64-encoded, when detailed recording is on.
type AnalyticsRecord struct {
	Method        string       `json:"method" gorm:"column:method"`
	Host          string       `json:"host" gorm:"column:host"`
	Path          string       `json:"path" gorm:"column:path"`
	RawPath       string       `json:"raw_path" gorm:"column:rawpath"`
	ContentLength int64        `json:"content_length" gorm:"column:contentlength"`
	UserAgent     string       `json:"user_agent" gorm:"column:useragent"`
	Day           int          `json:"day" sql:"-"`
	Month         time.Month   `json:"month" sql:"-"`
	Year          int          `json:"year" sql:"-"`
	Hour          int          `json:"hour" sql:"-"`
	ResponseCode  int          `json:"response_code" gorm:"column:responsecode"`
	APIKey        string       `json:"api_key" gorm:"column:apikey"`
	TimeStamp     time.Time    `json:"timestamp" gorm:"column:timestamp"`
	APIVersion    string       `json:"api_version" gorm:"column:apiversion"`
	APIName       string       `json:"api_name" sql:"-"`
	APIID         string       `json:"api_id" gorm:"column:apiid"`
	OrgID         string       `json:"org_id" gorm:"column:orgid"`
	OauthID       string       `json:"oauth_id" gorm:"column:oauthid"`
	RequestTime   int64        `json:"request_time" gorm:"column:requesttime"`
	RawRequest    string       `json:"raw_request" gorm:"column:rawrequest"`
	RawResponse   string       `json:"raw_response" gorm:"column:rawresponse"`
	IPAddress     string       `json:"ip_address" gorm:"column:ipaddress"`
	Geo           GeoData      `json:"geo" gorm:"embedded"`
	Network       NetworkStats `json:"network"`
	Latency       Latency      `json:"latency"`
	Tags          []string     `json:"tags"`
	Alias         string       `json:"alias"`
	TrackPath     bool         `json:"track_path" gorm:"column:trackpath"`
	ExpireAt      time.Time    `bson:"expireAt" json:"expireAt"`
	ApiSchema     string       `json:"api_schema" bson:"-" gorm:"-:all"` //nolint:revive // Pump's name
	OriginalPath  string       `json:"original_path" gorm:"column:originalpath"`
	ListenPath    string       `json:"listen_path" gorm:"column:listenpath"`

	GraphQLStats   GraphQLStats `json:"graphql_stats" bson:"-" gorm:"-:all"`
	MCPStats       MCPStats     `json:"mcp_stats" bson:"-" gorm:"-:all"`
	CollectionName string       `json:"-" bson:"-" gorm:"-:all"`
}

// GraphQLOperations is the kind of a GraphQL operation.
type GraphQLOperations int

// GraphQL operation kinds, in Pump's order.
const (
	OperationUnknown GraphQLOperations = iota
	OperationQuery
	OperationMutation
	OperationSubscription
)

// GraphQLStats describes a GraphQL request (IsGraphQL false for others).
type GraphQLStats struct {
	Variables     string
	RootFields    []string
	Types         map[string][]string
	Errors        []GraphError
	OperationType GraphQLOperations
	HasErrors     bool
	IsGraphQL     bool
}

// MCPStats describes an MCP (JSON-RPC) request (IsMCP false for others).
type MCPStats struct {
	IsMCP         bool   `json:"is_mcp"`
	JSONRPCMethod string `json:"jsonrpc_method"`
	PrimitiveType string `json:"primitive_type"`
	PrimitiveName string `json:"primitive_name"`
}

// GraphError is one error of a GraphQL response.
type GraphError struct {
	Message string        `json:"message"`
	Path    []interface{} `json:"path"`
}

// Country is the GeoIP country of the client address.
type Country struct {
	ISOCode string `maxminddb:"iso_code" json:"iso_code"`
}

// City is the GeoIP city of the client address.
type City struct {
	GeoNameID uint              `maxminddb:"geoname_id" json:"geoname_id"`
	Names     map[string]string `maxminddb:"names" json:"names"`
}

// Location is the GeoIP position of the client address.
type Location struct {
	Latitude  float64 `maxminddb:"latitude" json:"latitude"`
	Longitude float64 `maxminddb:"longitude" json:"longitude"`
	TimeZone  string  `maxminddb:"time_zone" json:"time_zone"`
}

// GeoData is what GeoIP knows of the client address.
type GeoData struct {
	Country  Country  `maxminddb:"country" json:"country"`
	City     City     `maxminddb:"city" json:"city"`
	Location Location `maxminddb:"location" json:"location"`
}

// TableName is CollectionName, or SQLTable when that is empty.
func (a *AnalyticsRecord) TableName() string {
	if a.CollectionName != "" {
		return a.CollectionName
	}
	return SQLTable
}

// IsMCPRecord reports whether the record is of an MCP request.
func (a *AnalyticsRecord) IsMCPRecord() bool { return a.MCPStats.IsMCP }

// IsGraphRecord reports whether the record is of a GraphQL request.
func (a *AnalyticsRecord) IsGraphRecord() bool { return a.GraphQLStats.IsGraphQL }

// GetFieldNames names NetworkStats' columns, as Pump's CSV pump writes them.
func (n *NetworkStats) GetFieldNames() []string {
	return []string{"NetworkStats.OpenConnections", "NetworkStats.ClosedConnection", "NetworkStats.BytesIn", "NetworkStats.BytesOut"}
}

// GetFieldNames names Latency's columns.
func (l *Latency) GetFieldNames() []string {
	return []string{"Latency.Total", "Latency.Upstream", "Latency.Gateway"}
}

// GetFieldNames names GeoData's columns.
func (g *GeoData) GetFieldNames() []string {
	return []string{
		"GeoData.Country.ISOCode", "GeoData.City.GeoNameID", "GeoData.City.Names",
		"GeoData.Location.Latitude", "GeoData.Location.Longitude", "GeoData.Location.TimeZone",
	}
}

// GetFieldNames names the record's columns in the order of GetLineValues
// (GraphQL and MCP stats and CollectionName are not columns).
func (a *AnalyticsRecord) GetFieldNames() []string {
	names := []string{
		"Method", "Host", "Path", "RawPath", "ContentLength", "UserAgent", "Day", "Month", "Year", "Hour",
		"ResponseCode", "APIKey", "TimeStamp", "APIVersion", "APIName", "APIID", "OrgID", "OauthID",
		"RequestTime", "RawRequest", "RawResponse", "IPAddress",
	}
	names = append(names, a.Geo.GetFieldNames()...)
	names = append(names, a.Network.GetFieldNames()...)
	names = append(names, a.Latency.GetFieldNames()...)
	return append(names, "Tags", "Alias", "TrackPath", "ExpireAt", "ApiSchema", "OriginalPath", "ListenPath")
}

// Pump formats every integer column through uint64, so a negative value
// prints as its two's complement; kept, since CSV readers see Pump's output.
func uintString[T int | int64 | uint | float64](v T) string { return strconv.FormatUint(uint64(v), 10) }

// GetLineValues is NetworkStats' columns as text.
func (n *NetworkStats) GetLineValues() []string {
	return []string{uintString(n.OpenConnections), uintString(n.ClosedConnection), uintString(n.BytesIn), uintString(n.BytesOut)}
}

// GetLineValues is Latency's columns as text.
func (l *Latency) GetLineValues() []string {
	return []string{strconv.FormatInt(l.Total, 10), strconv.FormatInt(l.Upstream, 10), strconv.FormatInt(l.Gateway, 10)}
}

// GetLineValues is GeoData's columns as text: city names as `lang:name`
// pairs sorted by language and joined by ";", coordinates truncated to
// whole numbers (as Pump does).
func (g *GeoData) GetLineValues() []string {
	langs := make([]string, 0, len(g.City.Names))
	for lang := range g.City.Names {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	pairs := make([]string, len(langs))
	for i, lang := range langs {
		pairs[i] = lang + ":" + g.City.Names[lang]
	}
	return []string{
		g.Country.ISOCode, uintString(g.City.GeoNameID), strings.Join(pairs, ";"),
		uintString(g.Location.Latitude), uintString(g.Location.Longitude), g.Location.TimeZone,
	}
}

// GetLineValues is the record's columns as text, in GetFieldNames' order.
func (a *AnalyticsRecord) GetLineValues() []string {
	v := []string{a.Method, a.Host, a.Path, a.RawPath, uintString(a.ContentLength), a.UserAgent,
		uintString(a.Day), a.Month.String(), uintString(a.Year), uintString(a.Hour), uintString(a.ResponseCode),
		a.APIKey, a.TimeStamp.String(), a.APIVersion, a.APIName, a.APIID, a.OrgID, a.OauthID,
		uintString(a.RequestTime), a.RawRequest, a.RawResponse, a.IPAddress}
	v = append(v, a.Geo.GetLineValues()...)
	v = append(v, a.Network.GetLineValues()...)
	v = append(v, a.Latency.GetLineValues()...)
	return append(v, strings.Join(a.Tags, ";"), a.Alias, strconv.FormatBool(a.TrackPath), a.ExpireAt.String(),
		a.ApiSchema, a.OriginalPath, a.ListenPath)
}

// TrimRawData cuts RawRequest and RawResponse to at most size bytes (a
// negative size panics, as in Pump).
func (a *AnalyticsRecord) TrimRawData(size int) {
	a.RawResponse = trim(a.RawResponse, size)
	a.RawRequest = trim(a.RawRequest, size)
}

func trim(s string, size int) string {
	if len(s) > size {
		return s[:size]
	}
	return s
}

// Flush returns the counters and resets them to zero, each atomically.
func (n *NetworkStats) Flush() NetworkStats {
	return NetworkStats{
		OpenConnections:  atomic.SwapInt64(&n.OpenConnections, 0),
		ClosedConnection: atomic.SwapInt64(&n.ClosedConnection, 0),
		BytesIn:          atomic.SwapInt64(&n.BytesIn, 0),
		BytesOut:         atomic.SwapInt64(&n.BytesOut, 0),
	}
}

// SetExpiry sets ExpireAt to now plus expiresInSeconds; 0 means 100 years
// (of 365 days), as in Pump.
func (a *AnalyticsRecord) SetExpiry(expiresInSeconds int64) {
	d := time.Duration(expiresInSeconds) * time.Second
	if expiresInSeconds == 0 {
		d = 100 * 365 * 24 * time.Hour
	}
	a.ExpireAt = time.Now().Add(d)
}

// RemoveIgnoredFields sets to its zero value each top-level field whose json
// name is listed. Pump logs names that match no field; this copy has no
// logger and skips them silently.
func (a *AnalyticsRecord) RemoveIgnoredFields(ignoreFields []string) {
	v := reflect.ValueOf(a).Elem()
	t := v.Type()
	for _, name := range ignoreFields {
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).Tag.Get("json") == name {
				v.Field(i).SetZero()
			}
		}
	}
}

// AnalyticsFilters is Pump's per-pump filter of records: allow lists and
// block lists of org ids, API ids and response codes.
type AnalyticsFilters struct {
	OrgsIDs              []string `json:"org_ids"`
	APIIDs               []string `json:"api_ids"`
	ResponseCodes        []int    `json:"response_codes"`
	SkippedOrgsIDs       []string `json:"skip_org_ids"`
	SkippedAPIIDs        []string `json:"skip_api_ids"`
	SkippedResponseCodes []int    `json:"skip_response_codes"`
}

// ShouldFilter reports whether record is filtered out: it is on a block
// list, or an allow list is set and it is not on it.
func (filters AnalyticsFilters) ShouldFilter(record AnalyticsRecord) bool {
	switch {
	case len(filters.SkippedAPIIDs) > 0 && contains(filters.SkippedAPIIDs, record.APIID),
		len(filters.SkippedOrgsIDs) > 0 && contains(filters.SkippedOrgsIDs, record.OrgID),
		len(filters.SkippedResponseCodes) > 0 && contains(filters.SkippedResponseCodes, record.ResponseCode),
		len(filters.APIIDs) > 0 && !contains(filters.APIIDs, record.APIID),
		len(filters.OrgsIDs) > 0 && !contains(filters.OrgsIDs, record.OrgID),
		len(filters.ResponseCodes) > 0 && !contains(filters.ResponseCodes, record.ResponseCode):
		return true
	}
	return false
}

// HasFilter reports whether any list is set.
func (filters AnalyticsFilters) HasFilter() bool {
	return len(filters.SkippedAPIIDs)+len(filters.SkippedOrgsIDs)+len(filters.ResponseCodes)+
		len(filters.APIIDs)+len(filters.OrgsIDs)+len(filters.SkippedResponseCodes) > 0
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
