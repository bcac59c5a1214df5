package apidef

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

func loadClassic(t *testing.T) *APIDefinition {
	t.Helper()
	data, err := os.ReadFile("testdata/classic.json")
	if err != nil {
		t.Fatal(err)
	}
	def := &APIDefinition{}
	if err := json.Unmarshal(data, def); err != nil {
		t.Fatal(err)
	}
	return def
}

func TestDecodeClassicDefinition(t *testing.T) {
	def := loadClassic(t)

	if def.Id.Hex() != "5e1b4a3c0f1e2d3c4b5a6978" || !def.Id.Valid() {
		t.Fatalf("id = %q", def.Id)
	}
	if def.Name != "Orders API" || def.Slug != "orders" || def.APIID != "orders-api" || def.OrgID != "org-1" {
		t.Fatal("identity fields")
	}
	if !def.UseStandardAuth || !def.CustomPluginAuthEnabled || def.UseKeylessAccess {
		t.Fatal("auth flags")
	}
	if def.Auth.AuthHeaderName != "Authorization" {
		t.Fatal("auth")
	}
	tok := def.AuthConfigs[AuthTokenType]
	if tok.AuthHeaderName != "X-Api-Key" || !tok.UseParam || tok.ParamName != "key" || !tok.UseCookie || tok.CookieName != "sid" {
		t.Fatalf("auth_configs: %+v", tok)
	}
	if def.VersionDefinition.Location != HeaderLocation || def.VersionDefinition.Key != DefaultAPIVersionKey {
		t.Fatal("definition")
	}

	// Custom middleware.
	cm := def.CustomMiddleware
	if cm.Driver != GoPluginDriver {
		t.Fatalf("driver = %q", cm.Driver)
	}
	if len(cm.Pre) != 1 || cm.Pre[0].Name != "PreHook" || cm.Pre[0].Path != "/opt/plugins/orders.so" {
		t.Fatalf("pre: %+v", cm.Pre)
	}
	if len(cm.Post) != 1 || !cm.Post[0].Disabled {
		t.Fatal("post")
	}
	if cm.PostKeyAuth[0].Name != "PostAuth" || cm.AuthCheck.Name != "MyAuth" || !cm.Response[0].RawBodyOnly {
		t.Fatal("post_key_auth / auth_check / response")
	}
	if cm.IdExtractor.ExtractFrom != HeaderSource || cm.IdExtractor.ExtractWith != ValueExtractor ||
		cm.IdExtractor.ExtractorConfig["header_name"] != "Authorization" {
		t.Fatalf("id_extractor: %+v", cm.IdExtractor)
	}
	if def.CustomMiddlewareBundle != "bundle.zip" || !def.CustomMiddlewareBundleDisabled {
		t.Fatal("bundle")
	}

	// Versions and extended paths.
	if !def.VersionData.NotVersioned {
		t.Fatal("not_versioned")
	}
	v, ok := def.VersionData.Versions["Default"]
	if !ok || !v.UseExtendedPaths {
		t.Fatal("Default version")
	}
	gp := v.ExtendedPaths.GoPlugin
	if len(gp) != 1 {
		t.Fatalf("go_plugin: %+v", gp)
	}
	if gp[0].Path != "/orders/{id}" || gp[0].Method != "GET" || gp[0].PluginPath != "/opt/plugins/orders.so" ||
		gp[0].SymbolName != "EnrichOrder" || gp[0].Disabled {
		t.Fatalf("go_plugin entry: %+v", gp[0])
	}
	if v.ExtendedPaths.Ignored[0].Path != "/health" || !v.ExtendedPaths.Ignored[0].IgnoreCase {
		t.Fatal("ignored")
	}
	if !v.ExtendedPaths.TransformHeader[0].Enabled() || !v.HasEndpointReqHeader() {
		t.Fatal("transform_headers")
	}
	if v.ExtendedPaths.HardTimeouts[0].TimeOut != 5 || v.ExtendedPaths.URLRewrite[0].RewriteTo != "/new$1" {
		t.Fatal("hard_timeouts / url_rewrites")
	}
	if v.GlobalHeaders["X-Global"] != "1" || v.GlobalHeadersRemove[0] != "X-Remove" || !v.GlobalHeadersEnabled() {
		t.Fatal("global headers")
	}
	if v.GlobalSizeLimit != 1048576 || v.OverrideTarget != "http://override" {
		t.Fatal("global_size_limit / override_target")
	}
	if v.Expired() {
		t.Fatal("version without expiry must not be expired")
	}

	// Proxy.
	p := def.Proxy
	if !p.PreserveHostHeader || p.ListenPath != "/orders/" || p.TargetURL != "http://orders.internal:8080" ||
		!p.DisableStripSlash || !p.StripListenPath || !p.EnableLoadBalancing || len(p.Targets) != 2 {
		t.Fatalf("proxy: %+v", p)
	}
	if p.ServiceDiscovery.CacheTimeout != 60 || !p.Transport.SSLInsecureSkipVerify || p.Transport.SSLMinVersion != 771 {
		t.Fatal("proxy sub-sections")
	}

	// Misc.
	if def.ConfigData["upstream_token"] != "abc" || def.ConfigDataDisabled {
		t.Fatal("config_data")
	}
	if len(def.Tags) != 2 || !def.Active || def.Internal || def.IsOAS {
		t.Fatal("tags / state")
	}
	if def.Domain != "api.example.com" || !def.DoNotTrack || !def.EnableContextVars || !def.StripAuthData {
		t.Fatal("domain / flags")
	}
	if def.GlobalRateLimit.Rate != 100 || def.GlobalRateLimit.Per != 1 || !def.DisableQuota || def.DisableRateLimit {
		t.Fatal("rate limits")
	}
	if def.SessionLifetime != 7200 || def.ExpireAnalyticsAfter != 86400 {
		t.Fatal("lifetimes")
	}
	if def.ResponseProcessors[0].Name != "header_injector" {
		t.Fatal("response_processors")
	}
	if def.EventHandlers.Events["QuotaExceeded"][0].Handler != "eh_log_handler" {
		t.Fatal("event_handlers")
	}
	if !def.CORS.Enable || def.CORS.AllowedOrigins[0] != "*" {
		t.Fatal("CORS")
	}
}

func TestClassicRoundTrip(t *testing.T) {
	def := loadClassic(t)
	out, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]interface{}
	if err := json.Unmarshal(out, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{
		"id", "name", "slug", "listen_port", "protocol", "enable_proxy_protocol", "api_id", "org_id",
		"use_keyless", "use_oauth2", "use_openid", "use_standard_auth", "use_basic_auth",
		"use_mutual_tls_auth", "enable_jwt", "use_go_plugin_auth", "custom_plugin_auth_enabled",
		"enable_coprocess_auth", "auth", "auth_configs", "definition", "version_data", "proxy",
		"custom_middleware", "custom_middleware_bundle", "custom_middleware_bundle_disabled",
		"config_data", "config_data_disabled", "tags", "active", "internal", "domain",
		"do_not_track", "enable_context_vars", "strip_auth_data", "global_rate_limit",
		"disable_rate_limit", "disable_quota", "session_lifetime", "expire_analytics_after",
		"response_processors", "CORS",
	} {
		if _, ok := generic[k]; !ok {
			t.Errorf("missing key %q", k)
		}
	}
	if generic["id"] != "5e1b4a3c0f1e2d3c4b5a6978" {
		t.Errorf("id encoded as %v", generic["id"])
	}

	var back APIDefinition
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.VersionData.Versions["Default"].ExtendedPaths.GoPlugin[0].SymbolName != "EnrichOrder" {
		t.Fatal("round trip lost go_plugin")
	}
}

func TestObjectIDForms(t *testing.T) {
	cases := map[string]ObjectID{
		`"abc"`:                                "abc",
		`null`:                                 "",
		`{"$oid": "5e1b4a3c0f1e2d3c4b5a6978"}`: "5e1b4a3c0f1e2d3c4b5a6978",
	}
	for in, want := range cases {
		var id ObjectID
		if err := json.Unmarshal([]byte(in), &id); err != nil || id != want {
			t.Errorf("%s -> %q, %v", in, id, err)
		}
	}
	var id ObjectID
	if err := json.Unmarshal([]byte(`12`), &id); err == nil {
		t.Error("number should not decode")
	}
	if ObjectID("abc").Valid() {
		t.Error("abc is not a valid ObjectId")
	}
}

func TestHelpers(t *testing.T) {
	var def APIDefinition
	def.GenerateAPIID()
	if len(def.APIID) != 32 {
		t.Fatalf("APIID = %q", def.APIID)
	}
	def.Domain, def.DomainDisabled = "d", true
	if def.GetAPIDomain() != "" {
		t.Fatal("disabled domain")
	}

	v := VersionInfo{Expires: "2000-01-01 00:00", ExpiresTs: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if !v.Expired() || !v.ExpiryTime().IsZero() {
		t.Fatal("expired version")
	}

	vd := VersionDefinition{Name: "v1", Default: Self}
	if vd.ResolvedDefault() != "v1" {
		t.Fatal("ResolvedDefault")
	}

	rl := &RateLimitMeta{Rate: 1, Per: 1}
	if !rl.Valid() || (&RateLimitMeta{Rate: 1}).Valid() {
		t.Fatal("RateLimitMeta")
	}

	m := StringRegexMap{MatchPattern: "^a(b+)"}
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	if ok, sub := m.FindStringSubmatch("abbb"); !ok || sub[1] != "bbb" {
		t.Fatal("FindStringSubmatch")
	}
	m.Reverse = true
	if ok, _ := m.FindStringSubmatch("zzz"); !ok {
		t.Fatal("reverse match")
	}
}
