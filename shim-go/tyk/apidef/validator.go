package apidef

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
)

// ValidationResult collects what a ValidationRuleSet finds wrong with a definition.
type ValidationResult struct {
	IsValid bool
	Errors  []error
}

// AppendError adds err (IsValid is the rules' to clear).
func (v *ValidationResult) AppendError(err error) { v.Errors = append(v.Errors, err) }

// HasErrors reports whether any error was found.
func (v *ValidationResult) HasErrors() bool { return v.ErrorCount() > 0 }

// FirstError is the first error found, or nil.
func (v *ValidationResult) FirstError() error {
	if v.ErrorCount() == 0 {
		return nil
	}
	return v.ErrorAt(0)
}

// ErrorAt is error i; nil past the end, except that i == ErrorCount()
// panics (out of range), as in Tyk.
func (v *ValidationResult) ErrorAt(i int) error {
	if i > v.ErrorCount() {
		return nil
	}
	return v.Errors[i]
}

// ErrorCount is the number of errors found.
func (v *ValidationResult) ErrorCount() int { return len(v.Errors) }

// ErrorStrings are the errors' texts (nil when there are none).
func (v *ValidationResult) ErrorStrings() []string {
	var out []string
	for _, err := range v.Errors {
		out = append(out, err.Error())
	}
	return out
}

// ValidationRule checks one thing of a definition, recording what is wrong.
type ValidationRule interface {
	Validate(apiDef *APIDefinition, validationResult *ValidationResult)
}

// ValidationRuleSet is rules applied in order.
type ValidationRuleSet []ValidationRule

// DefaultValidationRuleSet is the rules Tyk applies to Classic definitions.
var DefaultValidationRuleSet = ValidationRuleSet{
	&RuleUniqueDataSourceNames{},
	&RuleAtLeastEnableOneAuthSource{},
	&RuleValidateIPList{},
	&RuleValidateGlobalEnforceTimeout{},
	&RuleValidateEnforceTimeout{},
	&RuleUpstreamAuth{},
	&RuleLoadBalancingTargets{},
}

// Validate applies ruleSet to definition.
func Validate(definition *APIDefinition, ruleSet ValidationRuleSet) ValidationResult {
	result := ValidationResult{IsValid: true}
	for _, rule := range ruleSet {
		rule.Validate(definition, &result)
	}
	return result
}

// The rules' errors. Two are format strings (for fmt.Errorf), as in Tyk.
var (
	ErrDuplicateDataSourceName                = errors.New("duplicate data source names are not allowed")
	ErrAllAuthSourcesDisabled                 = "all auth sources are disabled for %s, at least one of header/cookie/query must be enabled"
	ErrInvalidIPCIDR                          = "invalid IP/CIDR %q"
	ErrInvalidGlobalTimeoutValue              = errors.New("invalid global timeout value")
	ErrInvalidTimeoutValue                    = errors.New("invalid timeout value")
	ErrMultipleUpstreamAuthEnabled            = errors.New("multiple upstream authentication modes not allowed")
	ErrMultipleUpstreamOAuthAuthorizationType = errors.New("multiple upstream OAuth authorization type not allowed")
	ErrUpstreamOAuthAuthorizationTypeRequired = errors.New("upstream OAuth authorization type is required")
	ErrInvalidUpstreamOAuthAuthorizationType  = errors.New("invalid OAuth authorization type")
	ErrAllLoadBalancingTargetsZeroWeight      = errors.New("all load balancing targets have weight 0, at least one target must have weight > 0")
)

func (v *ValidationResult) fail(err error) {
	v.IsValid = false
	v.AppendError(err)
}

// RuleUniqueDataSourceNames refuses two GraphQL data sources whose names
// are equal, ignoring case and surrounding spaces.
type RuleUniqueDataSourceNames struct{}

// Validate implements ValidationRule.
func (r *RuleUniqueDataSourceNames) Validate(apiDef *APIDefinition, result *ValidationResult) {
	seen := map[string]bool{}
	for _, ds := range apiDef.GraphQL.Engine.DataSources {
		name := strings.TrimSpace(strings.ToLower(ds.Name))
		if seen[name] {
			result.fail(ErrDuplicateDataSourceName)
			return
		}
		seen[name] = true
	}
}

// RuleAtLeastEnableOneAuthSource refuses an enabled auth method whose
// configuration reads the credential from nowhere (header disabled, no
// query parameter, no cookie). One error per method, by name.
type RuleAtLeastEnableOneAuthSource struct{}

// Validate implements ValidationRule.
func (r *RuleAtLeastEnableOneAuthSource) Validate(apiDef *APIDefinition, result *ValidationResult) {
	names := make([]string, 0, len(apiDef.AuthConfigs))
	for name := range apiDef.AuthConfigs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := apiDef.AuthConfigs[name]
		if authMethodEnabled(name, apiDef) && !c.UseParam && !c.UseCookie && c.DisableHeader {
			result.fail(fmt.Errorf(ErrAllAuthSourcesDisabled, name))
		}
	}
}

func authMethodEnabled(name string, apiDef *APIDefinition) bool {
	switch name {
	case "authToken":
		return apiDef.UseStandardAuth
	case "jwt":
		return apiDef.EnableJWT
	case "hmac":
		return apiDef.EnableSignatureChecking
	case "oauth":
		return apiDef.UseOauth2
	case "oidc":
		return apiDef.UseOpenID
	case "coprocess":
		return apiDef.EnableCoProcessAuth
	}
	return false
}

// RuleValidateIPList refuses an entry of an enabled allow or block list
// that is neither an IP address nor a CIDR block.
type RuleValidateIPList struct{}

// Validate implements ValidationRule.
func (r *RuleValidateIPList) Validate(apiDef *APIDefinition, result *ValidationResult) {
	check := func(enabled bool, list []string) {
		if !enabled {
			return
		}
		for _, entry := range list {
			var bad bool
			if strings.Count(entry, "/") == 1 {
				_, _, err := net.ParseCIDR(entry)
				bad = err != nil
			} else {
				bad = net.ParseIP(entry) == nil
			}
			if bad {
				result.IsValid = false
				result.Errors = append(result.Errors, fmt.Errorf(ErrInvalidIPCIDR, entry))
			}
		}
	}
	check(apiDef.EnableIpWhiteListing, apiDef.AllowedIPs)
	check(apiDef.EnableIpBlacklisting, apiDef.BlacklistedIPs)
}

// RuleValidateGlobalEnforceTimeout refuses a version whose global timeout is negative.
type RuleValidateGlobalEnforceTimeout struct{}

// Validate implements ValidationRule.
func (r *RuleValidateGlobalEnforceTimeout) Validate(apiDef *APIDefinition, result *ValidationResult) {
	for _, v := range apiDef.VersionData.Versions {
		if v.GlobalEnforceTimeout < 0 {
			result.fail(ErrInvalidGlobalTimeoutValue)
			return
		}
	}
}

// RuleValidateEnforceTimeout refuses an endpoint hard timeout that is negative.
type RuleValidateEnforceTimeout struct{}

// Validate implements ValidationRule.
func (r *RuleValidateEnforceTimeout) Validate(apiDef *APIDefinition, result *ValidationResult) {
	for _, v := range apiDef.VersionData.Versions {
		for _, t := range v.ExtendedPaths.HardTimeouts {
			if t.TimeOut < 0 || t.TimeoutDuration < 0 {
				result.fail(ErrInvalidTimeoutValue)
				return
			}
		}
	}
}

// RuleUpstreamAuth refuses basic and OAuth upstream authentication
// together, and upstream OAuth without exactly one known authorisation type.
type RuleUpstreamAuth struct{}

// Validate implements ValidationRule.
func (r *RuleUpstreamAuth) Validate(apiDef *APIDefinition, result *ValidationResult) {
	auth := apiDef.UpstreamAuth
	if !auth.IsEnabled() {
		return
	}
	if auth.BasicAuth.Enabled && auth.OAuth.Enabled {
		result.fail(ErrMultipleUpstreamAuthEnabled)
	}
	if !auth.OAuth.IsEnabled() {
		return
	}
	types := auth.OAuth.AllowedAuthorizeTypes
	if len(types) == 0 {
		result.fail(ErrUpstreamOAuthAuthorizationTypeRequired)
		return
	}
	if len(types) > 1 {
		result.fail(ErrMultipleUpstreamOAuthAuthorizationType)
	}
	if types[0] != OAuthAuthorizationTypeClientCredentials && types[0] != OAuthAuthorizationTypePassword {
		result.fail(ErrInvalidUpstreamOAuthAuthorizationType)
	}
}

// RuleLoadBalancingTargets refuses load balancing without targets.
type RuleLoadBalancingTargets struct{}

// Validate implements ValidationRule.
func (r *RuleLoadBalancingTargets) Validate(apiDef *APIDefinition, result *ValidationResult) {
	if apiDef.Proxy.EnableLoadBalancing && len(apiDef.Proxy.Targets) == 0 {
		result.fail(ErrAllLoadBalancingTargetsZeroWeight)
	}
}
