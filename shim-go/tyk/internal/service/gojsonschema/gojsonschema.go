// Package gojsonschema names the JSON-schema loader type Tyk caches on a
// validate-JSON endpoint (apidef.ValidatePathMeta.SchemaCache; Tyk aliases
// github.com/xeipuuv/gojsonschema's). This gateway validates no schemas in
// Go and never sets it; the interface is the part of that loader's methods
// a plugin could call, without the dependency.
package gojsonschema

// JSONLoader loads a JSON document (a schema).
type JSONLoader interface {
	JsonSource() interface{}
	LoadJSON() (interface{}, error)
}
