module example.com/basic-plugin

go 1.19

require (
	github.com/TykTechnologies/tyk v1.9.2-0.20240604111314-25a8a36fe795
	github.com/TykTechnologies/tyk-pump v1.9.0
	github.com/buger/jsonparser v1.1.1
)
