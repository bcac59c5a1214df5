package user

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"
)

const sampleSession = `{
  "last_check": 0,
  "allowance": 1000,
  "rate": 1000,
  "per": 60,
  "throttle_interval": 10,
  "throttle_retry_limit": 2,
  "max_query_depth": -1,
  "date_created": "2024-03-01T10:00:00Z",
  "expires": 1893456000,
  "quota_max": 10000,
  "quota_renews": 1709287200,
  "quota_remaining": 9999,
  "quota_renewal_rate": 3600,
  "access_rights": {
    "api1": {
      "api_name": "Orders",
      "api_id": "api1",
      "versions": ["Default"],
      "allowed_urls": [{"url": "/orders.*", "methods": ["GET"]}],
      "limit": {"rate": 5, "per": 1, "quota_max": 100, "quota_remaining": 50, "quota_renewal_rate": 60, "quota_renews": 7}
    }
  },
  "org_id": "org-1",
  "oauth_client_id": "client-1",
  "oauth_keys": {"client-1": "tok"},
  "certificate": "cert-id",
  "basic_auth_data": {"password": "secret", "hash_type": "bcrypt"},
  "jwt_data": {"secret": "jwt-secret"},
  "hmac_enabled": true,
  "enable_http_signature_validation": true,
  "hmac_string": "hmac-secret",
  "rsa_certificate_id": "rsa-1",
  "is_inactive": false,
  "apply_policy_id": "",
  "apply_policies": ["pol-a", "pol-b"],
  "data_expires": 0,
  "monitor": {"trigger_limits": [80, 90]},
  "enable_detailed_recording": true,
  "meta_data": {"user": "alice", "tier": 2},
  "tags": ["t1", "t2"],
  "alias": "alice",
  "last_updated": "1709287200",
  "id_extractor_deadline": 0,
  "session_lifetime": 3600
}`

func TestSessionJSONRoundTrip(t *testing.T) {
	var s SessionState
	if err := json.Unmarshal([]byte(sampleSession), &s); err != nil {
		t.Fatal(err)
	}

	if s.Rate != 1000 || s.Per != 60 || s.QuotaMax != 10000 || s.OrgID != "org-1" {
		t.Fatalf("scalar fields not decoded: %+v", s)
	}
	if !s.DateCreated.Equal(time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("date_created = %v", s.DateCreated)
	}
	ad := s.AccessRights["api1"]
	if ad.APIName != "Orders" || ad.AllowedURLs[0].URL != "/orders.*" || ad.Limit.Rate != 5 || ad.Limit.QuotaMax != 100 {
		t.Fatalf("access rights not decoded: %+v", ad)
	}
	if s.BasicAuthData.Hash != HashBCrypt || s.JWTData.Secret != "jwt-secret" || s.HmacSecret != "hmac-secret" {
		t.Fatal("auth data not decoded")
	}
	if !reflect.DeepEqual(s.Monitor.TriggerLimits, []float64{80, 90}) || s.MetaData["user"] != "alice" {
		t.Fatal("monitor / meta_data not decoded")
	}
	if s.SessionLifetime != 3600 || s.Alias != "alice" || !s.EnableDetailedRecording {
		t.Fatal("tail fields not decoded")
	}

	s.KeyID = "must-not-leak"
	out, err := json.Marshal(&s)
	if err != nil {
		t.Fatal(err)
	}

	var generic map[string]interface{}
	if err := json.Unmarshal(out, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{
		"allowance", "rate", "per", "throttle_interval", "throttle_retry_limit",
		"max_query_depth", "date_created", "expires", "quota_max", "quota_renews",
		"quota_remaining", "quota_renewal_rate", "access_rights", "org_id", "oauth_client_id",
		"oauth_keys", "certificate", "basic_auth_data", "jwt_data", "hmac_enabled",
		"enable_http_signature_validation", "hmac_string", "rsa_certificate_id",
		"apply_policies", "monitor", "enable_detailed_recording", "meta_data", "tags", "alias",
		"last_updated", "session_lifetime",
	} {
		if _, ok := generic[k]; !ok {
			t.Errorf("missing JSON key %q", k)
		}
	}
	// Tyk 5.14 tags every field omitzero: the fixture's zero values are not encoded.
	for _, k := range []string{
		"last_check", "is_inactive", "apply_policy_id", "data_expires", "enable_detail_recording",
		"id_extractor_deadline", "smoothing", "post_expiry_action", "KeyID", "key_id", "keyHash", "modified",
	} {
		if _, ok := generic[k]; ok {
			t.Errorf("unexpected JSON key %q", k)
		}
	}

	var back SessionState
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	s.KeyID = ""
	if !reflect.DeepEqual(s, back) {
		t.Fatalf("round trip mismatch:\n%+v\n%+v", s, back)
	}
}

func TestModifiedFlag(t *testing.T) {
	s := NewSessionState()
	if s.IsModified() {
		t.Fatal("new session must not be modified")
	}
	s.Touch()
	if !s.IsModified() {
		t.Fatal("Touch must mark modified")
	}
	s.Reset()
	if s.IsModified() {
		t.Fatal("Reset must clear modified")
	}
}

func TestKeyHash(t *testing.T) {
	s := NewSessionState()
	if !s.KeyHashEmpty() {
		t.Fatal("expected empty hash")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("KeyHash should panic when unset")
			}
		}()
		_ = s.KeyHash()
	}()
	s.SetKeyHash("abc")
	if s.KeyHash() != "abc" || s.KeyHashEmpty() {
		t.Fatal("SetKeyHash not stored")
	}
}

func TestPolicies(t *testing.T) {
	s := &SessionState{ApplyPolicyID: "legacy"}
	if !reflect.DeepEqual(s.PolicyIDs(), []string{"legacy"}) {
		t.Fatal("legacy policy fallback")
	}
	s.SetPolicies("a", "b")
	if s.ApplyPolicyID != "" || !reflect.DeepEqual(s.PolicyIDs(), []string{"a", "b"}) {
		t.Fatal("SetPolicies")
	}
	if !s.PoliciesEqualTo([]string{"b", "a"}) || s.PoliciesEqualTo([]string{"a"}) {
		t.Fatal("PoliciesEqualTo")
	}
	if !s.HasPolicy("b") || s.HasPolicy("c") {
		t.Fatal("HasPolicy")
	}
}

func TestLifetime(t *testing.T) {
	s := &SessionState{SessionLifetime: 100}
	if got := s.Lifetime(false, 50, false, 0); got != 100 {
		t.Fatalf("session lifetime: %d", got)
	}
	if got := s.Lifetime(false, 50, true, 7); got != 7 {
		t.Fatalf("forced global lifetime: %d", got)
	}
	s.SessionLifetime = 0
	if got := s.Lifetime(false, 50, false, 0); got != 50 {
		t.Fatalf("fallback lifetime: %d", got)
	}
	s.Expires = time.Now().Add(time.Hour).Unix()
	if got := s.Lifetime(true, 50, false, 0); got < 3500 || got > 3600 {
		t.Fatalf("respecting expiry: %d", got)
	}
}

func TestCloneAndQuota(t *testing.T) {
	s := SessionState{
		QuotaMax:     10,
		MetaData:     map[string]interface{}{"a": 1},
		Tags:         []string{"x"},
		AccessRights: map[string]AccessDefinition{"api": {Limit: APILimit{QuotaMax: 3, QuotaRemaining: 2}}},
	}
	c := s.Clone()
	c.MetaData["a"] = 2
	c.Tags[0] = "y"
	if s.MetaData["a"] != 1 || s.Tags[0] != "x" {
		t.Fatal("Clone shares data")
	}
	if max, rem, _, _ := s.GetQuotaLimitByAPIID("api"); max != 3 || rem != 2 {
		t.Fatal("per-API quota")
	}
	if max, _, _, _ := s.GetQuotaLimitByAPIID("other"); max != 10 {
		t.Fatal("session quota")
	}
}

func TestEndpointsMap(t *testing.T) {
	es := Endpoints{
		{Path: "/b", Methods: EndpointMethods{{Name: "POST", Limit: RateLimit{Rate: 1, Per: 2}}}},
		{Path: "/a", Methods: EndpointMethods{{Name: "GET", Limit: RateLimit{Rate: 3, Per: 4}}}},
	}
	m := es.Map()
	if m["GET:/a"].Rate != 3 || m["POST:/b"].Per != 2 {
		t.Fatalf("Map: %+v", m)
	}
	back := m.Endpoints()
	if !sort.IsSorted(back) || len(back) != 2 || back[0].Path != "/a" {
		t.Fatalf("Endpoints: %+v", back)
	}
	if !back[1].Methods.Contains("post") {
		t.Fatal("Contains is case-insensitive")
	}
}

func TestTagsFromMetadata(t *testing.T) {
	s := &SessionState{}
	changed := s.TagsFromMetadata(map[string]interface{}{
		"tyk_developer_id": "dev",
		"tags":             []interface{}{"t1", 3, "t2"},
	})
	if !changed || s.MetaData["tyk_developer_id"] != "dev" || !reflect.DeepEqual(s.Tags, []string{"t1", "t2"}) {
		t.Fatalf("TagsFromMetadata: %v %+v", changed, s)
	}
	if s.TagsFromMetadata(map[string]interface{}{}) {
		t.Fatal("nothing to copy")
	}
}

func TestLifetimeWithPostExpiryAction(t *testing.T) {
	now := time.Now().Unix()
	s := SessionState{Expires: now + 100, SessionLifetime: 5, PostExpiryAction: PostExpiryActionDelete}
	if got := s.Lifetime(false, 0, false, 0); got < 99 || got > 100 {
		t.Fatalf("delete: %d, want the time until expiry", got)
	}
	s.PostExpiryAction, s.PostExpiryGracePeriod = PostExpiryActionRetain, 50
	if got := s.Lifetime(false, 0, false, 0); got < 149 || got > 150 {
		t.Fatalf("retain 50: %d", got)
	}
	s.PostExpiryGracePeriod = -1
	if got := s.Lifetime(false, 0, false, 0); got != -1 {
		t.Fatalf("retain for ever: %d", got)
	}
	s.Expires = now - 10
	s.PostExpiryAction = PostExpiryActionDelete
	if got := s.Lifetime(false, 0, false, 0); got != 1 {
		t.Fatalf("already expired: %d", got)
	}
	s.PostExpiryAction, s.PostExpiryGracePeriod = PostExpiryActionRetain, 0
	if got := s.Lifetime(false, 0, false, 0); got != 5 {
		t.Fatalf("retain without grace period keeps the old rule (SessionLifetime): %d", got)
	}
}

func TestCustomPoliciesInMetaData(t *testing.T) {
	var s SessionState
	if _, err := s.GetCustomPolicies(); err == nil {
		t.Fatal("no policies is an error")
	}
	s.SetCustomPolicies([]Policy{{ID: "p1", Rate: 10, Per: 1}})
	data, _ := json.Marshal(&s)
	var back SessionState
	_ = json.Unmarshal(data, &back)
	pols, err := back.CustomPolicies()
	if err != nil || pols["p1"].Rate != 10 {
		t.Fatalf("policies %+v, %v", pols, err)
	}
	if l := pols["p1"]; l.APILimit().Rate != 10 || l.APILimit().Per != 1 {
		t.Fatal("APILimit")
	}
}

func TestEmptyLimitsAreNotEncoded(t *testing.T) {
	data, _ := json.Marshal(AccessDefinition{APIID: "a"})
	if string(data) != `{"api_id":"a"}` {
		t.Fatalf("encoded %s (Tyk 5.14: omitzero)", data)
	}
}
