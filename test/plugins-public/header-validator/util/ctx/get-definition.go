package ctx

import (
	"net/http"

	tykctx "github.com/TykTechnologies/tyk/ctx"
)

// ConfigString reads a string from the API's config_data.
func ConfigString(r *http.Request, name string) (string, bool) {
	def := tykctx.GetDefinition(r)
	if def == nil {
		return "", false
	}
	s, ok := def.ConfigData[name].(string)
	return s, ok
}
