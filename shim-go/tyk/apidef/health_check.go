package apidef

// HealthCheckStatus is a health status: pass, fail or warn.
type HealthCheckStatus string

// HealthCheckComponentType is the kind of a checked component.
type HealthCheckComponentType string

// Health statuses and component kinds. Only Pass and Component are typed,
// as in Tyk.
const (
	Pass HealthCheckStatus = "pass"
	Fail                   = "fail"
	Warn                   = "warn"

	Component HealthCheckComponentType = "component"
	Datastore                          = "datastore"
	System                             = "system"
)

// HealthCheckResponse is the body of Tyk's /hello health check.
type HealthCheckResponse struct {
	Status      HealthCheckStatus          `json:"status"`
	Version     string                     `json:"version,omitempty"`
	Output      string                     `json:"output,omitempty"`
	Description string                     `json:"description,omitempty"`
	Details     map[string]HealthCheckItem `json:"details,omitempty"`
}

// HealthCheckItem is the health of one component (redis, dashboard, rpc).
type HealthCheckItem struct {
	Status        HealthCheckStatus `json:"status"`
	Output        string            `json:"output,omitempty"`
	ComponentType string            `json:"componentType,omitempty"`
	ComponentID   string            `json:"componentId,omitempty"`
	Time          string            `json:"time"`
}
