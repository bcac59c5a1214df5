package oas

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/TykTechnologies/tyk/apidef"
)

func loadPetstore(t *testing.T) (*OAS, []byte) {
	t.Helper()
	data, err := os.ReadFile("testdata/petstore.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := &OAS{}
	if err := json.Unmarshal(data, doc); err != nil {
		t.Fatal(err)
	}
	return doc, data
}

func TestUnmarshalAndExtension(t *testing.T) {
	doc, _ := loadPetstore(t)

	if doc.OpenAPI != "3.0.3" || doc.Info == nil || doc.Info.Title != "Petstore" || doc.Info.Version != "1.0.0" {
		t.Fatalf("info: %+v", doc.Info)
	}
	if doc.Paths == nil || doc.Paths.Find("/pets") == nil || doc.Paths.Find("/pets").Post.OperationID != "createPet" {
		t.Fatal("paths not decoded")
	}

	x := doc.GetTykExtension()
	if x == nil {
		t.Fatal("missing x-tyk-api-gateway")
	}
	if x.Info.ID != "pets-api" || x.Info.DBID != "5e1b4a3c0f1e2d3c4b5a6978" || x.Info.OrgID != "org-1" ||
		x.Info.Name != "Petstore" || !x.Info.State.Active || x.Info.State.Internal {
		t.Fatalf("info: %+v", x.Info)
	}
	if x.Upstream.URL != "http://petstore.internal" {
		t.Fatal("upstream.url")
	}
	if rl := x.Upstream.RateLimit; rl == nil || rl.Rate != 10 || time.Duration(rl.Per) != time.Minute {
		t.Fatalf("upstream.rateLimit: %+v", rl)
	}
	if x.Server.ListenPath.Value != "/pets/" || !x.Server.ListenPath.Strip {
		t.Fatal("server.listenPath")
	}
	auth := x.Server.Authentication
	if auth == nil || !auth.Enabled || !auth.StripAuthorizationData || auth.Custom == nil || !auth.Custom.Enabled {
		t.Fatalf("authentication: %+v", auth)
	}
	if auth.Custom.Config.FunctionName != "MyAuth" || auth.Custom.Header == nil || auth.Custom.Header.Name != "Authorization" {
		t.Fatalf("custom auth: %+v", auth.Custom)
	}
	if _, ok := auth.SecuritySchemes["api_key"]; !ok {
		t.Fatal("securitySchemes")
	}

	g := doc.GetTykMiddleware().Global
	if g.PluginConfig.Driver != apidef.GoPluginDriver || g.PluginConfig.Bundle.Enabled ||
		!g.PluginConfig.Data.Enabled || g.PluginConfig.Data.Value["upstream_token"] != "abc" {
		t.Fatalf("pluginConfig: %+v", g.PluginConfig)
	}
	if g.PrePlugins[0].FunctionName != "Pre1" || g.PostAuthenticationPlugins[0].FunctionName != "PostAuth1" ||
		g.PostPlugins[0].Enabled || !g.PostPlugins[0].RawBodyOnly || g.ResponsePlugins[0].FunctionName != "Resp1" {
		t.Fatal("global plugins")
	}
	op := x.Middleware.Operations["createPet"]
	if op == nil || len(op.PostPlugins) != 1 || op.PostPlugins[0].FunctionName != "CreatePetHook" ||
		op.PostPlugins[0].Path != "/opt/plugins/pets.so" || !op.PostPlugins[0].Enabled {
		t.Fatalf("operation: %+v", op)
	}
	if op.ValidateRequest.ErrorResponseCode != 400 || op.EnforceTimeout.Value != 3 {
		t.Fatal("operation middleware")
	}

	// Decoded once, then cached: the same pointer comes back and edits stick.
	if doc.GetTykExtension() != x {
		t.Fatal("extension should be cached")
	}
}

func TestSetAndRemoveExtension(t *testing.T) {
	doc := &OAS{}
	if doc.GetTykExtension() != nil {
		t.Fatal("empty doc has no extension")
	}
	x := &XTykAPIGateway{Info: Info{Name: "n"}}
	doc.SetTykExtension(x)
	if doc.GetTykExtension() != x {
		t.Fatal("SetTykExtension / GetTykExtension identity")
	}
	doc.RemoveTykExtension()
	if doc.GetTykExtension() != nil {
		t.Fatal("RemoveTykExtension")
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	doc, _ := loadPetstore(t)
	doc.GetTykExtension().Info.Name = "Renamed"

	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]interface{}
	if err := json.Unmarshal(out, &generic); err != nil {
		t.Fatal(err)
	}
	if other, ok := generic["x-other-vendor"].(map[string]interface{}); !ok || other["keep"] != "me" {
		t.Fatalf("other extension lost: %v", generic["x-other-vendor"])
	}

	back := &OAS{}
	if err := json.Unmarshal(out, back); err != nil {
		t.Fatal(err)
	}
	x := back.GetTykExtension()
	if x == nil || x.Info.Name != "Renamed" || x.Upstream.RateLimit.Per != ReadableDuration(time.Minute) {
		t.Fatalf("round trip: %+v", x)
	}
	if back.Info.Title != "Petstore" {
		t.Fatal("title lost")
	}
}

func TestDeprecatedPluginForm(t *testing.T) {
	raw := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},
	  "x-tyk-api-gateway":{"info":{"name":"t","state":{"active":true}},"upstream":{"url":"u"},
	  "server":{"listenPath":{"value":"/"}},
	  "middleware":{"global":{"prePlugin":{"plugins":[{"enabled":true,"functionName":"Old","path":"p.so"}]}}}}}`
	doc := &OAS{}
	if err := json.Unmarshal([]byte(raw), doc); err != nil {
		t.Fatal(err)
	}
	g := doc.GetTykMiddleware().Global
	if g.PrePlugin == nil || g.PrePlugin.Plugins[0].FunctionName != "Old" {
		t.Fatal("deprecated prePlugin not decoded")
	}
	out, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]interface{}
	_ = json.Unmarshal(out, &m)
	if _, ok := m["prePlugin"]; ok {
		t.Fatal("prePlugin should be written as prePlugins")
	}
	if list, ok := m["prePlugins"].([]interface{}); !ok || len(list) != 1 {
		t.Fatalf("prePlugins: %v", m["prePlugins"])
	}
}

func TestCloneWithResolvedRefs(t *testing.T) {
	_, data := loadPetstore(t)
	loaded, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	doc := &OAS{T: *loaded}
	pet := doc.Components.Schemas["Pet"].Value
	if pet.Properties["parent"].Value != pet {
		t.Fatal("expected a recursive schema after loading")
	}

	clone, err := doc.Clone()
	if err != nil {
		t.Fatal(err)
	}
	cpet := clone.Components.Schemas["Pet"].Value
	if cpet == pet {
		t.Fatal("clone shares schema")
	}
	if cpet.Properties["parent"].Value != cpet {
		t.Fatal("clone must preserve the cycle")
	}
	clone.GetTykExtension().Info.ID = "changed"
	if doc.GetTykExtension().Info.ID != "pets-api" {
		t.Fatal("clone shares the extension")
	}
}

func TestHeaders(t *testing.T) {
	h := NewHeaders(map[string]string{"B": "2", "A": "1"})
	if len(h) != 2 || h[0].Name != "A" || h.Map()["B"] != "2" {
		t.Fatalf("headers: %+v", h)
	}
}
