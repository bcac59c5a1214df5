package main

import "net/http"

// AddFooBarHeader is the seed's first example.
func AddFooBarHeader(rw http.ResponseWriter, r *http.Request) {
	r.Header.Add("Foo", "Bar")
}

// Noop does nothing: the cheapest possible plugin call.
func Noop(rw http.ResponseWriter, r *http.Request) {}

// SetFooBarHeader sets the header instead of adding a value: repeated on one
// request (a benchmark does that) it leaves one value.
func SetFooBarHeader(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("Foo", "Bar")
}

func main() {}
