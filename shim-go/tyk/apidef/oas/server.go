package oas

// Server configures how Tyk receives client requests for the API.
type Server struct {
	// ListenPath is where the API is served (Classic: proxy.listen_path).
	ListenPath ListenPath `bson:"listenPath" json:"listenPath"`
	// Authentication configures client authentication.
	Authentication       *Authentication       `bson:"authentication,omitempty" json:"authentication,omitempty"`
	ClientCertificates   *ClientCertificates   `bson:"clientCertificates,omitempty" json:"clientCertificates,omitempty"`
	GatewayTags          *GatewayTags          `bson:"gatewayTags,omitempty" json:"gatewayTags,omitempty"`
	CustomDomain         *Domain               `bson:"customDomain,omitempty" json:"customDomain,omitempty"`
	DetailedActivityLogs *DetailedActivityLogs `bson:"detailedActivityLogs,omitempty" json:"detailedActivityLogs,omitempty"`
	DetailedTracing      *DetailedTracing      `bson:"detailedTracing,omitempty" json:"detailedTracing,omitempty"`
	EventHandlers        EventHandlers         `bson:"eventHandlers,omitempty" json:"eventHandlers,omitempty"`
	IPAccessControl      *IPAccessControl      `bson:"ipAccessControl,omitempty" json:"ipAccessControl,omitempty"`
	BatchProcessing      *BatchProcessing      `bson:"batchProcessing,omitempty" json:"batchProcessing,omitempty"`
	// Protocol is "http", "http2" or "h2c".
	Protocol string `bson:"protocol,omitempty" json:"protocol,omitempty"`
	// Port overrides the gateway listen port for this API.
	Port int `bson:"port,omitempty" json:"port,omitempty"`
}

// ListenPath is the base path of the API on the gateway.
type ListenPath struct {
	// Value is the path, e.g. "/orders/".
	Value string `bson:"value" json:"value"`
	// Strip removes the listen path before proxying (Classic: proxy.strip_listen_path).
	Strip bool `bson:"strip,omitempty" json:"strip,omitempty"`
}

// ClientCertificates configures static client mTLS.
type ClientCertificates struct {
	Enabled   bool     `bson:"enabled" json:"enabled"`
	Allowlist []string `bson:"allowlist" json:"allowlist"`
}

// GatewayTags holds the segment tags of the API.
type GatewayTags struct {
	Enabled bool     `bson:"enabled" json:"enabled"`
	Tags    []string `bson:"tags" json:"tags"`
}

// Domain binds the API to a host name.
type Domain struct {
	Enabled      bool     `bson:"enabled" json:"enabled"`
	Name         string   `bson:"name" json:"name"`
	Certificates []string `bson:"certificates,omitempty" json:"certificates,omitempty"`
}

// DetailedActivityLogs turns on detailed analytics recording.
type DetailedActivityLogs struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}

// DetailedTracing turns on detailed OpenTelemetry spans.
type DetailedTracing struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}

// IPAccessControl allows or blocks client addresses (IPs or CIDRs).
type IPAccessControl struct {
	Enabled bool     `bson:"enabled" json:"enabled"`
	Allow   []string `bson:"allow,omitempty" json:"allow,omitempty"`
	Block   []string `bson:"block,omitempty" json:"block,omitempty"`
}

// BatchProcessing enables the batch request endpoint.
type BatchProcessing struct {
	Enabled bool `bson:"enabled" json:"enabled"`
}
