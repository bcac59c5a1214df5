module mycustomplugin

go 1.21

require (
	github.com/TykTechnologies/tyk v1.9.2-0.20210930081546-bda54b0f790c
	github.com/google/uuid v1.6.0
)
