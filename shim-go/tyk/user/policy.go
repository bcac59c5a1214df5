package user

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/TykTechnologies/tyk/apidef"
)

// GraphAccessDefinition is a policy's per-API GraphQL access (no fields in Tyk).
type GraphAccessDefinition struct{}

// Policy is a security policy as Tyk stores it (and as a key's meta data
// carries custom policies, see SetCustomPolicies). This gateway does not
// apply policies to sessions; the type is here for plugins that build or
// read them.
type Policy struct {
	MID                           apidef.ObjectID                  `bson:"_id,omitempty" json:"_id"`
	ID                            string                           `bson:"id,omitempty" json:"id"`
	Name                          string                           `bson:"name" json:"name"`
	OrgID                         string                           `bson:"org_id" json:"org_id"`
	Rate                          float64                          `bson:"rate" json:"rate"`
	Per                           float64                          `bson:"per" json:"per"`
	QuotaMax                      int64                            `bson:"quota_max" json:"quota_max"`
	QuotaRenewalRate              int64                            `bson:"quota_renewal_rate" json:"quota_renewal_rate"`
	ThrottleInterval              float64                          `bson:"throttle_interval" json:"throttle_interval"`
	ThrottleRetryLimit            int                              `bson:"throttle_retry_limit" json:"throttle_retry_limit"`
	MaxQueryDepth                 int                              `bson:"max_query_depth" json:"max_query_depth"`
	AccessRights                  map[string]AccessDefinition      `bson:"access_rights" json:"access_rights"`
	HMACEnabled                   bool                             `bson:"hmac_enabled" json:"hmac_enabled"`
	EnableHTTPSignatureValidation bool                             `json:"enable_http_signature_validation" msg:"enable_http_signature_validation"`
	Active                        bool                             `bson:"active" json:"active"`
	IsInactive                    bool                             `bson:"is_inactive" json:"is_inactive"`
	Tags                          []string                         `bson:"tags" json:"tags"`
	KeyExpiresIn                  int64                            `bson:"key_expires_in" json:"key_expires_in"`
	PostExpiryAction              PostExpiryAction                 `bson:"post_expiry_action" json:"post_expiry_action,omitzero"`
	PostExpiryGracePeriod         int64                            `bson:"post_expiry_grace_period" json:"post_expiry_grace_period"`
	Partitions                    PolicyPartitions                 `bson:"partitions" json:"partitions"`
	LastUpdated                   string                           `bson:"last_updated" json:"last_updated"`
	MetaData                      map[string]interface{}           `bson:"meta_data" json:"meta_data"`
	GraphQL                       map[string]GraphAccessDefinition `bson:"graphql_access_rights" json:"graphql_access_rights"`

	Smoothing *apidef.RateLimitSmoothing `json:"smoothing" bson:"smoothing"`
}

// APILimit is the policy's rate limit, quota, throttling and query depth as an APILimit.
func (p *Policy) APILimit() APILimit {
	return APILimit{
		RateLimit:          RateLimit{Rate: p.Rate, Per: p.Per, Smoothing: p.Smoothing},
		ThrottleInterval:   p.ThrottleInterval,
		ThrottleRetryLimit: p.ThrottleRetryLimit,
		MaxQueryDepth:      p.MaxQueryDepth,
		QuotaMax:           p.QuotaMax,
		QuotaRenewalRate:   p.QuotaRenewalRate,
	}
}

// PolicyPartitions says which parts of a policy apply (all when none is set).
type PolicyPartitions struct {
	Quota      bool `bson:"quota" json:"quota"`
	RateLimit  bool `bson:"rate_limit" json:"rate_limit"`
	Complexity bool `bson:"complexity" json:"complexity"`
	Acl        bool `bson:"acl" json:"acl"`
	PerAPI     bool `bson:"per_api" json:"per_api"`
}

// Enabled reports whether the policy is partitioned (PerAPI alone does not count).
func (p PolicyPartitions) Enabled() bool { return p.Quota || p.RateLimit || p.Acl || p.Complexity }

// CustomPolicies is GetCustomPolicies by policy ID.
func (s *SessionState) CustomPolicies() (map[string]Policy, error) {
	list, err := s.GetCustomPolicies()
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Policy, len(list))
	for _, p := range list {
		byID[p.ID] = p
	}
	return byID, nil
}

// GetCustomPolicies decodes the policies carried in MetaData["policies"] (a
// JSON array); an error when there is none or it does not decode.
func (s *SessionState) GetCustomPolicies() ([]Policy, error) {
	raw, ok := s.MetaData["policies"].([]interface{})
	if !ok {
		return nil, errors.New("policies not found in metadata")
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("failed to marshal metadata policies: %w", err)
	}
	var list []Policy
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("failed to unmarshal metadata policies: %w", err)
	}
	return list, nil
}

// SetCustomPolicies stores list in MetaData["policies"] (a []interface{} of Policy values).
func (s *SessionState) SetCustomPolicies(list []Policy) {
	if s.MetaData == nil {
		s.MetaData = map[string]interface{}{}
	}
	policies := make([]interface{}, 0, len(list))
	for _, p := range list {
		policies = append(policies, p)
	}
	s.MetaData["policies"] = policies
}
