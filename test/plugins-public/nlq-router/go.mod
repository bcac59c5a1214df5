module github.com/agntcy/api-bridge-agnt/plugins

go 1.23

require (
	github.com/TykTechnologies/tyk v1.9.2-0.20240604111314-25a8a36fe795
	github.com/gorilla/mux v1.8.1
)
