package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/apidef/oas"
	"github.com/TykTechnologies/tyk/ctx"
)

// apiEntry holds an API definition parsed once per (re)load. Its base context
// carries the definition, so a call only adds the session and token.
type apiEntry struct {
	base context.Context
}

var apis table[apiEntry]

type apiRegistration struct {
	Kind       string          `json:"kind"`
	Definition json.RawMessage `json:"definition"`
}

func registerAPI(in []byte) (uint32, error) {
	var reg apiRegistration
	if err := json.Unmarshal(in, &reg); err != nil {
		return 0, fmt.Errorf("API registration: %v", err)
	}
	base := context.Background()
	switch reg.Kind {
	case "classic":
		def := &apidef.APIDefinition{}
		if err := json.Unmarshal(reg.Definition, def); err != nil {
			return 0, fmt.Errorf("classic API definition: %v", err)
		}
		// As Tyk's API loader: a load-balanced API's targets as a HostList.
		if def.Proxy.EnableLoadBalancing {
			def.Proxy.StructuredTargetList = apidef.NewHostListFromList(def.Proxy.Targets)
		}
		base = context.WithValue(base, ctx.Definition, def)
	case "oas":
		doc := &oas.OAS{}
		if err := json.Unmarshal(reg.Definition, doc); err != nil {
			return 0, fmt.Errorf("OAS API definition: %v", err)
		}
		base = context.WithValue(base, ctx.OASDefinition, doc)
	default:
		return 0, fmt.Errorf(`API registration: kind must be "classic" or "oas", got %q`, reg.Kind)
	}
	return apis.add(&apiEntry{base: base}), nil
}
