// An example Tyk Go plugin, unchanged from what Tyk would load.
package main

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
)

var logger = log.Get()

// AddFooBarHeader adds "Foo: Bar" to every request (a "pre" hook here).
func AddFooBarHeader(rw http.ResponseWriter, r *http.Request) {
	r.Header.Add("Foo", "Bar")
}

// SendCurrentTime answers itself when the query has get_time=1.
func SendCurrentTime(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("get_time") != "1" {
		return
	}
	logger.WithField("path", r.URL.Path).Info("answering with the current time")
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(map[string]interface{}{"current_time": time.Now()})
}

// Echo is a Go virtual endpoint: it answers with what the plugin sees.
func Echo(rw http.ResponseWriter, r *http.Request) {
	out := map[string]interface{}{"method": r.Method, "path": r.URL.Path, "headers": r.Header}
	if def := ctx.GetDefinition(r); def != nil {
		out["api"] = def.Name
		out["config_data"] = def.ConfigData
	}
	rw.Header().Set("Content-Type", "application/json")
	json.NewEncoder(rw).Encode(out)
}

// AddResponseHeader is a response hook.
func AddResponseHeader(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	res.Header.Set("X-Response-Added", "resp-added")
}

func main() {}
