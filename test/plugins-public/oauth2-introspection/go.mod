module github.com/acme/tyk_go_plugins/oauth2_introspection

go 1.20

require github.com/TykTechnologies/tyk v1.9.2-0.20210930081546-bda54b0f790c
