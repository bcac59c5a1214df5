package middleware

import (
	"net/http"

	"plugin-dev/util/ctx"
)

// AddFooBarHeader sends config_data.test upstream as Foo.
func AddFooBarHeader(rw http.ResponseWriter, r *http.Request) {
	if v, ok := ctx.ConfigString(r, "test"); ok {
		r.Header.Add("Foo", v)
	}
}
