// Package oas mirrors the Tyk OAS API definition types of
// github.com/TykTechnologies/tyk/apidef/oas that plugins read, most often via
// ctx.GetOASDefinition(r).GetTykExtension().
//
// OAS embeds openapi3.T from github.com/getkin/kin-openapi, so the standard
// OpenAPI document (Info, Paths, Components, ...) is available directly and
// json.Unmarshal of a full OpenAPI 3 document into *OAS works. The Tyk vendor
// extension lives under Extensions["x-tyk-api-gateway"] and is decoded into
// *XTykAPIGateway on first access by GetTykExtension, as Tyk does.
package oas

import (
	"encoding/json"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/internal/deepcopy"
)

const (
	// ExtensionTykAPIGateway is the OpenAPI extension key of the Tyk configuration.
	ExtensionTykAPIGateway = "x-tyk-api-gateway"
	// ExtensionTykStreaming is the OpenAPI extension key of Tyk Streams configuration.
	ExtensionTykStreaming = "x-tyk-streaming"
	// Main is the name of the default (unversioned) API version.
	Main = ""
	// DefaultOpenAPI is the OpenAPI version Tyk writes for migrated APIs.
	DefaultOpenAPI = "3.0.6"
)

// OAS is an OpenAPI 3 document carrying Tyk's vendor extension.
type OAS struct {
	openapi3.T
}

// MarshalJSON encodes the document, including its extensions.
func (s *OAS) MarshalJSON() ([]byte, error) {
	// kin-openapi may hold extension values as raw bytes; encode those as
	// JSON rather than base64.
	for k, v := range s.Extensions {
		if b, ok := v.([]byte); ok {
			s.Extensions[k] = json.RawMessage(b)
		}
	}
	return s.T.MarshalJSON()
}

// Clone returns a deep copy of the document.
func (s *OAS) Clone() (*OAS, error) {
	return deepcopy.Copy(s), nil
}

// SetTykExtension stores x as the x-tyk-api-gateway extension.
func (s *OAS) SetTykExtension(x *XTykAPIGateway) {
	if s.Extensions == nil {
		s.Extensions = map[string]interface{}{}
	}
	s.Extensions[ExtensionTykAPIGateway] = x
}

// GetTykExtension returns the x-tyk-api-gateway extension, or nil when the
// document has none. Raw or generic JSON values are decoded into
// *XTykAPIGateway once and the decoded value replaces them, so later calls
// (and changes made through the returned pointer) see the same object.
func (s *OAS) GetTykExtension() *XTykAPIGateway {
	if s.Extensions == nil {
		return nil
	}
	x := decodeExtension[XTykAPIGateway](s.Extensions[ExtensionTykAPIGateway])
	if x != nil {
		s.Extensions[ExtensionTykAPIGateway] = x
	}
	return x
}

// RemoveTykExtension deletes the x-tyk-api-gateway extension.
func (s *OAS) RemoveTykExtension() {
	if s.Extensions != nil {
		delete(s.Extensions, ExtensionTykAPIGateway)
	}
}

// GetTykMiddleware returns the middleware section of the Tyk extension, if any.
func (s *OAS) GetTykMiddleware() *Middleware {
	if x := s.GetTykExtension(); x != nil {
		return x.Middleware
	}
	return nil
}

// XTykStreaming is the x-tyk-streaming extension.
type XTykStreaming struct {
	Streams map[string]interface{} `bson:"streams" json:"streams"`
}

// SetTykStreamingExtension stores x as the x-tyk-streaming extension.
func (s *OAS) SetTykStreamingExtension(x *XTykStreaming) {
	if s.Extensions == nil {
		s.Extensions = map[string]interface{}{}
	}
	s.Extensions[ExtensionTykStreaming] = x
}

// GetTykStreamingExtension returns the x-tyk-streaming extension, or nil.
func (s *OAS) GetTykStreamingExtension() *XTykStreaming {
	if s.Extensions == nil {
		return nil
	}
	x := decodeExtension[XTykStreaming](s.Extensions[ExtensionTykStreaming])
	if x != nil {
		s.Extensions[ExtensionTykStreaming] = x
	}
	return x
}

// RemoveTykStreamingExtension deletes the x-tyk-streaming extension.
func (s *OAS) RemoveTykStreamingExtension() {
	if s.Extensions != nil {
		delete(s.Extensions, ExtensionTykStreaming)
	}
}

// decodeExtension interprets an extension value as *T. A *T is returned
// as is; a T, raw JSON bytes or a generic decoded JSON value (as produced by
// kin-openapi) is decoded into a new *T. It returns nil when the value
// cannot be interpreted.
func decodeExtension[T any](raw interface{}) *T {
	var data []byte
	switch v := raw.(type) {
	case nil:
		return nil
	case *T:
		return v
	case T:
		out := v
		return &out
	case json.RawMessage:
		data = v
	case []byte:
		data = v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil
		}
		data = b
	}
	out := new(T)
	if err := json.Unmarshal(data, out); err != nil {
		return nil
	}
	return out
}

// APIDef is an API as both a Tyk OAS and a Classic definition.
type APIDef struct {
	OAS     *OAS
	Classic *apidef.APIDefinition
}
