// Package request holds request helpers exposed to Tyk plugins.
package request

import (
	"net"
	"net/http"
	"strings"

	"github.com/TykTechnologies/tyk/header"
)

// remoteAddrCtxKey is the (string) context key Tyk consults first; some
// gateway middleware stores an overriding client address under it.
const remoteAddrCtxKey = "remote_addr"

// RealIP returns the client IP address for r. The lookup order is:
//
//  1. a string stored in the request context under "remote_addr",
//  2. the X-Real-IP header,
//  3. the first entry of the X-Forwarded-For header,
//  4. the host part of r.RemoteAddr (or RemoteAddr itself when it has no port).
func RealIP(r *http.Request) string {
	if v, ok := r.Context().Value(remoteAddrCtxKey).(string); ok && v != "" {
		return v
	}

	if ip := r.Header.Get(header.XRealIP); ip != "" {
		return ip
	}

	if fwd := r.Header.Get(header.XForwardFor); fwd != "" {
		if first, _, found := strings.Cut(fwd, ","); found {
			return first
		}
		return fwd
	}

	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
