package main

// AddHeadersFromConfigData sends every entry of the API's config_data
// upstream as a request header (name: the key, value: the value formatted
// with %s), plus a marker header.

import (
	"fmt"
	"net/http"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
)

var logger = log.Get()

func AddHeadersFromConfigData(rw http.ResponseWriter, r *http.Request) {
	def := ctx.GetDefinition(r)
	logger.Debug(fmt.Sprintf("config_data: %v", def.ConfigData))
	for k, v := range def.ConfigData {
		r.Header.Add(k, fmt.Sprintf("%s", v))
	}
	r.Header.Add("X-Config-Headers", "added")
}

func main() {}
