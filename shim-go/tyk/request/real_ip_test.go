package request

import (
	"context"
	"net/http/httptest"
	"testing"
)

func TestRealIP(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.1:1234"
	if got := RealIP(r); got != "10.0.0.1" {
		t.Fatalf("RemoteAddr: %q", got)
	}

	r.RemoteAddr = "10.0.0.9"
	if got := RealIP(r); got != "10.0.0.9" {
		t.Fatalf("RemoteAddr without port: %q", got)
	}

	r.Header.Set("X-Forwarded-For", "1.1.1.1, 2.2.2.2")
	if got := RealIP(r); got != "1.1.1.1" {
		t.Fatalf("X-Forwarded-For: %q", got)
	}

	r.Header.Set("X-Forwarded-For", "3.3.3.3")
	if got := RealIP(r); got != "3.3.3.3" {
		t.Fatalf("single X-Forwarded-For: %q", got)
	}

	r.Header.Set("X-Real-IP", "4.4.4.4")
	if got := RealIP(r); got != "4.4.4.4" {
		t.Fatalf("X-Real-IP: %q", got)
	}

	//nolint:staticcheck // Tyk uses a plain string key here.
	r = r.WithContext(context.WithValue(r.Context(), remoteAddrCtxKey, "5.5.5.5"))
	if got := RealIP(r); got != "5.5.5.5" {
		t.Fatalf("context override: %q", got)
	}
}
