package main

// AddFooBarHeader: Foo: Bar, plus a greeting rendered with a Sprig template
// from the API's name, and the definition pretty-printed to the log. Two
// modules that are not part of the gateway (sprig, kr/pretty) come along.

import (
	"bytes"
	"net/http"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/kr/pretty"

	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
)

var (
	logger   = log.Get()
	greeting = template.Must(template.New("greeting").Funcs(sprig.TxtFuncMap()).Parse(`Hello {{ .Name | trim | lower }}`))
)

func AddFooBarHeader(rw http.ResponseWriter, r *http.Request) {
	r.Header.Add("Foo", "Bar")
	api := ctx.GetDefinition(r)
	if api == nil {
		return
	}
	logger.Info("API Definition ", pretty.Sprint(api.Name, api.APIID))
	var out bytes.Buffer
	if err := greeting.Execute(&out, api); err != nil {
		logger.Error("template: ", err)
		return
	}
	r.Header.Set("X-Greeting", out.String())
}

func main() {}
