package oas

import (
	"github.com/TykTechnologies/tyk/apidef"
)

// XTykAPIGateway is the value of the x-tyk-api-gateway extension.
type XTykAPIGateway struct {
	// Info holds the API metadata (IDs, name, state, versioning).
	Info Info `bson:"info" json:"info"`
	// Upstream configures the proxied service.
	Upstream Upstream `bson:"upstream" json:"upstream"`
	// Server configures how Tyk receives requests (listen path, auth, ...).
	Server Server `bson:"server" json:"server"`
	// Middleware configures API-level and per-operation middleware.
	Middleware     *Middleware     `bson:"middleware,omitempty" json:"middleware,omitempty"`
	ErrorOverrides *ErrorOverrides `bson:"errorOverrides,omitempty" json:"errorOverrides,omitempty"`
}

// Info holds the main API metadata. Classic equivalents are noted per field.
type Info struct {
	// ID is the API ID (Classic: api_id).
	ID string `bson:"id" json:"id,omitempty"`
	// DBID is the database ID (Classic: id).
	DBID apidef.ObjectID `bson:"dbId" json:"dbId,omitempty"`
	// OrgID is the owning organisation (Classic: org_id).
	OrgID string `bson:"orgId" json:"orgId,omitempty"`
	// Name is the API name (Classic: name).
	Name string `bson:"name" json:"name"`
	// Expiration is the API expiry date (Classic: expiration).
	Expiration string `bson:"expiration,omitempty" json:"expiration,omitempty"`
	// State holds the active / internal flags.
	State State `bson:"state" json:"state"`
	// Versioning configures API versioning.
	Versioning *Versioning `bson:"versioning,omitempty" json:"versioning,omitempty"`
}

// State says whether the API is served, and whether only internally.
type State struct {
	// Active enables the API (Classic: active).
	Active bool `bson:"active" json:"active"`
	// Internal makes the API reachable only from other APIs (Classic: internal).
	Internal bool `bson:"internal,omitempty" json:"internal,omitempty"`
}

// Versioning configures API versioning (Classic: definition).
type Versioning struct {
	Enabled              bool          `bson:"enabled" json:"enabled"`
	Name                 string        `bson:"name,omitempty" json:"name,omitempty"`
	Default              string        `bson:"default" json:"default"`
	Location             string        `bson:"location" json:"location"`
	Key                  string        `bson:"key" json:"key,omitempty"`
	Versions             []VersionToID `bson:"versions" json:"versions"`
	StripVersioningData  bool          `bson:"stripVersioningData,omitempty" json:"stripVersioningData,omitempty"`
	UrlVersioningPattern string        `bson:"urlVersioningPattern,omitempty" json:"urlVersioningPattern,omitempty"`
	FallbackToDefault    bool          `bson:"fallbackToDefault,omitempty" json:"fallbackToDefault,omitempty"`
}

// VersionToID maps a version name to the API ID serving it.
type VersionToID struct {
	Name string `bson:"name" json:"name"`
	ID   string `bson:"id" json:"id"`
}
