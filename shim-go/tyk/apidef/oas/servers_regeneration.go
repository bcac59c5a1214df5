package oas

// ServerRegenerationConfig says how Tyk regenerates an OAS document's servers.
type ServerRegenerationConfig struct {
	Protocol      string
	DefaultHost   string
	EdgeEndpoints []EdgeEndpoint
	HybridEnabled bool
}

// EdgeEndpoint is an edge gateway endpoint and its tags.
type EdgeEndpoint struct {
	Endpoint string
	Tags     []string
}
