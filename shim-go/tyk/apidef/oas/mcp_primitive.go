package oas

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// MCPPrimitive is the middleware of one MCP primitive (tool, resource, prompt).
type MCPPrimitive struct {
	Operation
	Security openapi3.SecurityRequirements `bson:"security,omitempty" json:"security,omitempty"`
}

// MCPPrimitives are MCP primitives' middleware by name.
type MCPPrimitives map[string]*MCPPrimitive
