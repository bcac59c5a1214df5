package apidef

import (
	"encoding/json"
	"time"
)

// The GraphQL engine, supergraph and proxy settings of a Classic
// definition (graphql.engine, graphql.supergraph, graphql.proxy), as Tyk
// declares them. This gateway runs no GraphQL engine: they are data here.

// GraphQLResponseExtensions: whether upstream errors are forwarded in the
// response's extensions.
type GraphQLResponseExtensions struct {
	OnErrorForwarding bool `bson:"on_error_forwarding" json:"on_error_forwarding"`
}

// RequestHeadersRewriteConfig replaces (Value) or drops (Remove) one request header.
type RequestHeadersRewriteConfig struct {
	Value  string `bson:"value" json:"value"`
	Remove bool   `bson:"remove" json:"remove"`
}

// GraphQLSupergraphConfig is a federation supergraph: its subgraphs and merged schema.
type GraphQLSupergraphConfig struct {
	UpdatedAt            *time.Time              `bson:"updated_at" json:"updated_at,omitempty"`
	Subgraphs            []GraphQLSubgraphEntity `bson:"subgraphs" json:"subgraphs"`
	MergedSDL            string                  `bson:"merged_sdl" json:"merged_sdl"`
	GlobalHeaders        map[string]string       `bson:"global_headers" json:"global_headers"`
	DisableQueryBatching bool                    `bson:"disable_query_batching" json:"disable_query_batching"`
}

// GraphQLSubgraphEntity is one subgraph of a supergraph.
type GraphQLSubgraphEntity struct {
	APIID            string            `bson:"api_id" json:"api_id"`
	Name             string            `bson:"name" json:"name"`
	URL              string            `bson:"url" json:"url"`
	SDL              string            `bson:"sdl" json:"sdl"`
	Headers          map[string]string `bson:"headers" json:"headers"`
	SubscriptionType SubscriptionType  `bson:"subscription_type" json:"subscription_type,omitempty"`
	SSEUsePost       bool              `bson:"sse_use_post" json:"sse_use_post"`
}

// GraphQLEngineConfig is a Universal Data Graph: field configs and data sources.
type GraphQLEngineConfig struct {
	FieldConfigs  []GraphQLFieldConfig      `bson:"field_configs" json:"field_configs"`
	DataSources   []GraphQLEngineDataSource `bson:"data_sources" json:"data_sources"`
	GlobalHeaders []UDGGlobalHeader         `bson:"global_headers" json:"global_headers"`
}

// UDGGlobalHeader is a header sent to every data source.
type UDGGlobalHeader struct {
	Key   string `bson:"key" json:"key"`
	Value string `bson:"value" json:"value"`
}

// GraphQLFieldConfig maps a field to a path in its data source's answer.
type GraphQLFieldConfig struct {
	TypeName              string   `bson:"type_name" json:"type_name"`
	FieldName             string   `bson:"field_name" json:"field_name"`
	DisableDefaultMapping bool     `bson:"disable_default_mapping" json:"disable_default_mapping"`
	Path                  []string `bson:"path" json:"path"`
}

// GraphQLEngineDataSourceKind is a data source kind: REST, GraphQL or Kafka.
type GraphQLEngineDataSourceKind string

// Data source kinds (untyped, as in Tyk).
const (
	GraphQLEngineDataSourceKindREST    = "REST"
	GraphQLEngineDataSourceKindGraphQL = "GraphQL"
	GraphQLEngineDataSourceKindKafka   = "Kafka"
)

// GraphQLEngineDataSource is one data source; Config holds the kind's
// configuration (GraphQLEngineDataSourceConfigREST, ...GraphQL, ...Kafka).
type GraphQLEngineDataSource struct {
	Kind       GraphQLEngineDataSourceKind `bson:"kind" json:"kind"`
	Name       string                      `bson:"name" json:"name"`
	Internal   bool                        `bson:"internal" json:"internal"`
	RootFields []GraphQLTypeFields         `bson:"root_fields" json:"root_fields"`
	Config     json.RawMessage             `bson:"config" json:"config"`
}

// GraphQLTypeFields names fields of one type.
type GraphQLTypeFields struct {
	Type   string   `bson:"type" json:"type"`
	Fields []string `bson:"fields" json:"fields"`
}

// GraphQLEngineDataSourceConfigREST configures a REST data source.
type GraphQLEngineDataSourceConfigREST struct {
	URL     string            `bson:"url" json:"url"`
	Method  string            `bson:"method" json:"method"`
	Headers map[string]string `bson:"headers" json:"headers"`
	Query   []QueryVariable   `bson:"query" json:"query"`
	Body    string            `bson:"body" json:"body"`
}

// GraphQLEngineDataSourceConfigGraphQL configures a GraphQL data source.
type GraphQLEngineDataSourceConfigGraphQL struct {
	URL              string            `bson:"url" json:"url"`
	Method           string            `bson:"method" json:"method"`
	Headers          map[string]string `bson:"headers" json:"headers"`
	SubscriptionType SubscriptionType  `bson:"subscription_type" json:"subscription_type,omitempty"`
	SSEUsePost       bool              `bson:"sse_use_post" json:"sse_use_post"`
	HasOperation     bool              `bson:"has_operation" json:"has_operation"`
	Operation        string            `bson:"operation" json:"operation"`
	Variables        json.RawMessage   `bson:"variables" json:"variables"`
}

// GraphQLEngineDataSourceConfigKafka configures a Kafka data source.
type GraphQLEngineDataSourceConfigKafka struct {
	BrokerAddresses      []string               `bson:"broker_addresses" json:"broker_addresses"`
	Topics               []string               `bson:"topics" json:"topics"`
	GroupID              string                 `bson:"group_id" json:"group_id"`
	ClientID             string                 `bson:"client_id" json:"client_id"`
	KafkaVersion         string                 `bson:"kafka_version" json:"kafka_version"`
	StartConsumingLatest bool                   `json:"start_consuming_latest"`
	BalanceStrategy      string                 `json:"balance_strategy"`
	IsolationLevel       string                 `json:"isolation_level"`
	SASL                 GraphQLEngineKafkaSASL `json:"sasl"`
}

// GraphQLEngineKafkaSASL holds a Kafka data source's SASL credentials.
type GraphQLEngineKafkaSASL struct {
	Enable   bool   `json:"enable"`
	User     string `json:"user"`
	Password string `json:"password"`
}

// QueryVariable is one query-string variable of a REST data source.
type QueryVariable struct {
	Name  string `bson:"name" json:"name"`
	Value string `bson:"value" json:"value"`
}
