package main

import (
	"net/http"
	"net/textproto"
)

// headerSnapshot is one header as the gateway last saw it: the baseline a
// run's changes are measured against.
type headerSnapshot struct {
	key  string
	vals []string
}

type headerChange struct {
	key  string
	vals []string // nil: deleted
}

// readHeaders reads pairs into a header map (names canonicalised as Go's
// server does).
func readHeaders(r *reader) http.Header {
	n := r.count(8)
	h := make(http.Header, n)
	for i := 0; i < n && r.err == nil; i++ {
		name := string(r.bytes())
		val := string(r.bytes())
		key := textproto.CanonicalMIMEHeaderKey(name)
		h[key] = append(h[key], val)
	}
	return h
}

// snapshot copies h: plugins may change value slices in place.
func snapshot(h http.Header) []headerSnapshot {
	n := 0
	for _, vs := range h {
		n += len(vs)
	}
	vals := make([]string, 0, n)
	snap := make([]headerSnapshot, 0, len(h))
	for k, vs := range h {
		start := len(vals)
		vals = append(vals, vs...)
		snap = append(snap, headerSnapshot{k, vals[start:len(vals):len(vals)]})
	}
	return snap
}

// changedHeaders appends, per header name, the values that differ from the
// snapshot (nil when the name was deleted).
func changedHeaders(dst []headerChange, h http.Header, snap []headerSnapshot) []headerChange {
	present := 0
	for _, s := range snap {
		cur, ok := h[s.key]
		if !ok {
			dst = append(dst, headerChange{s.key, nil})
			continue
		}
		present++
		if !sameValues(cur, s.vals) {
			dst = append(dst, headerChange{s.key, cur})
		}
	}
	if len(h) > present {
		for k, v := range h {
			if !inSnapshot(snap, k) {
				dst = append(dst, headerChange{k, v})
			}
		}
	}
	return dst
}

func sameValues(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func inSnapshot(snap []headerSnapshot, k string) bool {
	for _, s := range snap {
		if s.key == k {
			return true
		}
	}
	return false
}

// applyChanges applies header changes read from a frame to h.
func applyChanges(r *reader, h http.Header) {
	n := r.count(8)
	for i := 0; i < n && r.err == nil; i++ {
		key := textproto.CanonicalMIMEHeaderKey(string(r.bytes()))
		k := r.count(4)
		if r.err != nil {
			return
		}
		if k == 0 {
			delete(h, key)
			continue
		}
		vals := make([]string, k)
		for j := range vals {
			vals[j] = string(r.bytes())
		}
		h[key] = vals
	}
}
