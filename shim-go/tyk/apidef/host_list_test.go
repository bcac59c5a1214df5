package apidef

import (
	"encoding/json"
	"testing"
)

func TestHostListAsTyk(t *testing.T) {
	hl := NewHostListFromList([]string{"http://a", "http://b"})
	if hl.Len() != 2 || hl.All()[1] != "http://b" {
		t.Fatalf("list: %v", hl.All())
	}
	if h, err := hl.GetIndex(1); err != nil || h != "http://b" {
		t.Fatalf("GetIndex(1) = %q, %v", h, err)
	}
	if _, err := hl.GetIndex(2); err == nil || err.Error() != "index out of range" {
		t.Fatalf("GetIndex(2): %v", err)
	}
	if _, err := hl.GetIndex(-1); err == nil || err.Error() != "index must be positive int" {
		t.Fatalf("GetIndex(-1): %v", err)
	}
	if NewHostList().All() == nil {
		t.Fatal("a new list is empty, not nil")
	}
	var def APIDefinition
	if err := json.Unmarshal([]byte(`{"proxy":{"enable_load_balancing":true,"target_list":["http://a"]}}`), &def); err != nil || def.Proxy.StructuredTargetList != nil {
		t.Fatal("StructuredTargetList is not decoded (json:\"-\"); the gateway sets it when it loads the API")
	}
}

func TestValidateRules(t *testing.T) {
	var def APIDefinition
	_ = json.Unmarshal([]byte(`{
		"use_standard_auth": true,
		"auth_configs": {"authToken": {"disable_header": true}},
		"enable_ip_whitelisting": true, "allowed_ips": ["10.0.0.1", "10.0.0.0/8", "nope"],
		"proxy": {"enable_load_balancing": true},
		"graphql": {"engine": {"data_sources": [{"name": "A"}, {"name": " a "}]}}
	}`), &def)
	res := Validate(&def, DefaultValidationRuleSet)
	want := []string{
		"duplicate data source names are not allowed",
		"all auth sources are disabled for authToken, at least one of header/cookie/query must be enabled",
		`invalid IP/CIDR "nope"`,
		"all load balancing targets have weight 0, at least one target must have weight > 0",
	}
	got := res.ErrorStrings()
	if res.IsValid || len(got) != len(want) {
		t.Fatalf("result %v %q", res.IsValid, got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("error %d = %q, want %q", i, got[i], want[i])
		}
	}
	if res.FirstError().Error() != want[0] || !res.HasErrors() || res.ErrorCount() != 4 {
		t.Fatal("accessors")
	}
	if ok := Validate(&APIDefinition{}, DefaultValidationRuleSet); !ok.IsValid || ok.FirstError() != nil {
		t.Fatal("an empty definition is valid")
	}
}

func TestEventHandlerConfScan(t *testing.T) {
	var w WebHookHandlerConf
	if err := w.Scan(map[string]any{"method": "POST", "target_path": "http://hook", "header_map": map[string]any{"X": "1"}, "event_timeout": 10}); err != nil {
		t.Fatal(err)
	}
	if w.Method != "POST" || w.TargetPath != "http://hook" || w.HeaderList["X"] != "1" || w.EventTimeout != 10 {
		t.Fatalf("scanned %+v", w)
	}
	if err := w.Scan(map[string]any{"method": 5}); err == nil || w.Method != "POST" {
		t.Fatal("a bad value is an error and leaves the configuration as it was")
	}
}
