package main

import (
	"encoding/json"
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
)

// ShowDefinition answers with what the plugin sees of the API definition.
func ShowDefinition(rw http.ResponseWriter, r *http.Request) {
	out := map[string]interface{}{"classic": nil, "oas": nil}
	if d := ctx.GetDefinition(r); d != nil {
		out["classic"] = map[string]interface{}{
			"name": d.Name, "api_id": d.APIID, "org_id": d.OrgID,
			"listen_path": d.Proxy.ListenPath, "config_data": d.ConfigData,
		}
	}
	if o := ctx.GetOASDefinition(r); o != nil {
		out["oas"] = map[string]interface{}{"title": o.Info.Title}
	}
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(out)
}

func main() {}
