package main

// Picks an upstream from the API's host list, as Tyk's load-balancing
// examples do: the gateway gives a load-balanced API's target_list as
// Proxy.StructuredTargetList.

import (
	"net/http"
	"strconv"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/ctx"
)

// PickLast names the last target in X-Picked, how many there are in
// X-Targets, and whether the gateway gave the list (X-Given).
func PickLast(rw http.ResponseWriter, r *http.Request) {
	def := ctx.GetDefinition(r)
	hosts, given := def.Proxy.StructuredTargetList, "yes"
	if hosts == nil {
		hosts, given = apidef.NewHostListFromList(def.Proxy.Targets), "no"
	}
	host, err := hosts.GetIndex(hosts.Len() - 1)
	if err != nil {
		host = err.Error()
	}
	r.Header.Set("X-Picked", host)
	r.Header.Set("X-Targets", strconv.Itoa(len(hosts.All())))
	r.Header.Set("X-Given", given)
}

func main() {}
