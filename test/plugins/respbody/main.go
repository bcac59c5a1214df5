package main

import (
	"bytes"
	"io/ioutil"
	"net/http"
	"strings"

	"github.com/TykTechnologies/tyk/ctx"
)

// MyPluginResponse is the seed's response plugin.
func MyPluginResponse(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	res.Header.Add("X-Response-Added", "resp-added")
	var buf bytes.Buffer
	buf.Write([]byte(`{"message":"Hi! I'm a response plugin"}`))
	res.Body = ioutil.NopCloser(&buf)
}

// UpperStatus reads the upstream body, upper-cases it and sets status 201.
func UpperStatus(rw http.ResponseWriter, res *http.Response, req *http.Request) {
	b, _ := ioutil.ReadAll(res.Body)
	res.Body = ioutil.NopCloser(strings.NewReader(strings.ToUpper(string(b))))
	res.StatusCode = http.StatusCreated
	res.Header.Set("X-Api-Name", apiName(req))
}

func apiName(r *http.Request) string {
	if d := ctx.GetDefinition(r); d != nil {
		return d.Name
	}
	if o := ctx.GetOASDefinition(r); o != nil {
		return "oas:" + o.Info.Title
	}
	return "none"
}

func main() {}
