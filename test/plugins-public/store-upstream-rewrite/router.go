package main

// RewriteUpstreamURL routes a store's tax request: the store number comes
// from the storeNumber header, else the storeNumber query parameter, else
// (for XML bodies) the <storeNumber> element. Without a four-digit store
// number the request is refused with 400. The request path becomes the tax
// service's, relative to the API's target.

import (
	"fmt"
	"io"
	"net/http"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/log"
	"github.com/TykTechnologies/tyk/regexp"
)

const taxServicePath = "store-tax-service-v1/"

var (
	logger       = log.Get()
	storeXML     = regexp.MustCompile(`<storeNumber>\s*(\d{4})\s*</storeNumber>`)
	validStoreRe = `^\d{4}$`
)

func validStore(s string) bool {
	ok, _ := regexp.MatchString(validStoreRe, s)
	return ok
}

func storeFromXML(body []byte) string {
	if m := storeXML.FindStringSubmatch(string(body)); len(m) == 2 {
		return m[1]
	}
	return ""
}

func RewriteUpstreamURL(rw http.ResponseWriter, r *http.Request) {
	store := r.Header.Get("storeNumber")
	if !validStore(store) {
		store = r.URL.Query().Get("storeNumber")
	}
	if !validStore(store) {
		if r.Header.Get("Content-Type") != "application/xml" {
			logger.Warn("store router: no store number in header or query")
			rw.WriteHeader(http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			rw.WriteHeader(http.StatusBadRequest)
			return
		}
		store = storeFromXML(body)
		if !validStore(store) {
			logger.Warn("store router: no store number in header, query or XML body")
			rw.WriteHeader(http.StatusBadRequest)
			return
		}
	}
	logger.Info(fmt.Sprintf("store router: store %s", store))

	// The store's own host, as the plugin's authors list it. Tyk gives
	// plugins a copy of the definition, so this host list is only the
	// plugin's: the request still goes to the API's target.
	def := ctx.GetDefinition(r)
	def.Proxy.EnableLoadBalancing = true
	def.Proxy.StructuredTargetList = apidef.NewHostListFromList([]string{fmt.Sprintf("https://%sstore.com/", store)})

	r.URL.Path = taxServicePath
}

func main() {}
