package main

import (
	"encoding/json"
	"net/http"
	"sort"

	"github.com/TykTechnologies/tyk/ctx"
)

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func header(r *http.Request, name string, v any) {
	b, _ := json.Marshal(v)
	r.Header.Set(name, string(b))
}

// ShowData tells the upstream which map keys the plugin sees: the session's
// metadata and access rights, and the definition's config_data.
func ShowData(rw http.ResponseWriter, r *http.Request) {
	if s := ctx.GetSession(r); s != nil {
		header(r, "X-Meta", s.MetaData)
		header(r, "X-Rights", keys(s.AccessRights))
	}
	if def := ctx.GetDefinition(r); def != nil {
		header(r, "X-Config", def.ConfigData)
	}
}

// Virtual answers a virtual endpoint itself.
func Virtual(rw http.ResponseWriter, r *http.Request) {
	rw.Write([]byte("virtual"))
}

func main() {}
