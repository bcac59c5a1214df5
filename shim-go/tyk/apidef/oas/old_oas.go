package oas

import (
	"github.com/getkin/kin-openapi/openapi3"
)

// OldOAS is an OAS document in the layout of older Tyk OAS versions.
type OldOAS struct {
	openapi3.T
}
