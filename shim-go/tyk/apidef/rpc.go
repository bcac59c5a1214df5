package apidef

// The messages Tyk's gateways exchange with MDCB (Tyk's multi-data-centre
// bridge) over RPC. This gateway speaks no RPC; the types are data here.

// InboundData is a key and its session, sent to store it.
type InboundData struct {
	KeyName      string
	Value        string
	SessionState string
	Timeout      int64
	Per          int64
	Expire       int64
}

// DefRequest asks for an organisation's API definitions (by tags; OAS too when LoadOAS).
type DefRequest struct {
	OrgId   string
	Tags    []string
	LoadOAS bool
}

// GroupLoginRequest logs a gateway group in.
type GroupLoginRequest struct {
	UserKey   string
	GroupID   string
	ForceSync bool
	Node      []byte
}

// HostDetails describes the host a gateway runs on.
type HostDetails struct {
	Hostname string
	PID      int
	Address  string
}

// NodeData is what a gateway reports about itself.
type NodeData struct {
	NodeID          string                     `json:"node_id"`
	APIKey          string                     `json:"api_key"`
	GroupID         string                     `json:"group_id"`
	NodeVersion     string                     `json:"node_version"`
	TTL             int64                      `json:"ttl"`
	NodeIsSegmented bool                       `json:"node_is_segmented"`
	Tags            []string                   `json:"tags"`
	Health          map[string]HealthCheckItem `json:"health"`
	Stats           GWStats                    `json:"stats"`
	HostDetails     HostDetails                `json:"host_details"`
}

// LoadedAPIInfo names a loaded API.
type LoadedAPIInfo struct {
	APIID string `json:"api_id"`
}

// LoadedPolicyInfo names a loaded policy.
type LoadedPolicyInfo struct {
	PolicyID string `json:"policy_id"`
}

// GWStats counts (and may list) a gateway's loaded APIs and policies.
type GWStats struct {
	APIsCount      int                `json:"apis_count"`
	PoliciesCount  int                `json:"policies_count"`
	LoadedAPIs     []LoadedAPIInfo    `json:"loaded_apis,omitempty"`
	LoadedPolicies []LoadedPolicyInfo `json:"loaded_policies,omitempty"`
}

// GroupKeySpaceRequest asks for a group's key space.
type GroupKeySpaceRequest struct {
	OrgID   string
	GroupID string
}

// KeysValuesPair is keys with their values, in order.
type KeysValuesPair struct {
	Keys   []string
	Values []string
}
