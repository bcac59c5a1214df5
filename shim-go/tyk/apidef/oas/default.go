package oas

// TykExtensionConfigParams are the query parameters of Tyk's OAS import and create endpoints.
type TykExtensionConfigParams struct {
	UpstreamURL            string
	ListenPath             string
	CustomDomain           string
	ApiID                  string
	Authentication         *bool
	AllowList              *bool
	ValidateRequest        *bool
	MockResponse           *bool
	SecurityProcessingMode string
}
