package ctx

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/TykTechnologies/tyk/apidef"
)

func BenchmarkGetDefinition(b *testing.B) {
	var def apidef.APIDefinition
	src := `{"api_id":"a","name":"n","org_id":"o","use_keyless":false,"use_go_plugin_auth":true,
	"proxy":{"listen_path":"/a/","target_url":"http://127.0.0.1:1/","strip_listen_path":true},
	"custom_middleware":{"driver":"goplugin","pre":[{"name":"A","path":"a.so"}],"post":[{"name":"B","path":"b.so"}]},
	"version_data":{"not_versioned":true,"versions":{"Default":{"name":"Default","use_extended_paths":true}}}}`
	if err := json.Unmarshal([]byte(src), &def); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	SetDefinition(r, &def)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if GetDefinition(r) == nil {
			b.Fatal("nil")
		}
	}
}
