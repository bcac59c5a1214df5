package ctx_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/TykTechnologies/tyk/apidef"
	"github.com/TykTechnologies/tyk/apidef/oas"
	"github.com/TykTechnologies/tyk/ctx"
	"github.com/TykTechnologies/tyk/user"
)

func TestSetGetSessionRoundTrip(t *testing.T) {
	r := httptest.NewRequest("GET", "/x", nil)
	orig := r

	s := &user.SessionState{KeyID: "key-1", OrgID: "org", Rate: 10, Per: 1}
	ctx.SetSession(r, s, false)

	if r != orig {
		t.Fatal("request pointer must stay the same")
	}
	got := ctx.GetSession(r)
	if got != s {
		t.Fatalf("GetSession returned %p, want %p", got, s)
	}
	if tok := ctx.GetAuthToken(r); tok != "key-1" {
		t.Fatalf("auth token = %q, want key-1", tok)
	}
	if s.KeyHashEmpty() || s.KeyHash() != "key-1" {
		t.Fatalf("key hash = %q, want the unhashed key", s.KeyHash())
	}
	if ctx.SessionUpdateScheduled(r) || s.IsModified() {
		t.Fatal("no update was scheduled")
	}
}

func TestSetSessionTakesKeyIDFromAuthToken(t *testing.T) {
	r := httptest.NewRequest("GET", "/x", nil)
	*r = *r.WithContext(context.WithValue(r.Context(), ctx.AuthToken, "from-header"))

	s := user.NewSessionState()
	ctx.SetSession(r, s, false)

	if s.KeyID != "from-header" {
		t.Fatalf("KeyID = %q, want from-header", s.KeyID)
	}
	if ctx.GetAuthToken(r) != "from-header" {
		t.Fatal("auth token lost")
	}
}

func TestScheduledUpdate(t *testing.T) {
	r := httptest.NewRequest("GET", "/x", nil)
	s := &user.SessionState{KeyID: "k"}
	ctx.SetSession(r, s, true)

	if !s.IsModified() {
		t.Fatal("session should be touched")
	}
	if !ctx.SessionUpdateScheduled(r) {
		t.Fatal("update should be reported as scheduled")
	}
	if v, _ := r.Context().Value(ctx.UpdateSession).(bool); !v {
		t.Fatal("legacy UpdateSession key should be true")
	}

	// Touch alone (Tyk 5 style) is also detected.
	r2 := httptest.NewRequest("GET", "/x", nil)
	s2 := &user.SessionState{KeyID: "k2"}
	ctx.SetSession(r2, s2, false)
	s2.Touch()
	if !ctx.SessionUpdateScheduled(r2) {
		t.Fatal("Touch should count as a scheduled update")
	}
}

func TestSetSessionHashing(t *testing.T) {
	r := httptest.NewRequest("GET", "/x", nil)
	s := &user.SessionState{KeyID: "hello"}
	ctx.SetSession(r, s, false, true)
	if s.KeyHash() != "248bfa47" {
		t.Fatalf("hashed key = %q, want murmur32 248bfa47", s.KeyHash())
	}

	ctx.SetHashKeys(true)
	defer ctx.SetHashKeys(false)
	s2 := &user.SessionState{KeyID: "hello"}
	ctx.SetSession(httptest.NewRequest("GET", "/x", nil), s2, false)
	if s2.KeyHash() != "248bfa47" {
		t.Fatalf("default hashing not applied: %q", s2.KeyHash())
	}
}

func TestSetSessionNilPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("expected panic")
		}
	}()
	ctx.SetSession(httptest.NewRequest("GET", "/", nil), nil, false)
}

func TestRequestSessionVariants(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if _, err := ctx.GetRequestSession(r); err == nil {
		t.Fatal("expected error for missing session")
	}
	if err := ctx.SetRequestSession(r, nil, false); err == nil {
		t.Fatal("expected error for nil session")
	}
	s := &user.SessionState{KeyID: "abc"}
	if err := ctx.SetRequestSession(r, s, true); err != nil {
		t.Fatal(err)
	}
	got, err := ctx.GetRequestSession(r)
	if err != nil || got != s {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestGetSessionForeignType(t *testing.T) {
	type otherSession struct {
		OrgID string `json:"org_id"`
		Alias string `json:"alias"`
	}
	r := httptest.NewRequest("GET", "/", nil)
	*r = *r.WithContext(context.WithValue(r.Context(), ctx.SessionData, otherSession{OrgID: "o", Alias: "a"}))
	s := ctx.GetSession(r)
	if s == nil || s.OrgID != "o" || s.Alias != "a" {
		t.Fatalf("conversion failed: %+v", s)
	}
}

func TestDefinitionIsCopied(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if ctx.GetDefinition(r) != nil {
		t.Fatal("expected nil definition")
	}
	def := &apidef.APIDefinition{APIID: "api1", ConfigData: map[string]interface{}{"k": "v"}}
	ctx.SetDefinition(r, def)

	got := ctx.GetDefinition(r)
	if got == nil || got.APIID != "api1" || got.ConfigData["k"] != "v" {
		t.Fatalf("bad definition: %+v", got)
	}
	got.ConfigData["k"] = "changed"
	got.APIID = "other"
	if def.ConfigData["k"] != "v" || def.APIID != "api1" {
		t.Fatal("GetDefinition must return an independent copy")
	}
}

func TestOASDefinition(t *testing.T) {
	doc := []byte(`{
		"openapi": "3.0.3",
		"info": {"title": "Petstore", "version": "1.0.0"},
		"paths": {},
		"x-tyk-api-gateway": {
			"info": {"id": "api-9", "name": "Petstore", "state": {"active": true}},
			"upstream": {"url": "http://upstream"},
			"server": {"listenPath": {"value": "/pets/", "strip": true}}
		}
	}`)
	def := &oas.OAS{}
	if err := json.Unmarshal(doc, def); err != nil {
		t.Fatal(err)
	}

	r := httptest.NewRequest("GET", "/", nil)
	if ctx.GetOASDefinition(r) != nil {
		t.Fatal("expected nil OAS definition")
	}
	ctx.SetOASDefinition(r, def)

	got := ctx.GetOASDefinition(r)
	if got == nil || got.Info.Title != "Petstore" {
		t.Fatalf("bad OAS definition: %+v", got)
	}
	ext := got.GetTykExtension()
	if ext == nil || ext.Info.ID != "api-9" || ext.Server.ListenPath.Value != "/pets/" {
		t.Fatalf("bad extension: %+v", ext)
	}
	ext.Info.ID = "changed"
	if again := ctx.GetOASDefinition(r).GetTykExtension(); again.Info.ID != "api-9" {
		t.Fatal("GetOASDefinition must return an independent copy")
	}
}

func TestKeyValues(t *testing.T) {
	// Spot-check Tyk 5.14's numbering (the surface check compares every key).
	if ctx.SessionData != 0 || ctx.UpdateSession != 1 || ctx.AuthToken != 2 || ctx.Definition != 24 || ctx.OASDefinition != 29 {
		t.Fatalf("unexpected key numbering: %d %d %d %d %d",
			ctx.SessionData, ctx.UpdateSession, ctx.AuthToken, ctx.Definition, ctx.OASDefinition)
	}
}
