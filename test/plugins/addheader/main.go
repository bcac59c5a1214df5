package main

import "net/http"

// AddFooBarHeader is the seed's first example.
func AddFooBarHeader(rw http.ResponseWriter, r *http.Request) {
	r.Header.Add("Foo", "Bar")
}

// Noop does nothing: the cheapest possible plugin call.
func Noop(rw http.ResponseWriter, r *http.Request) {}

func main() {}
