// Package graphql holds the shape of the graphql-go-tools (v1) types Tyk's
// API definition embeds, so definitions decode and encode the same without
// depending on graphql-go-tools: this gateway runs no GraphQL engine.
package graphql

import "encoding/json"

// TypeFieldConfiguration maps a schema field to a data source
// (graphql-go-tools' datasource.TypeFieldConfiguration).
type TypeFieldConfiguration struct {
	TypeName   string                `bson:"type_name" json:"type_name"`
	FieldName  string                `bson:"field_name" json:"field_name"`
	Mapping    *MappingConfiguration `bson:"mapping" json:"mapping"`
	DataSource SourceConfig          `bson:"data_source" json:"data_source"`
}

// MappingConfiguration says where in the data source's answer a field is.
type MappingConfiguration struct {
	Disabled bool   `bson:"disabled" json:"disabled"`
	Path     string `bson:"path" json:"path"`
}

// SourceConfig names a data source kind and holds its configuration.
type SourceConfig struct {
	Name   string          `bson:"kind" json:"kind"`
	Config json.RawMessage `bson:"data_source_config" json:"data_source_config"`
}
