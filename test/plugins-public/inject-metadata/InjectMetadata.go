package main

// InjectMetadata sends the key's "foo" metadata upstream as
// X-Plugin-Inject. Keys without it, or with a value that is not a string,
// pass unchanged (and the plugin logs why).

import (
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
)

var logger = log.Get()

func InjectMetadata(rw http.ResponseWriter, r *http.Request) {
	session := ctx.GetSession(r)
	if session == nil {
		return
	}
	foo, ok := session.MetaData["foo"].(string)
	if !ok {
		logger.Error("inject-metadata: meta_data.foo is missing or not a string")
		return
	}
	r.Header.Add("X-Plugin-Inject", foo)
}

func init() {
	logger.Info("inject-metadata plugin loaded")
}

func main() {}
