package oas

import (
	tyktime "github.com/TykTechnologies/tyk/internal/time"
)

// Upstream configures the service Tyk proxies to.
type Upstream struct {
	// URL is the upstream target (Classic: proxy.target_url).
	URL                   string                 `bson:"url" json:"url"`
	ServiceDiscovery      *ServiceDiscovery      `bson:"serviceDiscovery,omitempty" json:"serviceDiscovery,omitempty"`
	UptimeTests           *UptimeTests           `bson:"uptimeTests,omitempty" json:"uptimeTests,omitempty"`
	MutualTLS             *MutualTLS             `bson:"mutualTLS,omitempty" json:"mutualTLS,omitempty"`
	CertificatePinning    *CertificatePinning    `bson:"certificatePinning,omitempty" json:"certificatePinning,omitempty"`
	RateLimit             *RateLimit             `bson:"rateLimit,omitempty" json:"rateLimit,omitempty"`
	Authentication        *UpstreamAuth          `bson:"authentication,omitempty" json:"authentication,omitempty"`
	LoadBalancing         *LoadBalancing         `bson:"loadBalancing,omitempty" json:"loadBalancing,omitempty"`
	PreserveHostHeader    *PreserveHostHeader    `bson:"preserveHostHeader,omitempty" json:"preserveHostHeader,omitempty"`
	PreserveTrailingSlash *PreserveTrailingSlash `bson:"preserveTrailingSlash,omitempty" json:"preserveTrailingSlash,omitempty"`
	TLSTransport          *TLSTransport          `bson:"tlsTransport,omitempty" json:"tlsTransport,omitempty"`
	Proxy                 *Proxy                 `bson:"proxy,omitempty" json:"proxy,omitempty"`
	EnforceTimeout        *GlobalEnforceTimeout  `bson:"enforceTimeout,omitempty" json:"enforceTimeout,omitempty"`
}

// ServiceDiscovery configures upstream discovery (Classic: proxy.service_discovery).
type ServiceDiscovery struct {
	Enabled             bool                   `bson:"enabled" json:"enabled"`
	QueryEndpoint       string                 `bson:"queryEndpoint,omitempty" json:"queryEndpoint,omitempty"`
	DataPath            string                 `bson:"dataPath,omitempty" json:"dataPath,omitempty"`
	UseNestedQuery      bool                   `bson:"useNestedQuery,omitempty" json:"useNestedQuery,omitempty"`
	ParentDataPath      string                 `bson:"parentDataPath,omitempty" json:"parentDataPath,omitempty"`
	PortDataPath        string                 `bson:"portDataPath,omitempty" json:"portDataPath,omitempty"`
	UseTargetList       bool                   `bson:"useTargetList,omitempty" json:"useTargetList,omitempty"`
	CacheTimeout        int64                  `bson:"cacheTimeout,omitempty" json:"cacheTimeout,omitempty"` // Deprecated: use Cache.
	Cache               *ServiceDiscoveryCache `bson:"cache,omitempty" json:"cache,omitempty"`
	TargetPath          string                 `bson:"targetPath,omitempty" json:"targetPath,omitempty"`
	EndpointReturnsList bool                   `bson:"endpointReturnsList,omitempty" json:"endpointReturnsList,omitempty"`
}

// CacheOptions returns the cache timeout and whether caching is enabled.
func (sd *ServiceDiscovery) CacheOptions() (int64, bool) {
	if sd.Cache != nil {
		return sd.Cache.Timeout, sd.Cache.Enabled
	}
	return sd.CacheTimeout, sd.CacheTimeout > 0
}

// ServiceDiscoveryCache configures caching of discovery results.
type ServiceDiscoveryCache struct {
	Enabled bool  `bson:"enabled" json:"enabled"`
	Timeout int64 `bson:"timeout,omitempty" json:"timeout,omitempty"`
}

// UptimeTests configures upstream health checks.
type UptimeTests struct {
	Enabled              bool                     `bson:"enabled" json:"enabled"`
	ServiceDiscovery     *ServiceDiscovery        `bson:"serviceDiscovery,omitempty" json:"serviceDiscovery,omitempty"`
	Tests                []UptimeTest             `bson:"tests,omitempty" json:"tests,omitempty"`
	HostDownRetestPeriod tyktime.ReadableDuration `bson:"hostDownRetestPeriod" json:"hostDownRetestPeriod,omitempty"`
	LogRetentionPeriod   tyktime.ReadableDuration `bson:"logRetentionPeriod" json:"logRetentionPeriod,omitempty"`
}

// UptimeTest is one health check.
type UptimeTest struct {
	CheckURL            string                   `bson:"url" json:"url"`
	Protocol            string                   `bson:"protocol" json:"protocol"`
	Timeout             tyktime.ReadableDuration `bson:"timeout" json:"timeout,omitempty"`
	Method              string                   `bson:"method" json:"method"`
	Headers             map[string]string        `bson:"headers" json:"headers,omitempty"`
	Body                string                   `bson:"body" json:"body,omitempty"`
	Commands            []UptimeTestCommand      `bson:"commands" json:"commands,omitempty"`
	EnableProxyProtocol bool                     `bson:"enableProxyProtocol" json:"enableProxyProtocol"`
}

// AddCommand appends a TCP check step.
func (t *UptimeTest) AddCommand(name, message string) {
	t.Commands = append(t.Commands, UptimeTestCommand{Name: name, Message: message})
}

// UptimeTestCommand is a TCP check step ("send" or "expect").
type UptimeTestCommand struct {
	Name    string `bson:"name" json:"name"`
	Message string `bson:"message" json:"message"`
}

// MutualTLS configures client certificates presented to the upstream.
type MutualTLS struct {
	Enabled              bool                  `bson:"enabled" json:"enabled"`
	DomainToCertificates []DomainToCertificate `bson:"domainToCertificateMapping" json:"domainToCertificateMapping"`
}

// DomainToCertificate maps an upstream domain to a certificate ID.
type DomainToCertificate struct {
	Domain      string `bson:"domain" json:"domain"`
	Certificate string `bson:"certificate" json:"certificate"`
}

// CertificatePinning configures upstream public key pinning.
type CertificatePinning struct {
	Enabled                   bool             `bson:"enabled" json:"enabled"`
	DomainToPublicKeysMapping PinnedPublicKeys `bson:"domainToPublicKeysMapping" json:"domainToPublicKeysMapping"`
}

// PinnedPublicKeys is a list of per-domain pinned keys.
type PinnedPublicKeys []PinnedPublicKey

// PinnedPublicKey lists the public keys pinned for a domain.
type PinnedPublicKey struct {
	Domain     string   `bson:"domain" json:"domain"`
	PublicKeys []string `bson:"publicKeys" json:"publicKeys"`
}

// RateLimit is the API-level rate limit (Classic: global_rate_limit).
type RateLimit struct {
	Enabled bool             `json:"enabled" bson:"enabled"`
	Rate    int              `json:"rate" bson:"rate"`
	Per     ReadableDuration `json:"per" bson:"per"`
}

// RateLimitEndpoint is a per-operation rate limit.
type RateLimitEndpoint RateLimit

// LoadBalancing spreads requests over several weighted targets.
type LoadBalancing struct {
	Enabled              bool                  `json:"enabled" bson:"enabled"`
	SkipUnavailableHosts bool                  `bson:"skipUnavailableHosts,omitempty" json:"skipUnavailableHosts,omitempty"`
	Targets              []LoadBalancingTarget `json:"targets,omitempty" bson:"targets,omitempty"`
}

// LoadBalancingTarget is one weighted upstream URL.
type LoadBalancingTarget struct {
	URL    string `json:"url" bson:"url"`
	Weight int    `json:"weight" bson:"weight"`
}

// PreserveHostHeader keeps the client's Host header when proxying.
type PreserveHostHeader struct {
	Enabled bool `json:"enabled" bson:"enabled"`
}

// TLSTransport configures TLS towards the upstream (Classic: proxy.transport).
type TLSTransport struct {
	InsecureSkipVerify   bool     `bson:"insecureSkipVerify,omitempty" json:"insecureSkipVerify,omitempty"`
	Ciphers              []string `bson:"ciphers,omitempty" json:"ciphers,omitempty"`
	MinVersion           string   `bson:"minVersion,omitempty" json:"minVersion,omitempty"`
	MaxVersion           string   `bson:"maxVersion,omitempty" json:"maxVersion,omitempty"`
	ForceCommonNameCheck bool     `bson:"forceCommonNameCheck,omitempty" json:"forceCommonNameCheck,omitempty"`
}

// Proxy configures an outbound HTTP proxy (Classic: proxy.transport.proxy_url).
type Proxy struct {
	Enabled bool   `bson:"enabled" json:"enabled"`
	URL     string `bson:"url" json:"url"`
}

// UpstreamAuth configures authentication towards the upstream.
type UpstreamAuth struct {
	Enabled        bool                    `bson:"enabled" json:"enabled"`
	BasicAuth      *UpstreamBasicAuth      `bson:"basicAuth,omitempty" json:"basicAuth,omitempty"`
	OAuth          *UpstreamOAuth          `bson:"oauth,omitempty" json:"oauth,omitempty"`
	RequestSigning *UpstreamRequestSigning `bson:"requestSigning,omitempty" json:"requestSigning,omitempty"`
}

// UpstreamBasicAuth sends basic-auth credentials upstream.
type UpstreamBasicAuth struct {
	Enabled  bool        `bson:"enabled" json:"enabled"`
	Header   *AuthSource `bson:"header,omitempty" json:"header,omitempty"`
	Username string      `bson:"username" json:"username"`
	Password string      `bson:"password" json:"password"`
}

// UpstreamOAuth obtains OAuth2 tokens for upstream requests.
type UpstreamOAuth struct {
	Enabled                bool                    `bson:"enabled" json:"enabled"`
	AllowedAuthorizeTypes  []string                `bson:"allowedAuthorizeTypes" json:"allowedAuthorizeTypes"`
	ClientCredentials      *ClientCredentials      `bson:"clientCredentials,omitempty" json:"clientCredentials,omitempty"`
	PasswordAuthentication *PasswordAuthentication `bson:"password,omitempty" json:"password,omitempty"`
}

// ClientAuthData is an OAuth2 client ID and secret.
type ClientAuthData struct {
	ClientID     string `bson:"clientId" json:"clientId"`
	ClientSecret string `bson:"clientSecret,omitempty" json:"clientSecret,omitempty"`
}

// ClientCredentials configures the OAuth2 client credentials flow.
type ClientCredentials struct {
	ClientAuthData
	Header        *AuthSource `bson:"header" json:"header"`
	TokenURL      string      `bson:"tokenUrl" json:"tokenUrl"`
	Scopes        []string    `bson:"scopes,omitempty" json:"scopes,omitempty"`
	ExtraMetadata []string    `bson:"extraMetadata" json:"extraMetadata,omitempty"`
}

// PasswordAuthentication configures the OAuth2 password flow.
type PasswordAuthentication struct {
	ClientAuthData
	Header        *AuthSource `bson:"header" json:"header"`
	Username      string      `bson:"username" json:"username"`
	Password      string      `bson:"password" json:"password"`
	TokenURL      string      `bson:"tokenUrl" json:"tokenUrl"`
	Scopes        []string    `bson:"scopes" json:"scopes,omitempty"`
	ExtraMetadata []string    `bson:"extraMetadata" json:"extraMetadata,omitempty"`
}

// UpstreamRequestSigning signs requests sent upstream.
type UpstreamRequestSigning struct {
	Enabled         bool     `bson:"enabled" json:"enabled"`
	SignatureHeader string   `bson:"signatureHeader,omitempty" json:"signatureHeader,omitempty"`
	Algorithm       string   `bson:"algorithm,omitempty" json:"algorithm,omitempty"`
	KeyID           string   `bson:"keyId,omitempty" json:"keyId,omitempty"`
	Headers         []string `bson:"headers,omitempty" json:"headers,omitempty"`
	Secret          string   `bson:"secret,omitempty" json:"secret,omitempty"`
	CertificateID   string   `bson:"certificateId,omitempty" json:"certificateId,omitempty"`
}

// PreserveTrailingSlash keeps a trailing slash when building the upstream URL.
type PreserveTrailingSlash struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}

// GlobalEnforceTimeout is the API-wide upstream timeout.
type GlobalEnforceTimeout struct {
	Enabled  bool                     `bson:"enabled" json:"enabled"`
	Duration tyktime.ReadableDuration `bson:"duration,omitempty" json:"duration,omitempty"`
}
